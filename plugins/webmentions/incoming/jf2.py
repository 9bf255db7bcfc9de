"""JF2 entries (webmention.io's `/api/mentions.jf2` shape) to mention records and back.

The receiver serves its mentions in this shape so that `relais mentions
fetch` reads webmention.io and our own receiver with the same code. One
extension: an entry with `"wm-deleted": true` (only our receiver sends
them) says that the source was re-verified as gone.
"""

from __future__ import annotations

from relais.plugins.webmentions.incoming.record import (
    PROPERTY_OF_TYPE,
    TYPE_OF_PROPERTY,
    clean,
    normalize_date,
)

from relais import foreign


class Jf2Error(ValueError):
    """An entry lacks what makes it a mention (wm-source, wm-target)."""


def _string(value) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def from_jf2(entry: dict, via: str) -> dict:
    """A mention record, or {"source", "target", "deleted": True} for a deletion."""
    if not isinstance(entry, dict):
        raise Jf2Error("an entry is not an object")
    source, target = _string(entry.get("wm-source")), _string(entry.get("wm-target"))
    if not source or not target:
        raise Jf2Error(f"entry {entry.get('wm-id')!r} has no wm-source or wm-target")
    if foreign.url(source) != source or foreign.url(target) != target:
        raise Jf2Error(f"entry {entry.get('wm-id')!r}: wm-source or wm-target is not a safe "
                       "http(s) URL")
    if entry.get("wm-deleted") is True:
        return {"source": source, "target": target, "deleted": True}
    author = entry.get("author") if isinstance(entry.get("author"), dict) else {}
    content = entry.get("content") if isinstance(entry.get("content"), dict) else None
    kind = TYPE_OF_PROPERTY.get(entry.get("wm-property"), "mention")
    rsvp = (_string(entry.get("rsvp")) or "").lower()  # clean() keeps only yes|no|maybe|interested
    return clean({
        "source": source,
        "target": target,
        "type": kind,
        "rsvp": rsvp if kind == "rsvp" else None,
        "url": _string(entry.get("url")) or source,
        "author": {k: _string(author.get(k)) for k in ("name", "url", "photo")},
        "published": normalize_date(entry.get("published")),
        "name": _string(entry.get("name")),
        "content": {"html": _string(content.get("html")) or "",
                    "text": _string(content.get("text")) or ""} if content else None,
        "in_reply_to": entry.get("in-reply-to"),  # webmention.io: only our target (dropped)
        "received": normalize_date(entry.get("wm-received")),
        "via": via,
    })


def to_jf2(mention: dict, wm_id: int) -> dict:
    """The JF2 entry webmention.io would serve for this mention."""
    prop = PROPERTY_OF_TYPE[mention["type"]]
    entry = {
        "type": "entry",
        "author": {"type": "card",
                   **{k: mention["author"].get(k) or "" for k in ("name", "url", "photo")}},
        "url": mention["url"],
        "published": mention["published"],
        "wm-received": mention["received"],
        "wm-id": wm_id,
        "wm-source": mention["source"],
        "wm-target": mention["target"],
        "wm-property": prop,
        "wm-private": False,
        prop: mention["target"],
    }
    if mention.get("name"):
        entry["name"] = mention["name"]
    if mention.get("content"):
        entry["content"] = {"html": mention["content"]["html"], "text": mention["content"]["text"]}
    if mention["type"] == "rsvp":
        entry["rsvp"] = mention["rsvp"]
        entry["in-reply-to"] = mention["target"]
    if mention["type"] in ("reply", "rsvp") and mention.get("in_reply_to"):
        entry["in-reply-to"] = [mention["target"], *mention["in_reply_to"]]  # a thread
    return entry


def deletion(source: str, target: str, wm_id: int) -> dict:
    return {"type": "entry", "wm-id": wm_id, "wm-source": source, "wm-target": target,
            "wm-deleted": True}
