"""The feeds settings, with their defaults and meanings (see the README's table)."""

from __future__ import annotations

import re
from typing import Any

from relais.settings import Setting, declare, is_http_url, one_of

SECTIONS = ("all", "stories", "category", "tag", "author", "lang")
ID_AUTHORITY = re.compile(r"^[a-z0-9.-]+\.[a-z]{2,},\d{4}(-\d{2}(-\d{2})?)?$")


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
    if value is None or (isinstance(value, str) and ID_AUTHORITY.match(value)):
        return None
    return "must be None or 'domain,YYYY' (a tag: URI authority, e.g. 'atelier.example,2026')"


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
    Setting("FEEDS_JSON", ["all", "stories"], json_sections,
            "Which of `all`, `stories`, `category`, `tag`, `author`, `lang` also get a JSON Feed 1.1."),
    Setting("FEEDS_CONTENT", "full", one_of("full", "summary"),
            "`full`: the whole post, every URL absolute; `summary`: the summary only."),
    Setting("FEEDS_FUTURE_POSTS", "skip", one_of("skip", "include"),
            "Posts dated in the future: left out of the feeds with a warning, or included."),
    Setting("FEEDS_ID_AUTHORITY", None, id_authority,
            "`'domain,YYYY'`: entry ids become `tag:domain,YYYY:lang/slug` and survive a change "
            "of domain; `None`: the permalink."),
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
