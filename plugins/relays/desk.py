"""The desk: the ledger opened with every source gathered into it, as the CLI and the private
page both use it. It coordinates; the decisions are in the stage modules.

Sites the relays fetch themselves (a proposer's site, a relay outside the blogroll) are
kept beside the ledger, in `sites/` (private too), with the blogroll refresh's own code
and file format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from relais.plugins.blogroll.cache import load_state
from relais.plugins.blogroll.discover import read_my_writing
from relais.plugins.blogroll.model import Creator as BlogrollCreator
from relais.plugins.blogroll.model import site_key
from relais.plugins.blogroll.text import entry_profile
from relais.plugins.relays import consent, ledger, sources
from relais.plugins.relays.config import Config
from relais.plugins.relays.gather import gather
from relais.plugins.relays.qualify import Qualification, qualify
from relais.plugins.relays.reach import Reach, closest, two_hops
from relais.plugins.relays.weekly import Weekly, weekly

SITES = "sites"


@dataclass
class Desk:
    config: Config
    settings: dict
    book: ledger.Ledger
    states: dict[str, dict] = field(default_factory=dict)  # site -> what was fetched of it
    added: int = 0  # evidence gathered by this opening

    @property
    def sites_dir(self) -> Path:
        return self.config.ledger.parent / SITES

    def state_of(self, site: str) -> dict:
        """What is known of a site: the blogroll's refresh, else the relays' own fetch."""
        if site in self.states:
            return self.states[site]
        state, _ = load_state(self.sites_dir, site_key(site), site)
        return state

    def states_for(self, people) -> dict[str, dict]:
        return {site: self.state_of(site) for person in people for site in person.sites}

    def fetch(self, sites: list[tuple[str, str]], *, allow_private: bool | None,
              now: datetime) -> list:
        """Fetch sites (name, URL) into the private `sites/` folder with the blogroll's
        refresh; returns its outcomes."""
        from relais.plugins.blogroll.refresh import refresh

        creators = [BlogrollCreator(name=name, site=site) for name, site in sites]
        outcomes = refresh(creators, self.sites_dir, allow_private=allow_private, now=now,
                           site_url=(self.config.own_urls or ("",))[0])
        for _, site in sites:
            self.states.pop(site, None)
        return outcomes

    def reach(self) -> Reach:
        relays = closest(self.book, self.config.closest)
        return two_hops(self.book, relays, self.states_for(r.person for r in relays),
                        list(self.config.own_urls))

    def weekly(self, now: datetime) -> Weekly:
        return weekly(self.book, now, thank_days=self.config.thank_days,
                      quiet_days=self.config.quiet_days, recent_days=self.config.recent_days,
                      reach=self.reach())

    def qualification(self, proposal: ledger.Proposal, now: datetime) -> Qualification:
        """The qualification of a proposal from what is known now (nothing fetched here)."""
        person = self.book.people[proposal.person]
        mine = read_my_writing(self.config.content, list(self.config.article_paths)).profile
        others = [entry_profile(state.get("entries") or []) for state in self.states.values()]
        theirs = next((self.state_of(s) for s in person.sites), {})
        everyone = self.states_for(p for p in self.book.people.values() if p is not person)
        return qualify(proposal, person, self.book, mine=mine, others=others,
                       their_state=theirs, states=everyone, now=now)

    def save(self) -> bool:
        return ledger.save(self.config.ledger, self.book)


def open_desk(settings: dict, config: Config, *, gather_sources: bool = True) -> Desk:
    """The ledger, with what the sources hold gathered in (not saved yet)."""
    book = ledger.load(config.ledger)
    desk = Desk(config, settings, book)
    if gather_sources:
        found, states = sources.all_sources(settings, config)
        desk.states = states
        desk.added = gather(book, found)
        consent.update(book)
    return desk
