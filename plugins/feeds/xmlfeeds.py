"""Atom 1.0 and RSS 2.0 documents from a `Feed`, written by feedgen.

Every date is the post's own, never the clock's, so that a rebuild gives the
same bytes. RSS gets two things feedgen leaves out: the WebSub hub link and
any channel elements other plugins add (`ChannelExtra`, e.g. the blogroll's
`<source:blogroll>`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from feedgen.entry import FeedEntry
from feedgen.ext.base import BaseExtension
from feedgen.ext.dc import DcEntryExtension, DcExtension
from feedgen.ext.media import MediaEntryExtension, MediaExtension
from feedgen.feed import FeedGenerator
from lxml import etree
from relais.plugins.feeds.model import Feed, Post

ATOM_NS = "http://www.w3.org/2005/Atom"
GENERATOR = ("Relais", "https://github.com/relais")


@dataclass(frozen=True)
class ChannelExtra:
    """Something to add to an RSS `<channel>`: `add(channel)` appends elements in `namespaces`."""

    add: Callable[[etree._Element], None]
    namespaces: dict[str, str] = field(default_factory=dict)


class _EntryLinks(BaseExtension):
    """Writes an Atom entry's `<id>` and `<link>`s: feedgen 1.0 drops `rel`, `type` and `length`
    on entry links, which would turn the enclosure into a second "alternate" link, and its
    `guid()` would overwrite the Atom id with the permalink."""

    def __init__(self):
        self.id: str | None = None
        self.links: list[dict[str, str]] = []

    def extend_atom(self, entry):
        for old in entry.findall("link"):
            entry.remove(old)
        for link in self.links:
            etree.SubElement(entry, "link", link)  # feedgen builds Atom unqualified
        if self.id:
            entry.find("id").text = self.id
        return entry


class _ChannelHooks(BaseExtension):
    """feedgen extension that runs the `ChannelExtra` hooks on the finished RSS tree."""

    def __init__(self):
        self.extras: list[ChannelExtra] = []

    def extend_ns(self):
        namespaces = {}
        for extra in self.extras:
            namespaces.update(extra.namespaces)
        return namespaces

    def extend_atom(self, feed):
        return feed

    def extend_rss(self, rss):
        channel = rss.find("channel")
        for extra in self.extras:
            extra.add(channel)
        return rss


def hub_link(hub: str) -> ChannelExtra:
    """`<atom:link rel="hub">` in an RSS channel, as WebSub asks."""

    def add(channel):
        etree.SubElement(channel, f"{{{ATOM_NS}}}link", href=hub, rel="hub")

    return ChannelExtra(add, {"atom": ATOM_NS})


def _new_entry(post: Post) -> FeedEntry:
    entry = FeedEntry()
    entry.register_extension("media", MediaEntryExtension, atom=True, rss=True)
    entry.register_extension("dc", DcEntryExtension, atom=False, rss=True)
    entry.register_extension("relais", _EntryLinks, atom=True, rss=False)
    _fill(entry, post)
    return entry


@dataclass(frozen=True)
class _Format:
    """How feedgen makes one format: its document without entries, an entry, where the
    entries go, and what closes the document after them."""

    create: Callable[[FeedGenerator], tuple]  # (root, document), no entries yet
    entry: Callable[[FeedEntry], etree._Element]
    parent: Callable[[etree._Element], etree._Element]
    closing: bytes


ATOM = _Format(lambda fg: fg._create_atom(), lambda entry: entry.atom_entry(),
               lambda root: root, b"</feed>\n")
RSS = _Format(lambda fg: fg._create_rss(), lambda entry: entry.rss_entry(),
              lambda root: root.find("channel"), b"  </channel>\n</rss>\n")


def _text(document) -> bytes:
    """What feedgen's `atom_str`/`rss_str(pretty=True)` make of the document."""
    return etree.tostring(document, pretty_print=True, encoding="UTF-8", xml_declaration=True)


