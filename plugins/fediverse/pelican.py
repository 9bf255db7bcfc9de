"""Pelican glue: `FEDIVERSE_ACTOR` (the actor's URL) in the template context, which the theme
links with `<link rel="alternate" type="application/activity+json">`, and, after the build,
the list of the posts as ActivityPub objects for delivery (`objects.write_list`). The only
module of the plugin that imports Pelican; the key is never read by the build."""

from __future__ import annotations

import mimetypes
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from pelican import signals
from relais.plugins.fediverse import statichost
from relais.plugins.fediverse.config import bridgy_fed, config
from relais.plugins.fediverse.objects import PostFacts, write_list

from relais.i18n import bcp47
from relais.store import write_atomic

# the published posts of one build, kept in its settings until `finalized`
PENDING = "_relais_fediverse_posts"


def add_actor(generator) -> None:
    fediverse = config(generator.settings)
    generator.context["FEDIVERSE_ACTOR"] = fediverse.actor if fediverse else None
    bridgy_fed(generator.settings)  # its settings checked before anything is built


def remember_posts(generators) -> None:
    posts = []
    for generator in generators:
        for name in ("articles", "translations"):
            posts.extend(getattr(generator, name, None) or ())
    if generators:
        generators[0].settings[PENDING] = posts


def utc(value, timezone: str) -> str:
    moment = datetime(value.year, value.month, value.day, value.hour, value.minute,
                      value.second, tzinfo=value.tzinfo)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(timezone))
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def facts(article, site_url: str, timezone: str) -> PostFacts:
    url = f"{site_url}/{article.url}"
    target = getattr(article, "target", None)
    reply = target.url if target is not None and getattr(article, "kind", "") == "reply" \
        else article.metadata.get("in-reply-to")
    kind = getattr(article, "kind", None) or ("reply" if reply else "story")
    cover = getattr(article, "cover", None) or None
    if cover and not cover.startswith(("http://", "https://")):
        cover = f"{site_url}/{cover.lstrip('/')}"
    modified = getattr(article, "modified", None)
    return PostFacts(
        url=url, kind=kind, title=(getattr(article, "title", "") or "").strip(),
        summary=article.get_summary(site_url) if kind == "story" else "",
        content=article.get_content(site_url), lang=bcp47(getattr(article, "lang", "")),
        published=utc(article.date, timezone),
        updated=utc(modified, timezone) if modified else None,
        cover=cover, cover_type=mimetypes.guess_type(cover.split("?")[0])[0] if cover else None,
        cover_alt=getattr(article, "cover_alt", "") or "",
        in_reply_to=str(reply).strip() if reply else None,
    )


def write_posts(pelican) -> None:
    """The post list for `relais fediverse deliver`, at the root of the output; only for a
    build with the public, absolute SITEURL (a development build delivers nothing)."""
    settings = pelican.settings
    posts = settings.pop(PENDING, [])
    fediverse = config(settings)
    if fediverse is None or not fediverse.site_url.startswith(("http://", "https://")):
        return
    timezone = settings.get("TIMEZONE") or "UTC"
    write_list(pelican.output_path, fediverse,
               [facts(post, fediverse.site_url, timezone) for post in posts])


def write_host_files(pelican) -> None:
    """What the static host needs to answer WebFinger (FEDIVERSE_STATIC_HOST): `_redirects`
    or `.well-known/webfinger` at the top of the output (statichost)."""
    settings = pelican.settings
    host = settings.get("FEDIVERSE_STATIC_HOST")
    if not host:
        return
    output = Path(pelican.output_path)
    redirects = output / statichost.REDIRECTS
    existing = redirects.read_text(encoding="utf-8") if redirects.is_file() else ""
    for name, text in statichost.files(host, config(settings), bridgy_fed(settings),
                                       existing).items():
        (output / name).parent.mkdir(parents=True, exist_ok=True)
        write_atomic(output / name, text)


def connect() -> None:
    signals.generator_init.connect(add_actor)
    signals.all_generators_finalized.connect(remember_posts)
    signals.finalized.connect(write_posts)
    signals.finalized.connect(write_host_files)
