"""Plain data that the feed writers read: no Pelican here, so the writers are testable alone."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

FORMATS = ("atom", "rss", "json")
EXTENSIONS = {"atom": "atom.xml", "rss": "rss.xml", "json": "json"}
MEDIA_TYPES = {
    "atom": "application/atom+xml",
    "rss": "application/rss+xml",
    "json": "application/feed+json",
}


@dataclass(frozen=True)
class Person:
    name: str
    url: str | None = None


@dataclass(frozen=True)
class Image:
    """A post's cover: absolute URL, media type, size in bytes (RSS enclosures need it), alt text."""

    url: str
    type: str
    length: int
    alt: str = ""


@dataclass(frozen=True)
class Post:
    """One entry, with every URL already absolute and every date timezone-aware."""

    id: str
    url: str
    title: str
    summary: str
    content: str
    published: datetime
    updated: datetime
    lang: str
    kind: str = "story"
    authors: tuple[Person, ...] = ()
    tags: tuple[str, ...] = ()
    image: Image | None = None
    guid: str = ""  # the RSS <guid>: the id, or the permalink (see ids.rss_guid)
    guid_is_permalink: bool = True


@dataclass(frozen=True)
class Feed:
    """One feed document: its metadata and its posts, newest first, already cut to size."""

    title: str
    home_url: str
    self_url: str
    lang: str
    posts: tuple[Post, ...]
    subtitle: str = ""
    authors: tuple[Person, ...] = ()
    hub: str | None = None

    @property
    def updated(self) -> datetime | None:
        """The newest post's date: a rebuild without changes gives the same feed, byte for byte."""
        return max((p.updated for p in self.posts), default=None)


@dataclass
class FeedFile:
    """A feed as planned by `plan`: which section it covers, where each format goes."""

    key: str  # "all", "stories", "category:slug", "tag:slug", "author:slug", "lang:en"
    title: str
    lang: str
    posts: list[Post]
    paths: dict[str, str] = field(default_factory=dict)  # format -> path under the output
    home: str = ""  # the section's page, relative to the site root ("" is the home page)
    urls: dict[str, str] = field(default_factory=dict)  # format -> its URL, when not its path
    listed: bool = True  # False: served where subscribers have it, not advertised

    def url(self, fmt: str) -> str:
        """Where the feed in `fmt` is announced, relative to the feed base."""
        return self.urls.get(fmt) or self.paths[fmt]
