"""Who links back: for each creator, the evidence that the relationship goes both ways.

Four sources, each read from files already on disk (no network):
- their blogroll lists us (members stored by the refresh);
- their recent posts link to us (links of their entries, stored by the refresh);
- they sent us webmentions (`data/webmentions/received.json`);
- we sent them webmentions (`data/webmentions/sent.json`).

The two webmention files belong to other plugins and may not exist yet, or
may change shape: they are read defensively (a missing or unreadable file is
no evidence). What is relied on: somewhere in the JSON, objects with a
`source` URL (and optionally `author.url`) for received mentions; for sent
ones, objects with a `target` URL or a `targets` map of URL -> record, counted
when the record has no status or a successful one (2xx, "sent", "accepted"…).
`data/blogroll/notified.json` (the --notify log) counts as sent too.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from relais.plugins.blogroll.model import belongs_to

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


def _objects(value: Any) -> Iterator[dict]:
    """Every JSON object inside `value`, depth first, in document order."""
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _objects(item)
    elif isinstance(value, list):
        for item in value:
            yield from _objects(item)


def _read(path: Path) -> Any:
    try:
        return read_json(path, default=None)
    except (StoreError, OSError):
        return None


def received_mentions(path: Path) -> list[dict]:
    """`{source, author_url}` of every received mention found in the archive (maybe none)."""
    found = []
    for item in _objects(_read(path)):
        source = item.get("source")
        if isinstance(source, str) and source.startswith(("http://", "https://")):
            author = item.get("author")
            author_url = author.get("url") if isinstance(author, dict) else None
            found.append(
                {"source": source, "author_url": author_url if isinstance(author_url, str) else ""}
            )
    return found


SUCCESS_WORDS = ("sent", "accepted", "created", "ok", "success", "delivered")


def _succeeded(record: dict) -> bool:
    """No status means sent; else a 2xx code or a word of success ("sent", "accepted"…)."""
    for name in ("status", "result", "ok"):
        if name not in record:
            continue
        status = record[name]
        if isinstance(status, bool):
            return status
        if isinstance(status, int):
            return 200 <= status < 300
        if isinstance(status, str):
            word = status.strip().lower()
            return (word.isdigit() and 200 <= int(word) < 300) or word in SUCCESS_WORDS
    return True


def sent_targets(path: Path) -> list[str]:
    """Targets of the webmentions we sent successfully, from a sent log (maybe none).

    Two shapes are understood: records with a `target` field, and the webmention
    plugin's `{"sources": {SOURCE: {"targets": {TARGET: {"status": …}}}}}`.
    """
    found = []
    for item in _objects(_read(path)):
        target = item.get("target")
        if isinstance(target, str) and target.startswith(("http://", "https://")):
            if _succeeded(item):
                found.append(target)
        targets = item.get("targets")
        if isinstance(targets, dict):
            for url, record in targets.items():
                if (
                    isinstance(url, str)
                    and url.startswith(("http://", "https://"))
                    and isinstance(record, dict)
                    and _succeeded(record)
                ):
                    found.append(url)
    return found


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
