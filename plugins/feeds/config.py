"""The feeds settings (see the README's table) and the frozen Config built from them once per
build: the only place the feeds plugin reads Pelican's settings."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from relais.plugins.feeds.model import EXTENSIONS

from relais.settings import (
    Setting,
    SettingsError,
    configured,
    data_path,
    declare,
    is_bool,
    is_http_url,
    one_of,
)
from relais.site import Site, site

SECTIONS = ("all", "stories", "category", "tag", "author", "lang", "pieces")
ID_AUTHORITY = re.compile(r"^[a-z0-9.-]+\.[a-z]{2,},\d{4}(-\d{2}(-\d{2})?)?$")
PELICAN_IDS = "pelican"


def feed_path(*fields: str):
    """A path under the output with `{ext}` and the given fields, or None to turn the feed off."""

    def check(value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or value.startswith("/"):
            return "must be a relative path or None"
        needed = ("{ext}",) + tuple(f"{{{f}}}" for f in fields)
        missing = [n for n in needed if n not in value]
        return f"must contain {', '.join(missing)}" if missing else None

    return check


def optional_url(value: Any) -> str | None:
    return None if value in (None, "") else is_http_url(value)


def json_sections(value: Any) -> str | None:
    if not isinstance(value, list | tuple) or not set(value) <= set(SECTIONS):
        return f"must be a list taken from {', '.join(SECTIONS)}"
    return None


def id_authority(value: Any) -> str | None:
    if value in (None, PELICAN_IDS) or (isinstance(value, str) and ID_AUTHORITY.match(value)):
        return None
    return ("must be None, 'pelican' or 'domain,YYYY' (a tag: URI authority, e.g. "
            "'atelier.example,2026')")


def day_or_none(value: Any) -> str | None:
    if value is None or isinstance(value, date):
        return None
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            date.fromisoformat(value)
            return None
        except ValueError:
            pass
    return "must be None or a date 'YYYY-MM-DD'"


def as_day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def follow_pages(value: Any) -> str | None:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v.endswith("/") and not v.startswith("/")
        for k, v in value.items()
    ):
        return "must map a language to a URL ending in '/', e.g. {'en': 'follow/'}"
    return None


SETTINGS = (
    Setting("FEEDS_ALL", "feeds/all.{ext}", feed_path(),
            "The whole site's feed (`{ext}` is `atom.xml`, `rss.xml` or `json`); `None` turns it off."),
    Setting("FEEDS_STORIES", "feeds/stories.{ext}", feed_path(),
            "The stories-only feed (no notes, replies, likes…)."),
    Setting("FEEDS_CATEGORY", "feeds/category/{slug}.{ext}", feed_path("slug"),
            "One feed per category."),
    Setting("FEEDS_TAG", "feeds/tag/{slug}.{ext}", feed_path("slug"), "One feed per tag."),
    Setting("FEEDS_AUTHOR", "feeds/author/{slug}.{ext}", feed_path("slug"), "One feed per author."),
    Setting("FEEDS_LANG", "feeds/lang/{lang}.{ext}", feed_path("lang"),
            "One feed per language, translations included."),
    Setting("FEEDS_PIECES", "feeds/pieces/{lang}.{ext}", feed_path("lang"),
            "The available pieces (maker_stories' `Availability`), one feed per language of "
            "the pieces pages, beside them; a piece leaves it when it is sold."),
    Setting("FEEDS_JSON", ["all", "stories", "pieces"], json_sections,
            "Which of `all`, `stories`, `category`, `tag`, `author`, `lang`, `pieces` also get a "
            "JSON Feed 1.1."),
    Setting("FEEDS_CONTENT", "full", one_of("full", "summary"),
            "`full`: the whole post, every URL absolute; `summary`: the summary only."),
    Setting("FEEDS_FUTURE_POSTS", "skip", one_of("skip", "include"),
            "Posts dated in the future: left out of the feeds with a warning, or included."),
    Setting("FEEDS_ID_AUTHORITY", None, id_authority,
            "`'domain,YYYY'`: entry ids become `tag:domain,YYYY:lang/slug` and survive a change "
            "of domain; `'pelican'`: the ids Pelican's own feeds gave (`tag:host,YYYY-MM-DD:/path`, "
            "what `relais adopt` sets so readers see no old post again); `None`: the permalink."),
    Setting("FEEDS_PERMALINK_GUIDS_UNTIL", None, day_or_none,
            "With a `'domain,YYYY'` authority, RSS `<guid>`s are the entry's `tag:` id "
            "(`isPermaLink=\"false\"`), like Atom and JSON Feed. A site that published RSS before "
            "(its guids were permalinks) sets this to the upgrade's date, `'YYYY-MM-DD'`: posts "
            "dated on or before it keep their permalink guid, so RSS readers show none again."),
    Setting("FEEDS_PELICAN_FEEDS", True, is_bool,
            "Also write, in Pelican's place, every feed Pelican's own settings name "
            "(`FEED_ALL_ATOM`, `CATEGORY_FEED_ATOM`, `TRANSLATION_FEED_ATOM`… with their `_URL`), "
            "at the same path with the same posts: existing subscriptions keep working."),
    Setting("FEED_DOMAIN", "", lambda v: None if v is None or isinstance(v, str) else
            "must be a string",
            "Base URL of the feeds; Pelican sets it to `SITEURL`. Without an absolute one "
            "(development) no feed is written."),
    Setting("FEEDS_FOLLOW_PAGES", {}, follow_pages,
            "The \"follow\" page per language, e.g. `{'fr': 'suivre/', 'en': 'en/follow/'}`; "
            "empty: `follow/` in `DEFAULT_LANG`."),
    Setting("WEBSUB_HUB", None, optional_url,
            "WebSub hub announced in every feed and pinged by `relais feeds ping`."),
    Setting("WEBSUB_STATE", "data/websub.json", lambda v: None if isinstance(v, str) else
            "must be a path", "Where `relais feeds ping` remembers what it announced.",
            kind="data_path"),
)
declare(*SETTINGS)
NAMES = [s.name for s in SETTINGS]

# Pelican's own feed settings: name -> (format, what the feed holds). "articles" are the
# originals, "all" originals and translations, "category"/"author"/"tag" a section's
# originals, "lang" one language's posts, translations included (Pelican 4's choices).
PELICAN_FEEDS = {
    "FEED_ATOM": ("atom", "articles"), "FEED_RSS": ("rss", "articles"),
    "FEED_ALL_ATOM": ("atom", "all"), "FEED_ALL_RSS": ("rss", "all"),
    "CATEGORY_FEED_ATOM": ("atom", "category"), "CATEGORY_FEED_RSS": ("rss", "category"),
    "AUTHOR_FEED_ATOM": ("atom", "author"), "AUTHOR_FEED_RSS": ("rss", "author"),
    "TAG_FEED_ATOM": ("atom", "tag"), "TAG_FEED_RSS": ("rss", "tag"),
    "TRANSLATION_FEED_ATOM": ("atom", "lang"), "TRANSLATION_FEED_RSS": ("rss", "lang"),
}


@dataclass(frozen=True)
class PelicanFeed:
    """A feed Pelican's settings ask for: `path` under the output, `url` (its `_URL`) under the
    feed base; both may hold `{slug}` or `{lang}`."""

    setting: str
    format: str
    holds: str
    path: str
    url: str


@dataclass(frozen=True)
class Config:
    site: Site
    base: str | None  # absolute URL the feeds live under (FEED_DOMAIN, else SITEURL); None: none
    paths: Mapping[str, str | None]  # section -> path template with {ext}
    json_for: tuple[str, ...]
    content: str
    future_posts: str
    id_authority: str | None
    permalink_guids_until: date | None
    pelican_feeds: tuple[PelicanFeed, ...]
    follow_pages: Mapping[str, str]
    hub: str | None
    websub_state: Path
    max_items: int | None
    timezone: str
    content_path: Path
    output_path: Path
    subtitle: str
    relative_urls: bool

    def feed_globs(self) -> list[str]:
        """Glob patterns, relative to the output, that match every feed file this site writes."""
        patterns = []
        for template in self.paths.values():
            if template:
                patterns += [template.format(ext=ext, slug="*", lang="*") for ext in EXTENSIONS.values()]
        patterns += [feed.path.format(slug="*", lang="*") for feed in self.pelican_feeds]
        return patterns


def feed_base(settings: Mapping[str, Any]) -> str | None:
    """Where the feeds live: FEED_DOMAIN (Pelican sets it to SITEURL), if absolute; else None."""
    for name in ("FEED_DOMAIN", "SITEURL"):
        value = (settings.get(name) or "").rstrip("/")
        if value and not is_http_url(value):
            return value
    return None


def _pelican_feeds(settings: Mapping[str, Any]) -> tuple[PelicanFeed, ...]:
    if not settings["FEEDS_PELICAN_FEEDS"]:
        return ()
    return tuple(PelicanFeed(name, fmt, holds, str(settings[name]),
                             str(settings.get(f"{name}_URL") or settings[name]))
                 for name, (fmt, holds) in PELICAN_FEEDS.items() if settings.get(name))


def check_site_url(settings: Mapping[str, Any]) -> None:
    """In publish mode (absolute URLs) a SITEURL that is not an http(s) URL stops the build."""
    site_url = settings.get("SITEURL") or ""
    if not settings.get("RELATIVE_URLS") and site_url and is_http_url(site_url):
        raise SettingsError(f"setting SITEURL: feeds need an absolute http(s) URL such as "
                            f"https://example.org (got {site_url!r})")
    domain = settings.get("FEED_DOMAIN") or ""
    if domain and domain != site_url and is_http_url(domain):
        raise SettingsError(f"setting FEED_DOMAIN: must be an absolute http(s) URL "
                            f"(got {domain!r})")


def _make(settings: Mapping[str, Any]) -> Config:
    check_site_url(settings)
    return Config(
        site=site(settings),
        base=feed_base(settings),
        paths={name: settings[f"FEEDS_{name.upper()}"] for name in SECTIONS},
        json_for=tuple(settings["FEEDS_JSON"]),
        content=settings["FEEDS_CONTENT"],
        future_posts=settings["FEEDS_FUTURE_POSTS"],
        id_authority=settings["FEEDS_ID_AUTHORITY"],
        permalink_guids_until=as_day(settings["FEEDS_PERMALINK_GUIDS_UNTIL"]),
        pelican_feeds=_pelican_feeds(settings),
        follow_pages=dict(settings["FEEDS_FOLLOW_PAGES"])
        or {settings.get("DEFAULT_LANG") or "en": "follow/"},
        hub=settings["WEBSUB_HUB"] or None,
        websub_state=data_path(settings, "WEBSUB_STATE"),
        max_items=settings.get("FEED_MAX_ITEMS") or None,
        timezone=settings.get("TIMEZONE") or "UTC",
        content_path=Path(settings["PATH"]),
        output_path=Path(settings["OUTPUT_PATH"]),
        subtitle=settings.get("SITESUBTITLE") or "",
        relative_urls=bool(settings.get("RELATIVE_URLS")),
    )


def config(settings) -> Config:
    """This build's feeds Config (the settings applied and checked the first time)."""
    return configured(settings, "feeds", NAMES, _make)
