"""Who links back: for each creator, the evidence that the relationship goes both ways.

Four sources, each read from what is already on disk (no network):
- their blogroll lists us (members stored by the refresh);
- their recent posts link to us (links of their entries, stored by the refresh);
- they sent us webmentions (`received_sources` of the Webmentions plugin);
- we sent them webmentions: confirmed sends only (`sent_targets` of the Webmentions
  plugin, and `data/blogroll/notified.json`, the --notify log).

The Webmentions plugin's data comes through its own functions, which know
where its files are (`WEBMENTIONS_ARCHIVE`, `WEBMENTIONS_SENT_LOG`) and what
counts as sent; nothing here reads them by path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from relais.plugins.blogroll.model import belongs_to, site_identity
from relais.plugins.webmentions.outcome import SENT

from relais.store import StoreError, read_json


@dataclass
class Evidence:
    lists_us: list[str] = field(default_factory=list)  # blogroll sources that list us
    links_to_us: list[dict] = field(default_factory=list)  # {"entry", "link"}
    mentioned_us: list[str] = field(default_factory=list)  # sources of their webmentions
    we_mentioned: list[str] = field(default_factory=list)  # targets of ours

    @property
    def theirs(self) -> bool:
        """They reach towards us (we follow them already: that makes it mutual)."""
        return bool(self.lists_us or self.links_to_us or self.mentioned_us)

    @property
    def mutual(self) -> bool:
        return self.theirs

    def sources(self) -> list[str]:
        """The names of the evidence kinds that hold, for tables."""
        names = (
            ("lists us", self.lists_us),
            ("links to us", self.links_to_us),
            ("mentioned us", self.mentioned_us),
            ("we mentioned them", self.we_mentioned),
        )
        return [name for name, items in names if items]

    def to_json(self) -> dict:
        return {
            "lists_us": self.lists_us,
            "links_to_us": self.links_to_us,
            "mentioned_us": self.mentioned_us,
            "we_mentioned": self.we_mentioned,
            "mutual": self.mutual,
        }


def notified_targets(path: Path) -> list[str]:
    """The sites `relais blogroll refresh --notify` told, as its log says (confirmed only)."""
    log = read_json(path, default={})
    if not isinstance(log, dict):
        raise StoreError(f"{path}: not a notification log (expected an object); fix or remove it")
    return sorted(record["target"] for record in log.values()
                  if isinstance(record, dict) and record.get("status") == SENT
                  and isinstance(record.get("target"), str))


def is_ours(url: str, own_urls: list[str]) -> bool:
    return any(belongs_to(url, own) for own in own_urls)


def evidence_for(
    site: str, state: dict, own_urls: list[str], received: list[dict], sent: list[str]
) -> Evidence:
    """The reciprocity evidence for one creator's site."""
    evidence = Evidence()
    if own_urls:
        roll = state.get("blogroll") or {}
        by_source = roll.get("by_source") or {}
        for source, members in sorted(by_source.items()):
            if any(
                is_ours(m.get("site") or "", own_urls) or is_ours(m.get("feed") or "", own_urls)
                for m in members
            ):
                evidence.lists_us.append(source)
        for entry in state.get("entries") or []:
            for link in entry.get("links") or []:
                if is_ours(link, own_urls):
                    evidence.links_to_us.append({"entry": entry.get("url", ""), "link": link})
    evidence.mentioned_us = sorted(
        {
            m["source"]
            for m in received
            if belongs_to(m["source"], site)
            or (m["author_url"] and belongs_to(m["author_url"], site))
        }
    )
    evidence.we_mentioned = sorted({t for t in sent if belongs_to(t, site)})
    return evidence


def host_of(url: str) -> str | None:
    """The host part of a URL's site identity (what `belongs_to` compares first), or None."""
    try:
        return site_identity(url).partition("/")[0]
    except ValueError:
        return None


class Received(list):
    """Received mentions with their grouping by host (`received_by_host`) worked out once and
    kept with them: the build remembers both (relais.memo), and the grouping, 10,000 URLs
    parsed for 5,000 mentions (~60 ms), is not done again while the archive is the same.
    Never changed once made."""

    def __init__(self, mentions=()):
        super().__init__(mentions)
        self.by_host = group_by_host(self)


def received_by_host(received: list[dict]) -> dict[str | None, list[dict]]:
    """The received mentions grouped by the host of their source and of their author's URL.

    A mention belongs to a site only if one of these is on the site's host, so a creator's
    evidence needs only the mentions under its own host (`received_for`): the blogroll page
    looks at each mention once, instead of once per creator. `Received` mentions come with it.
    """
    found = getattr(received, "by_host", None)
    return found if found is not None else group_by_host(received)


def group_by_host(received: list[dict]) -> dict[str | None, list[dict]]:
    found: dict[str | None, list[dict]] = {}
    for mention in received:
        hosts = {host_of(mention["source"])}
        if mention["author_url"]:
            hosts.add(host_of(mention["author_url"]))
        for host in hosts - {None}:
            found.setdefault(host, []).append(mention)
    return found


def received_for(site: str, by_host: dict[str | None, list[dict]]) -> list[dict]:
    """The mentions of `by_host` that may belong to `site` (`evidence_for` decides)."""
    return by_host.get(host_of(site), [])
