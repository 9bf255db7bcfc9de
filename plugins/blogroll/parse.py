"""Read what a creator's site serves: the feed, the home page (h-card, rel=me, feed and
blogroll links) and their blogroll. Pure functions over bytes already fetched, so that
refresh and discovery share them and tests can feed them anything.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import unescape
from urllib.parse import urljoin, urlsplit
from xml.sax import SAXParseException

import feedparser
import mf2py
import nh3
from relais.plugins.blogroll.opml import OpmlError, read_opml

FEED_TYPES = ("application/atom+xml", "application/rss+xml", "application/xml", "text/xml")
SUMMARY_CHARS = 280
BLOCK = re.compile(
    r"<(?:/?(?:p|div|li|ul|ol|h[1-6]|blockquote|pre|tr|td|section|article)\b[^>]*|br\s*/?)>", re.I
)
HREF = re.compile(r"""href\s*=\s*["']([^"']+)["']""", re.I)


class ParseError(Exception):
    """The document is not what it should be; the message is one short reason."""


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


def plain_text(html: str, limit: int = SUMMARY_CHARS) -> str:
    """Markup-free, whitespace-collapsed text cut at a word boundary: safe to show anywhere."""
    spaced = BLOCK.sub(" ", html or "")  # paragraphs must not run into each other
    text = unescape(nh3.clean(spaced, tags=set(), attributes={}))
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",.;:") + "…"


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
    found = []
    for href in HREF.findall(html):
        url = urljoin(base, unescape(href.strip()))
        if urlsplit(url).scheme in ("http", "https") and url not in found:
            found.append(url)
    return found


def parse_feed(content: bytes, url: str, content_type: str = "", keep: int = 10) -> Feed:
    """The newest `keep` entries (by date, not feed order) of an Atom or RSS document."""
    # feedparser's own sanitizing is skipped: every text goes through nh3 with no tag
    # allowed (plain_text), and links are resolved here; that halves the parsing time.
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
        link = entry.get("link") or ""
        link = urljoin(url, link) if link else ""
        html = entry.get("summary") or (entry.get("content") or [{}])[0].get("value", "")
        entries.append(
            {
                "title": plain_text(entry.get("title", ""), 200) or plain_text(html, 80),
                "url": link if urlsplit(link).scheme in ("http", "https") else "",
                "date": _when(entry),
                "summary": plain_text(html),
                "tags": sorted(
                    {t.get("term", "").strip() for t in entry.get("tags", []) if t.get("term")}
                ),
                "links": _links(entry, link or url),
            }
        )
        if not entries[-1]["title"] and not entries[-1]["url"]:
            entries.pop()  # nothing to show or link to
    entries.sort(key=lambda e: (e["date"] is not None, e["date"] or "", e["url"]), reverse=True)
    blogroll = parsed.feed.get("source_blogroll")
    return Feed(
        title=plain_text(parsed.feed.get("title", ""), 200),
        entries=entries[:keep],
        blogroll=urljoin(url, blogroll.strip()) if blogroll else None,
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
    parsed = mf2py.parse(doc=html, url=url, html_parser="lxml")
    home = Home()
    card = _representative_card(parsed.get("items", []), url)
    if card:
        props = card.get("properties", {})
        photo = _first(props.get("photo"))
        home.card = {
            "name": plain_text(_first(props.get("name")), 120),
            "photo": urljoin(url, photo) if photo else "",
            "note": plain_text(_first(props.get("note")), 400),
            "url": urljoin(url, _first(props.get("url"))) if props.get("url") else url,
        }
    for href, info in parsed.get("rel-urls", {}).items():
        rels = info.get("rels", [])
        if urlsplit(href).scheme not in ("http", "https"):
            continue
        if "me" in rels:
            home.rel_me.append(href)
        if "alternate" in rels and (info.get("type") or "").split(";")[0].strip() in FEED_TYPES:
            home.feeds.append(href)
        if "blogroll" in rels:
            home.blogrolls.append(href)
    return home


def parse_blogroll(content: bytes, url: str) -> list[dict]:
    """Someone's blogroll as members `{title, feed, site}`, read with listparser."""
    try:
        outlines = read_opml(content, url)
    except OpmlError as error:
        raise ParseError(str(error).removeprefix(f"{url}: ")) from None
    members = []
    for outline in outlines:
        site = outline.site or (
            f"{urlsplit(outline.feed).scheme}://{urlsplit(outline.feed).netloc}/"
            if outline.feed
            else ""
        )
        members.append({"title": outline.title, "feed": outline.feed or "", "site": site})
    return members
