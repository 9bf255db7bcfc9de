"""Read what a creator's site serves: the feed, the home page (h-card, rel=me, feed and
blogroll links) and their blogroll. Pure functions over bytes already fetched, so that
refresh and discovery share them and tests can feed them anything.

Everything they return went through the gate (`relais.foreign`): URLs are safe http(s)
URLs or left out, texts are plain, bounded and never markup.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import unescape
from xml.sax import SAXParseException

import feedparser
import mf2py
import nh3
from relais.plugins.blogroll import cache
from relais.plugins.blogroll.opml import OpmlError, origin, read_opml

from relais import bounded, foreign

FEED_TYPES = ("application/atom+xml", "application/rss+xml", "application/xml", "text/xml")
MAX_DOCUMENT_BYTES = 5_000_000  # the HTTP client's cap: what a refresh may download
BLOCK = re.compile(
    r"<(?:/?(?:p|div|li|ul|ol|h[1-6]|blockquote|pre|tr|td|section|article)\b[^>]*|br\s*/?)>", re.I
)
HREF = re.compile(r"""href\s*=\s*["']([^"']+)["']""", re.I)


class ParseError(Exception):
    """The document is not what it should be; the message is one short reason."""


def _check(document: bytes | str, xml: bool) -> None:
    """Refuse, before any parser sees it, a document too big or too deep (relais.bounded)."""
    try:
        bounded.check_markup(document, max_bytes=MAX_DOCUMENT_BYTES, xml=xml)
    except bounded.TooComplex as error:
        raise ParseError(f"refused: {error}") from None


@dataclass
class Feed:
    title: str
    entries: list[dict]
    blogroll: str | None = None  # <source:blogroll> in the channel


@dataclass
class Home:
    card: dict = field(default_factory=dict)
    rel_me: list[str] = field(default_factory=list)
    feeds: list[str] = field(default_factory=list)
    blogrolls: list[str] = field(default_factory=list)


def plain_text(html: str, limit: int = cache.SUMMARY_CHARS) -> str:
    """The text of some HTML, whitespace-collapsed, cut at a word boundary, and never markup:
    `&lt;script&gt;` in a code sample comes out as `‹script>` (foreign.text)."""
    spaced = BLOCK.sub(" ", (html or "")[: limit * 20 + 1000])  # paragraphs must not run together
    return foreign.text(unescape(nh3.clean(spaced, tags=set(), attributes={})), limit)


def _when(entry) -> str | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), UTC).isoformat()
    except (OverflowError, ValueError):
        return None


def _links(entry, base: str) -> list[str]:
    """Every link in the entry's content and summary, absolute, in order, once."""
    html = " ".join(
        [entry.get("summary", "")] + [c.get("value", "") for c in entry.get("content", [])]
    )
    found = (foreign.url(unescape(href.strip()), base) for href in HREF.findall(html))
    return list(dict.fromkeys(url for url in found if url))[: cache.MAX_LINKS]


def parse_feed(content: bytes, url: str, content_type: str = "", keep: int = 10) -> Feed:
    """The newest `keep` entries (by date, not feed order) of an Atom or RSS document."""
    # feedparser's own sanitizing is skipped: every text goes through nh3 with no tag
    # allowed (plain_text), and links are resolved here; that halves the parsing time.
    _check(content, xml=True)
    parsed = feedparser.parse(
        content,
        response_headers={"content-type": content_type or "", "content-location": url},
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    if not parsed.version and not parsed.entries:
        reason = parsed.get("bozo_exception")
        raise ParseError(
            "not an Atom or RSS feed" + (f" ({str(reason).splitlines()[0]})" if reason else "")
        )
    broken = parsed.get("bozo_exception")
    if isinstance(broken, SAXParseException):
        # feedparser's lenient second pass would make entries of it (with empty titles and
        # links): a document that is not XML is a broken feed, not a feed
        raise ParseError(f"not well-formed XML (line {broken.getLineNumber()}, column "
                         f"{broken.getColumnNumber()}: {broken.getMessage()})")
    entries = []
    for entry in parsed.entries:
        link = foreign.url(entry.get("link") or "", url) or ""
        html = entry.get("summary") or (entry.get("content") or [{}])[0].get("value", "")
        entries.append(
            cache.entry({
                "title": plain_text(entry.get("title", ""), foreign.NAME_CHARS)
                or plain_text(html, 80),
                "url": link,
                "date": _when(entry),
                "summary": plain_text(html),
                "tags": [t.get("term") for t in entry.get("tags", []) if isinstance(t, dict)],
                "links": _links(entry, link or url),
            })
        )
        if not entries[-1]["title"] and not entries[-1]["url"]:
            entries.pop()  # nothing to show or link to
    entries.sort(key=lambda e: (e["date"] is not None, e["date"] or "", e["url"]), reverse=True)
    return Feed(
        title=plain_text(parsed.feed.get("title", ""), foreign.NAME_CHARS),
        entries=entries[:keep],
        blogroll=foreign.url(parsed.feed.get("source_blogroll"), url),
    )



def _first(values) -> str:
    for value in values or []:
        if isinstance(value, dict):
            value = value.get("value") or value.get("url") or ""
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _representative_card(items: list[dict], page: str) -> dict | None:
    """The h-card that stands for the page: its url is the page, else the only/first one."""
    cards = [i for i in items if "h-card" in i.get("type", [])]
    for card in cards:
        if any(
            _same(page, u) for u in card.get("properties", {}).get("url", []) if isinstance(u, str)
        ):
            return card
    for item in items:  # the author of a top-level h-feed or h-entry
        for author in item.get("properties", {}).get("author", []):
            if isinstance(author, dict) and "h-card" in author.get("type", []):
                cards.append(author)
    return cards[0] if cards else None


def _same(a: str, b: str) -> bool:
    return a.rstrip("/") == b.rstrip("/")


def parse_home(html: str, url: str) -> Home:
    """A home page's h-card (name, photo, note, url), rel=me, feed links and blogroll links."""
    _check(html, xml=False)
    parsed = mf2py.parse(doc=html, url=url, html_parser="lxml")
    home = Home()
    card = _representative_card(parsed.get("items", []), url)
    if card:
        props = card.get("properties", {})
        home.card = cache.card({
            "name": plain_text(_first(props.get("name")), 120),
            "photo": foreign.url(_first(props.get("photo")), url),
            "note": plain_text(_first(props.get("note")), 400),
            "url": foreign.url(_first(props.get("url")), url) or url,
        })
    for href, info in list(parsed.get("rel-urls", {}).items())[: cache.MAX_URLS]:
        rels = info.get("rels", [])
        href = foreign.url(href)
        if not href:
            continue
        if "me" in rels:
            home.rel_me.append(href)
        if "alternate" in rels and (info.get("type") or "").split(";")[0].strip() in FEED_TYPES:
            home.feeds.append(href)
        if "blogroll" in rels:
            home.blogrolls.append(href)
    return home


def parse_blogroll(content: bytes, url: str) -> list[dict]:
    """Someone's blogroll as members `{title, feed, site}`, read with listparser (at most
    MAX_OUTLINES of them: relais.bounded)."""
    try:
        outlines = read_opml(content, url)
    except OpmlError as error:
        raise ParseError(str(error).removeprefix(f"{url}: ")) from None
    return cache.members([
        {"title": o.title, "feed": o.feed, "site": o.site or (origin(o.feed) if o.feed else "")}
        for o in outlines
    ])
