"""OPML 2.0 in and out: a reader's subscription list, someone's blogroll, our own.

Reading goes through listparser (the judge of what a feed list is); it does
not keep an outline's `htmlUrl`, so a second, tolerant pass over the same
document picks the site addresses up. What comes out went through the gate
(`relais.foreign`: safe http(s) URLs, plain bounded text), from a document
checked before parsing (`relais.bounded`: size, depth, no XML entities, at
most `MAX_OUTLINES` outlines). Writing is plain OPML 2.0 that any feed
reader imports.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from urllib.parse import urlsplit
from xml.sax.saxutils import quoteattr

from relais.plugins.blogroll.model import Creator

from relais import bounded, foreign

MAX_OPML_BYTES = 10_000_000


class OpmlError(Exception):
    """The document is not a usable OPML list."""


@dataclass
class Outline:
    """One subscription of a list: a feed and, when the list says so, the site."""

    title: str
    feed: str | None
    site: str | None
    groups: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    description: str = ""


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/"


@dataclass
class _Details:
    site: str = ""
    description: str = ""
    folders: list[str] = field(default_factory=list)


def _details(document: bytes, where: str) -> tuple[dict[str, _Details], list[Outline]] | None:
    """What listparser leaves out: per xmlUrl the htmlUrl, description and folders, and the
    outlines that have a site but no feed (a blogroll of sites). None when it is not OPML;
    OpmlError when it is not even well-formed XML (listparser's lenient pass would make
    outlines of it)."""
    try:
        root = ET.fromstring(document)
    except ET.ParseError as error:
        raise OpmlError(f"{where}: not a usable OPML list (not well-formed XML: {error})") from None
    if root.tag != "opml":
        return None
    details: dict[str, _Details] = {}
    site_only: list[Outline] = []

    def walk(node, folders):
        for outline in node.findall("outline"):
            feed = (outline.get("xmlUrl") or "").strip()
            site = foreign.url(outline.get("htmlUrl")) or ""
            description = foreign.text(outline.get("description"), foreign.NOTE_CHARS)
            title = foreign.text(outline.get("title") or outline.get("text"))
            if feed:
                details.setdefault(feed, _Details(site, description, list(folders)))
            elif site:
                site_only.append(
                    Outline(
                        title=title or site,
                        feed=None,
                        site=site,
                        groups=list(folders),
                        description=description,
                    )
                )
            elif len(outline):
                folder = foreign.text(title, foreign.TAG_CHARS)
                walk(outline, folders + ([folder] if folder else []))

    body = root.find("body")
    walk(body if body is not None else root, [])
    return details, site_only


def read_opml(document: bytes | str, where: str = "OPML") -> list[Outline]:
    """The subscriptions of an OPML document; OpmlError when it is not a feed list at all."""
    if isinstance(document, str):
        document = document.encode("utf-8")
    try:
        bounded.check_opml(document, max_bytes=MAX_OPML_BYTES)
    except bounded.TooComplex as error:
        raise OpmlError(f"{where}: refused: {error}") from None
    import listparser  # here, not at the top: the build only writes OPML, and this is slow to load

    result = listparser.parse(document)
    found = _details(document, where)
    if found is None and not result.feeds:
        reason = result.get("bozo_exception") or "the root element is not <opml>"
        raise OpmlError(f"{where}: not a usable OPML list ({str(reason).splitlines()[0]})")
    details, site_only = found or ({}, [])
    outlines = []
    seen = set()
    for feed in result.feeds:
        url = foreign.url(feed.url)
        if not url or url in seen:
            continue
        seen.add(url)
        extra = details.get((feed.url or "").strip(), _Details())
        tags = [foreign.text(t, foreign.TAG_CHARS) for t in feed.tags[:30]]
        outlines.append(
            Outline(
                title=foreign.text(feed.title) or url,
                feed=url,
                site=extra.site or None,
                groups=extra.folders,
                tags=[t for t in tags if t and t not in extra.folders],
                description=extra.description,
            )
        )
    return outlines + site_only


def write_opml(
    creators: list[Creator],
    feeds: dict[str, str],
    *,
    title: str,
    owner_name: str = "",
    owner_id: str = "",
) -> str:
    """Our blogroll as OPML 2.0; `feeds` maps a creator's key to its known feed URL."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        "  <head>",
        f"    <title>{_text(title)}</title>",
    ]
    if owner_name:
        lines.append(f"    <ownerName>{_text(owner_name)}</ownerName>")
    if owner_id:
        lines.append(f"    <ownerId>{_text(owner_id)}</ownerId>")
    lines += ["    <docs>https://opml.org/spec2.opml</docs>", "  </head>", "  <body>"]
    for creator in creators:
        attributes = {"text": creator.name, "title": creator.name}
        feed = creator.feed or feeds.get(creator.key)
        if feed:
            attributes.update(type="rss", xmlUrl=feed)
        attributes["htmlUrl"] = creator.site
        if creator.note:
            attributes["description"] = creator.note
        categories = [f"/{g}" for g in creator.groups] + creator.interests
        if categories:
            attributes["category"] = ",".join(c.replace(",", " ") for c in categories)
        rendered = " ".join(f"{name}={quoteattr(value)}" for name, value in attributes.items())
        lines.append(f"    <outline {rendered}/>")
    lines += ["  </body>", "</opml>"]
    return "\n".join(lines) + "\n"


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