class Writer:
    """Writes Atom and RSS documents with feedgen; each post's entry is built and serialized
    once per format and reused in every feed that holds it.

    feedgen puts a document's entries last (after every extension's elements), so a document
    is feedgen's document without entries with the entries' text inserted before its closing
    tags: the same bytes as feedgen's whole document, without building a tree of copies of
    the same entries for every feed.
    """

    def __init__(self, extras: Iterable[ChannelExtra] = ()):
        self.extras = list(extras)
        self._entries: dict[int, tuple[Post, FeedEntry]] = {}
        self._texts: dict[tuple, dict[int, tuple[Post, bytes]]] = {}  # by namespaces in scope

    def _entry(self, post: Post) -> FeedEntry:
        known = self._entries.get(id(post))
        if known is None or known[0] is not post:
            known = self._entries[id(post)] = (post, _new_entry(post))
        return known[1]

    def _generator(self, feed: Feed, rss: bool) -> FeedGenerator:
        fg = FeedGenerator()
        # feedgen's own extensions, by class: `load_extension` looks for their modules on disk
        fg.register_extension("media", MediaExtension, MediaEntryExtension, atom=True, rss=True)
        fg.register_extension("dc", DcExtension, DcEntryExtension, atom=False, rss=True)
        fg.register_extension("relais", _ChannelHooks, _EntryLinks, atom=True, rss=True)
        if rss:
            fg.relais.extras = self.extras + ([hub_link(feed.hub)] if feed.hub else [])
        fg.id(feed.self_url)
        fg.title(feed.title)
        fg.subtitle(feed.subtitle or feed.title)  # RSS needs a description
        fg.link(href=feed.self_url, rel="self")
        if feed.hub:
            fg.link(href=feed.hub, rel="hub")
        fg.link(href=feed.home_url, rel="alternate")  # last: feedgen takes RSS's <link> from it
        fg.language(feed.lang)
        fg.generator(GENERATOR[0], uri=GENERATOR[1])
        for person in feed.authors:
            fg.author({"name": person.name, **({"uri": person.url} if person.url else {})})
        if feed.updated is not None:
            fg.updated(feed.updated)
        return fg

    def _document(self, feed: Feed, fmt: _Format) -> bytes:
        """feedgen's document: its head, then each entry's text (made the first time that post
        is written in a document with the same namespaces), then its closing tags."""
        root, document = fmt.create(self._generator(feed, rss=fmt is RSS))
        head = _text(document)
        if not feed.posts:
            return head
        cut = len(head) - len(fmt.closing)
        if not head.endswith(fmt.closing):
            raise RuntimeError(f"feedgen's document does not end with {fmt.closing!r}")
        scope = (fmt.closing, tuple(sorted((k or "", v) for k, v in root.nsmap.items())))
        texts = self._texts.setdefault(scope, {})
        parent = fmt.parent(root)
        for post in feed.posts:
            if texts.get(id(post), (None,))[0] is not post:
                element = fmt.entry(self._entry(post))
                parent.append(element)
                whole = _text(document)
                parent.remove(element)
                if whole[:cut] != head[:cut] or not whole.endswith(fmt.closing):
                    raise RuntimeError("feedgen's document does not end with its entries")
                texts[id(post)] = (post, whole[cut:-len(fmt.closing)])
        return b"".join([head[:cut], *(texts[id(post)][1] for post in feed.posts), fmt.closing])

    def atom(self, feed: Feed) -> bytes:
        return self._document(feed, ATOM)

    def rss(self, feed: Feed) -> bytes:
        return self._document(feed, RSS)


def _fill(entry, post: Post) -> None:
    entry.guid(post.guid or post.url, permalink=post.guid_is_permalink)  # RSS: the id (ids.rss_guid)
    entry.relais.id = post.id  # Atom: the stable id
    entry.relais.links = [{"href": post.url, "rel": "alternate", "type": "text/html"}]
    entry.title(post.title)
    entry.link(href=post.url, rel="alternate")
    entry.published(post.published)
    entry.updated(post.updated)
    entry.pubDate(post.published)
    if post.summary:
        entry.summary(post.summary, type="html")
        entry.description(post.summary)
    entry.content(post.content, type="html")
    for person in post.authors:
        entry.author({"name": person.name, **({"uri": person.url} if person.url else {})})
        entry.dc.dc_creator(person.name, replace=False)
    for tag in post.tags:
        entry.category(term=tag)
    if post.image:
        entry.enclosure(post.image.url, str(post.image.length), post.image.type)
        entry.relais.links.append({"href": post.image.url, "rel": "enclosure",
                                   "type": post.image.type, "length": str(post.image.length)})
        entry.media.content({"url": post.image.url, "type": post.image.type,
                             "fileSize": str(post.image.length), "medium": "image"})


def atom(feed: Feed) -> bytes:
    return Writer().atom(feed)


def rss(feed: Feed, extras: Iterable[ChannelExtra] = ()) -> bytes:
    """The RSS 2.0 document; `extras` add channel elements (other plugins' hook)."""
    return Writer(extras).rss(feed)
