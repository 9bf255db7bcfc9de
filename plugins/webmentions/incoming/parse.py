"""Read a verified source page with mf2py into a mention record.

The post that mentions us is the page's h-entry (the first one whose `url`
is the source, else the first one). Its type comes from the property whose
value is our target (`in-reply-to` → reply, `like-of` → like, …, `rsvp`
with a reply → rsvp); a page that only links to us is a plain mention. The
author is the entry's `author` (an h-card, a name or a URL), else the
page's first h-card, else the source's host.
"""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlsplit

import mf2py
from relais.plugins.webmentions.incoming.links import normalize_url
from relais.plugins.webmentions.incoming.record import RSVP_VALUES, clean, normalize_date

REPLY_PROPERTIES = (
    ("like-of", "like"), ("repost-of", "repost"), ("bookmark-of", "bookmark"),
    ("in-reply-to", "reply"),
)
TITLE = re.compile(r"<title[^>]*>(.*?)</title", re.IGNORECASE | re.DOTALL)


def _first(properties: dict, name: str):
    values = properties.get(name) or []
    return values[0] if values else None


def _text(value) -> str | None:
    """A plain string out of an mf2 value (string, {value, alt}, or an embedded item)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        if "value" in value and isinstance(value["value"], str):
            return value["value"].strip() or None
        return _text(_first(value.get("properties", {}), "name"))
    return None


def _url_of(value) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        url = _first(value.get("properties", {}), "url")
        if url:
            return _url_of(url)
        if isinstance(value.get("value"), str):
            return value["value"].strip() or None
    return None


def _items(items):
    """Every item and nested child (h-feed children first-class)."""
    for item in items:
        yield item
        yield from _items(item.get("children", []))


def _find_entry(document: dict, source: str) -> dict | None:
    entries = [i for i in _items(document.get("items", [])) if "h-entry" in i.get("type", [])]
    wanted = normalize_url(source)
    for entry in entries:
        urls = entry["properties"].get("url", [])
        if any(normalize_url(_url_of(u) or "") == wanted for u in urls):
            return entry
    return entries[0] if entries else None


def _card(value, source: str) -> dict:
    if isinstance(value, dict) and "h-card" in value.get("type", []):
        props = value.get("properties", {})
        photo = _first(props, "photo")
        return {
            "name": _text(_first(props, "name")),
            "url": _url_of(_first(props, "url")),
            "photo": photo if isinstance(photo, str) else _text(photo),
        }
    text = _text(value)
    if text and urlsplit(text).scheme in ("http", "https"):
        return {"name": urlsplit(text).hostname, "url": text, "photo": None}
    return {"name": text, "url": None, "photo": None}


def _author(entry: dict | None, document: dict, source: str) -> dict:
    value = _first(entry["properties"], "author") if entry else None
    if value is None:
        cards = [i for i in document.get("items", []) if "h-card" in i.get("type", [])]
        value = cards[0] if cards else None
    author = _card(value, source) if value is not None else dict.fromkeys(("name", "url", "photo"))
    if not author["name"] and not author["url"]:
        parts = urlsplit(source)
        author = {**author, "name": parts.hostname, "url": f"{parts.scheme}://{parts.netloc}/"}
    return author


def _kind(entry: dict | None, target: str) -> tuple[str, str | None]:
    if entry is None:
        return "mention", None
    props = entry["properties"]
    wanted = normalize_url(target)
    for prop, kind in REPLY_PROPERTIES:
        if any(normalize_url(_url_of(v) or "") == wanted for v in props.get(prop, [])):
            rsvp = (_text(_first(props, "rsvp")) or "").lower()
            if kind == "reply" and rsvp in RSVP_VALUES:
                return "rsvp", rsvp
            return kind, None
    return "mention", None


def _content(entry: dict | None) -> dict | None:
    value = _first(entry["properties"], "content") if entry else None
    if isinstance(value, dict):
        return {"html": value.get("html") or "", "text": (value.get("value") or "").strip()}
    if isinstance(value, str) and value.strip():
        return {"html": "", "text": value.strip()}
    return None


def _squash(text: str) -> str:
    return " ".join(text.split())


def _page_title(html: str) -> str | None:
    found = TITLE.search(html)
    return " ".join(unescape(found.group(1)).split())[:200] or None if found else None


def mention_from_html(html: str, source: str, target: str, *, received: str, via: str,
                      base: str | None = None) -> dict:
    """The mention record that the page at `source` (fetched from `base`) makes of `target`."""
    document = mf2py.parse(doc=html, url=base or source, html_parser="html.parser")
    entry = _find_entry(document, source)
    kind, rsvp = _kind(entry, target)
    content = _content(entry)
    name = _text(_first(entry["properties"], "name")) if entry else None
    if name and content and _squash(content["text"]).startswith(_squash(name)):
        name = None  # a note: mf2's implied name is just the content again
    if entry is None:
        name = _page_title(html)  # no microformats: the page's title is the best name
    return clean({
        "source": source,
        "target": target,
        "type": kind,
        "rsvp": rsvp,
        "url": (_url_of(_first(entry["properties"], "url")) if entry else None) or source,
        "author": _author(entry, document, source),
        "published": normalize_date(
            _text(_first(entry["properties"], "published")) if entry else None),
        "name": name,
        "content": content,
        "in_reply_to": [_url_of(v) for v in entry["properties"].get("in-reply-to", [])]
        if entry else [],
        "received": received,
        "via": via,
    })
