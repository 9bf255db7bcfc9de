"""Pelican glue: read the published posts into plain `Post`s, plan the feeds, write them.

Runs in two steps: `plan_feeds` (all generators finalized, before any page is
written, so the theme knows every feed's URL) and `write_feeds` (after the
articles are written).
"""

from __future__ import annotations

import logging
import mimetypes
import os
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from zoneinfo import ZoneInfo

from relais.plugins.feeds.jsonfeed import json_feed
from relais.plugins.feeds.model import MEDIA_TYPES, Feed, FeedFile, Image, Person, Post
from relais.plugins.feeds.plan import Placed, Section, plan
from relais.plugins.feeds.urls import absolutize
from relais.plugins.feeds.xmlfeeds import Writer

from relais.settings import SettingsError, is_http_url

log = logging.getLogger("relais.plugins.feeds")

FORMAT_NAMES = {"atom": "Atom", "rss": "RSS", "json": "JSON Feed"}
KIND_LABELS = {"in-reply-to": "In reply to", "like-of": "Liked",
               "repost-of": "Reposted", "bookmark-of": "Bookmarked"}

# Other plugins append `xmlfeeds.ChannelExtra`s here to add elements to every RSS channel.
RSS_EXTRAS: list = []


def feed_base(settings) -> str | None:
    """Where the feeds live: FEED_DOMAIN (Pelican sets it to SITEURL), if absolute; else None."""
    for name in ("FEED_DOMAIN", "SITEURL"):
        value = (settings.get(name) or "").rstrip("/")
        if value and not is_http_url(value):
            return value
    return None


def check_site_url(pelican) -> None:
    """In publish mode (absolute URLs) a SITEURL that is not an http(s) URL stops the build."""
    settings = pelican.settings
    site_url = settings.get("SITEURL") or ""
    if not settings.get("RELATIVE_URLS") and site_url and is_http_url(site_url):
        raise SettingsError(f"setting SITEURL: feeds need an absolute http(s) URL such as "
                            f"https://example.org (got {site_url!r})")
    domain = settings.get("FEED_DOMAIN") or ""
    if domain and domain != site_url and is_http_url(domain):
        raise SettingsError(f"setting FEED_DOMAIN: must be an absolute http(s) URL "
                            f"(got {domain!r})")


def shown(path: str) -> str:
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def aware(value: datetime, settings) -> datetime:
    """A plain, timezone-aware datetime (Pelican's SafeDatetime formats slowly)."""
    plain = datetime(value.year, value.month, value.day, value.hour, value.minute,
                     value.second, value.microsecond, value.tzinfo)
    if plain.tzinfo is None:
        return plain.replace(tzinfo=ZoneInfo(settings.get("TIMEZONE") or "UTC"))
    return plain


@dataclass
class Reader:
    """Turns Pelican articles into `Post`s for one build."""

    settings: dict
    base: str
    now: datetime

    def label(self, text: str, lang: str) -> str:
        catalogs = self.settings.get("RELAIS_CATALOGS")
        return catalogs.gettext(lang, text) if catalogs else text

    def person(self, author) -> Person:
        card = self.settings.get("AUTHOR_CARD") or {}
        if card.get("name") == author.name and card.get("url"):
            return Person(author.name, absolutize_url(card["url"], self.base))
        return Person(author.name, f"{self.base}/{author.url}")

    def image(self, article) -> Image | None:
        cover = getattr(article, "cover", None)
        if not cover:
            return None
        path = Path(self.settings["PATH"]) / cover
        length = path.stat().st_size if path.is_file() else 0
        kind = mimetypes.guess_type(cover)[0] or "application/octet-stream"
        return Image(f"{self.base}/{cover}", kind, length, getattr(article, "cover_alt", "") or "")

    def post(self, article) -> Post | None:
        """The article as a feed entry without its content (see `complete`), or None (with one
        warning naming the file) if it cannot be one."""
        where = shown(article.source_path)
        title = (getattr(article, "title", "") or "").strip()
        if not title:
            log.warning("%s: no title: left out of the feeds", where)
            return None
        published = aware(article.date, self.settings)
        if published > self.now and self.settings["FEEDS_FUTURE_POSTS"] == "skip":
            log.warning("%s: dated in the future (%s): left out of the feeds until then "
                        "(FEEDS_FUTURE_POSTS)", where, published.isoformat())
            return None
        modified = getattr(article, "modified", None)
        updated = max(published, aware(modified, self.settings)) if modified else published
        url = f"{self.base}/{article.url}"
        authority = self.settings.get("FEEDS_ID_AUTHORITY")
        category = getattr(article, "category", None)
        return Post(
            id=f"tag:{authority}:{article.lang}/{article.slug}" if authority else url,
            url=url, title=title, summary="", content="",
            published=published, updated=updated, lang=article.lang,
            kind=getattr(article, "kind", "story"),
            authors=tuple(self.person(a) for a in getattr(article, "authors", ()) or ()),
            tags=tuple(t.name for t in ([category] if category else []) +
                       list(getattr(article, "tags", ()) or ())),
            image=self.image(article), source=where,
        )

    def complete(self, post: Post, article) -> Post:
        """The post with its summary and content: only done for posts that make it into a feed."""
        summary = absolutize(article.get_summary(self.base), post.url)
        content = summary if self.settings["FEEDS_CONTENT"] == "summary" else absolutize(
            article.get_content(self.base), post.url)
        return replace(post, summary=summary, content=self.cite(article) + content)

    def cite(self, article) -> str:
        """A reply's, like's… target as a link at the top of the content: readers keep it."""
        target = getattr(article, "target", None)
        if not target:
            return ""
        label = self.label(KIND_LABELS.get(target.property, "Bookmarked"), article.lang)
        name = escape(target.name or target.url)
        return (f'<p class="kind-cite">{escape(label)} <a class="u-{target.property}" '
                f'href="{escape(target.url)}">{name}</a></p>\n')


