"""Ten who reach ten: her closest relays, and the people they lead to that she does not know.

Pure. Closeness is read from the ledger, with its reasons: the stage she set, how she
knows them (XFN), and what they did together (collaborations, exchanges both ways).
Reach is read from what each relay publishes, as the blogroll's refresh stored it:
their blogroll (whom they list) and the links in their recent posts (whom they talk
about). Each person reached is given with the relay(s) that lead there and the URL
that shows it: an estimate with its sources, never a follower count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from relais.plugins.blogroll.model import belongs_to, site_identity
from relais.plugins.relays.ledger import Ledger, Person

from relais import foreign

STAGE_WEIGHT = {"partner": 8, "collaborating": 6, "talking": 4, "known": 1, "paused": 0}
REL_WEIGHT = {"friend": 3, "met": 1, "colleague": 1, "co-worker": 1, "muse": 1}


@dataclass
class Relay:
    person: Person
    closeness: float
    reasons: list[str]


@dataclass
class Path:
    relay: str  # the relay's name
    how: str  # "lists them" or "linked to them"
    source: str  # the URL that shows it: their blogroll file, their post


@dataclass
class Reached:
    site: str
    name: str
    paths: list[Path] = field(default_factory=list)

    @property
    def relays(self) -> list[str]:
        return sorted({p.relay for p in self.paths})


@dataclass
class Reach:
    relays: list[Relay]
    reached: list[Reached]  # people at two hops she does not know, most relays first
    unread: list[str]  # relays whose site was never fetched: nothing known of their reach

    def by_relay(self) -> dict[str, list[str]]:
        """Relay name -> the names of the people they lead to."""
        table: dict[str, list[str]] = {r.person.name: [] for r in self.relays}
        for person in self.reached:
            for relay in person.relays:
                table.setdefault(relay, []).append(person.name)
        return table


def closeness(person: Person) -> tuple[float, list[str]]:
    """How close a person is, and why (the reasons, in words)."""
    score, reasons = float(STAGE_WEIGHT.get(person.stage, 0)), []
    if person.stage != "known":
        reasons.append(person.stage)
    for rel in person.rel:
        if rel in REL_WEIGHT:
            score += REL_WEIGHT[rel]
            reasons.append(rel)
    counts = {"collaborated": 0, "received": 0, "sent": 0, "lists-me": 0, "links-to-me": 0}
    for item in person.evidence:
        if item.kind in counts:
            counts[item.kind] += 1
    score += 2 * min(counts["collaborated"], 3) + min(counts["received"], 4)
    score += 0.5 * min(counts["sent"], 4) + bool(counts["lists-me"]) + bool(counts["links-to-me"])
    if counts["collaborated"]:
        reasons.append(f"{counts['collaborated']} collaboration(s)")
    if counts["received"]:
        reasons.append(f"{counts['received']} mention(s) from them")
    if counts["lists-me"]:
        reasons.append("lists you")
    return score, reasons


def closest(ledger: Ledger, count: int) -> list[Relay]:
    """Her `count` closest relays (people she paused are left out), closest first."""
    ranked = []
    for person in ledger.people.values():
        if person.stage == "paused" or not person.sites:
            continue
        score, reasons = closeness(person)
        ranked.append(Relay(person, score, reasons))
    ranked.sort(key=lambda r: (-r.closeness, r.person.name.lower()))
    return ranked[:count]


def _links(state: dict) -> list[tuple[str, str]]:
    """(link, entry URL) of every link in the relay's stored recent posts."""
    return [(link, entry.get("url") or "") for entry in state.get("entries") or []
            for link in entry.get("links") or []]


def two_hops(ledger: Ledger, relays: list[Relay], states: dict[str, dict],
             own_urls: list[str]) -> Reach:
    """Who her relays list or link to, that she does not know: `states` maps a relay's site
    to what the refresh stored about it (a relay without one is reported as unread)."""
    reached: dict[str, Reached] = {}
    unread = []

    def add(site: str, name: str, relay: Relay, how: str, source: str) -> None:
        """Someone the relay leads to; their site, name and the source came from the relay's
        published files: through the foreign-data gate."""
        site, name, source = foreign.url(site), foreign.text(name), foreign.url(source) or ""
        if not site or (ledger.find(site) or relay.person.owns(site)
                or any(belongs_to(site, own) for own in own_urls)):
            return
        identity = site_identity(site)
        person = reached.setdefault(identity, Reached(site, name or urlsplit(site).netloc))
        if name and person.name == urlsplit(person.site).netloc:
            person.name = name
        if not any(p.relay == relay.person.name and p.how == how for p in person.paths):
            person.paths.append(Path(relay.person.name, how, source))

    for relay in relays:
        state = next((states[s] for s in relay.person.sites if s in states), None)
        if not state or not state.get("last_success"):
            unread.append(relay.person.name)
            continue
        for source, members in sorted(((state.get("blogroll") or {}).get("by_source")
                                       or {}).items()):
            for member in members:
                if member.get("site"):
                    add(member["site"], member.get("title") or "", relay, "lists them", source)
        for link, entry in _links(state):
            parts = urlsplit(link)
            if parts.scheme in ("http", "https") and parts.netloc:
                add(f"{parts.scheme}://{parts.netloc}/", "", relay, "linked to them", entry)
    ordered = sorted(reached.values(), key=lambda r: (-len(r.relays), r.name.lower()))
    return Reach(relays, ordered, unread)
