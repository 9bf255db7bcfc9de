"""The Webmentions plugin's settings, declared once in the registry, and the frozen Config
built from them once per build: the only module of the plugin that reads settings dicts.

Outgoing (the sent log, what is sent, tries) and incoming (the endpoint, the
archive, fetching, display).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from relais.plugins.webmentions.incoming.record import TYPES

from relais.settings import (
    Setting,
    configured,
    data_path,
    declare,
    is_bool,
    is_http_url,
    is_int,
    is_text,
    is_text_list,
)


def _types(value) -> str | None:
    problem = is_text_list(value)
    if problem:
        return problem
    unknown = [v for v in value if v not in TYPES]
    if unknown:
        return f"unknown type {unknown[0]!r} (expected some of: {', '.join(TYPES)})"
    return None


def _optional_url(value) -> str | None:
    return None if value in (None, "") else is_http_url(value)


SETTINGS = (
    # outgoing: what the build owes, the sent log, tries
    Setting("WEBMENTIONS_SENT_LOG", "data/webmentions/sent.json", is_text,
            "The sent log, relative to the folder that holds `content/`; committed to git.",
            kind="data_path"),
    Setting("WEBMENTIONS_EXCLUDE", [], is_text_list,
            "Hosts (`example.com`, subdomains included) or URL prefixes never sent Webmentions."),
    Setting("WEBMENTIONS_INCLUDE_MEDIA", False, is_bool,
            "Also send Webmentions to the URLs of images, audio and video in posts."),
    Setting("WEBMENTIONS_MAX_TRIES", 5, is_int(1, 100),
            "Runs in a row a pair or a host may fail (5xx, network) before it is given up."),
    Setting("WEBMENTIONS_RETRY_DELAY", 3600, is_int(0),
            "Seconds before retrying a pair or host that failed; doubles after each failure."),
    Setting("WEBMENTIONS_TOMBSTONES", True, is_bool,
            "Write a `410 Gone` page where a post the sent log knows was deleted."),
    # incoming: the endpoint, the archive, fetching, display
    Setting("WEBMENTIONS_ENDPOINT", None, _optional_url,
            "The Webmention endpoint announced with `<link rel=\"webmention\">` on every page: "
            "webmention.io's (`https://webmention.io/DOMAIN/webmention`) or your own "
            "receiver's. `None`: no endpoint announced."),
    Setting("WEBMENTIONS_DOMAINS", [], is_text_list,
            "The domains (host or host:port) the site is served on, old ones included; "
            "mentions of other hosts are not shown. Empty: the host of `SITEURL`."),
    Setting("WEBMENTIONS_ARCHIVE", "data/webmentions/received.json", is_text,
            "The committed archive of received mentions (relative to the folder that holds "
            "`PATH`); avatars are kept beside it in `avatars/`.", kind="data_path"),
    Setting("WEBMENTIONS_API", "https://webmention.io/api/mentions.jf2", is_http_url,
            "Where `relais mentions fetch` reads mentions (JF2): webmention.io, or your "
            "receiver's `/api/mentions.jf2`. The token comes from `RELAIS_MENTIONS_TOKEN`."),
    Setting("WEBMENTIONS_SHOW_TYPES", list(TYPES), _types,
            "Which kinds of mentions are shown under a post: reply, like, repost, bookmark, "
            "mention, rsvp."),
    Setting("WEBMENTIONS_BLOCKLIST", [], is_text_list,
            "Domains (and their subdomains) whose mentions are never shown."),
    Setting("WEBMENTIONS_MAX_REPLY_LENGTH", 600, is_int(50, 20000),
            "Longer replies are shown as plain text cut at this many characters, with a link "
            "to the original."),
)
declare(*SETTINGS)
NAMES = [s.name for s in SETTINGS]


@dataclass(frozen=True)
class Config:
    """What the Webmentions plugin knows of a site, built once per build (`config()`)."""

    site_url: str  # SITEURL: absolute when publishing, "" in development
    output: Path
    default_lang: str
    sent_log: Path  # WEBMENTIONS_SENT_LOG, resolved
    exclude: tuple[str, ...]
    include_media: bool
    max_tries: int
    retry_delay: int
    tombstones: bool
    archive: Path  # WEBMENTIONS_ARCHIVE, resolved
    domains: tuple[str, ...]  # WEBMENTIONS_DOMAINS, else SITEURL's host
    api: str
    show_types: tuple[str, ...]
    blocklist: tuple[str, ...]
    max_reply_length: int


def site_domains(settings: Mapping[str, Any]) -> list[str]:
    """WEBMENTIONS_DOMAINS, else the host of SITEURL (empty when SITEURL is relative)."""
    if settings.get("WEBMENTIONS_DOMAINS"):
        return [d.lower() for d in settings["WEBMENTIONS_DOMAINS"]]
    host = urlsplit(settings.get("SITEURL") or "").netloc.lower()
    return [host] if host else []


def _make(settings: Mapping[str, Any]) -> Config:
    return Config(
        site_url=settings.get("SITEURL") or "",
        output=Path(settings.get("OUTPUT_PATH") or "output"),
        default_lang=settings.get("DEFAULT_LANG") or "en",
        sent_log=data_path(settings, "WEBMENTIONS_SENT_LOG"),
        exclude=tuple(settings["WEBMENTIONS_EXCLUDE"]),
        include_media=settings["WEBMENTIONS_INCLUDE_MEDIA"],
        max_tries=settings["WEBMENTIONS_MAX_TRIES"],
        retry_delay=settings["WEBMENTIONS_RETRY_DELAY"],
        tombstones=settings["WEBMENTIONS_TOMBSTONES"],
        archive=data_path(settings, "WEBMENTIONS_ARCHIVE"),
        domains=tuple(site_domains(settings)),
        api=settings["WEBMENTIONS_API"],
        show_types=tuple(settings["WEBMENTIONS_SHOW_TYPES"]),
        blocklist=tuple(settings["WEBMENTIONS_BLOCKLIST"]),
        max_reply_length=settings["WEBMENTIONS_MAX_REPLY_LENGTH"],
    )


def config(settings) -> Config:
    """This build's Webmentions Config (the settings applied and checked the first time)."""
    return configured(settings, "webmentions", NAMES, _make)