def absolutize_url(url: str, base: str) -> str:
    return url if url.startswith(("http://", "https://")) else f"{base}/{url.lstrip('/')}"


def section(item) -> Section:
    return Section(item.slug, item.name, item.url)


def follow_pages(settings) -> dict[str, str]:
    return dict(settings["FEEDS_FOLLOW_PAGES"]) or {settings["DEFAULT_LANG"]: "follow/"}


def plan_feeds(generators) -> None:
    """Plan every feed and give the theme their links (FEED_LINKS, FEED_LIST, FOLLOW_URLS)."""
    articles_generator = next((g for g in generators if hasattr(g, "translations")
                               and hasattr(g, "articles")), None)
    if articles_generator is None:
        return
    settings = articles_generator.settings
    context = articles_generator.context
    context["FOLLOW_URLS"] = follow_pages(settings)
    context["FEED_LINKS"], context["FEED_LIST"], context["RELAIS_FEED_FILES"] = {}, [], []
    base = feed_base(settings)
    if base is None:
        log.info("feeds: no absolute SITEURL or FEED_DOMAIN (development): no feed written; "
                 "`relais build --publish` writes them")
        return
    reader = Reader(settings, base, datetime.now(UTC))
    placed, article_of = [], {}
    for article, original in ([(a, True) for a in articles_generator.articles] +
                              [(a, False) for a in articles_generator.translations]):
        post = reader.post(article)
        if post is not None:
            article_of[id(post)] = article
            placed.append(Placed(
                post, original,
                section(article.category) if getattr(article, "category", None) else None,
                tuple(section(t) for t in getattr(article, "tags", ()) or ()),
                tuple(section(a) for a in getattr(article, "authors", ()) or ())))
    paths = {name: settings[f"FEEDS_{name.upper()}"]
             for name in ("all", "stories", "category", "tag", "author", "lang")}
    lang = settings["DEFAULT_LANG"]
    files = plan(placed, paths, settings["FEEDS_JSON"], settings["SITENAME"], lang,
                 lambda text: reader.label(text, lang))
    limit = settings.get("FEED_MAX_ITEMS") or None
    full: dict[int, Post] = {}
    for feed_file in files:  # only the posts that are shown get their content read
        feed_file.posts = [full.get(id(p)) or full.setdefault(id(p), reader.complete(
            p, article_of[id(p)])) for p in feed_file.posts[:limit]]
    context["RELAIS_FEED_FILES"] = files
    for feed_file in files:
        links = [{"format": FORMAT_NAMES[fmt], "type": MEDIA_TYPES[fmt], "title": feed_file.title,
                  "href": f"{base}/{path}"} for fmt, path in feed_file.paths.items()]
        context["FEED_LINKS"][feed_file.key] = links
        context["FEED_LIST"].append({"key": feed_file.key, "title": feed_file.title,
                                     "kind": feed_file.key.split(":")[0], "links": links,
                                     "count": len(feed_file.posts)})


def document(feed_file: FeedFile, settings, base: str, fmt: str) -> Feed:
    card = settings.get("AUTHOR_CARD") or {}
    owner = (Person(card["name"], absolutize_url(card["url"], base) if card.get("url") else None),
             ) if card.get("name") else ()
    return Feed(
        title=feed_file.title, home_url=f"{base}/{feed_file.home}",
        self_url=f"{base}/{feed_file.paths[fmt]}", lang=feed_file.lang,
        posts=tuple(feed_file.posts[: settings.get("FEED_MAX_ITEMS") or None]),
        subtitle=settings.get("SITESUBTITLE") or "", authors=owner,
        hub=settings.get("WEBSUB_HUB") or None,
    )


def write_feeds(generator, writer) -> None:
    """Write every planned feed, then the follow page(s)."""
    settings = generator.settings
    output = Path(settings["OUTPUT_PATH"])
    base = feed_base(settings)
    writer_xml = Writer(RSS_EXTRAS)
    render = {"atom": writer_xml.atom, "rss": writer_xml.rss, "json": json_feed}
    for feed_file in generator.context.get("RELAIS_FEED_FILES", []):
        for fmt, path in feed_file.paths.items():
            target = output / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(render[fmt](document(feed_file, settings, base, fmt)))
    write_follow_pages(generator, writer)


@dataclass(frozen=True)
class FollowPage:
    """Enough of a page for the theme: its language, URL, title and translations."""

    lang: str
    url: str
    save_as: str
    title: str
    slug: str = "follow"
    translations: tuple = ()


def write_follow_pages(generator, writer) -> None:
    settings = generator.settings
    urls = generator.context["FOLLOW_URLS"]
    catalogs = settings.get("RELAIS_CATALOGS")
    pages = [FollowPage(lang, url, f"{url}index.html",
                        catalogs.gettext(lang, "Follow this site") if catalogs else "Follow")
             for lang, url in sorted(urls.items())]
    template = generator.get_template("follow")
    for page in pages:
        page = FollowPage(**{**vars(page), "translations": tuple(p for p in pages if p != page)})
        writer.write_file(page.save_as, template, generator.context,
                          relative_urls=settings["RELATIVE_URLS"], page=page, url=page.url)
