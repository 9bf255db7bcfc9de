"""Pelican glue: read the published posts into plain `Post`s, plan the feeds, write them.

Runs in steps: `take_over` (initialized: the settings checked, Pelican's own feed
writer left out where this plugin writes its feeds instead), `plan_feeds` (all
generators finalized, before any page is written, so the theme knows every
feed's URL; each post only as far as planning needs it) and `write_feeds` (after
the articles are written, in the build's own process: the entries made whole,
then the files).
"""

from __future__ import annotations

import functools
import logging
import mimetypes
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from html import escape
from zoneinfo import ZoneInfo

from lxml import etree
from markupsafe import Markup
from relais.plugins.feeds import card
from relais.plugins.feeds.card import STATUS_NAMES
from relais.plugins.feeds.config import Config, config
from relais.plugins.feeds.ids import entry_id, rss_guid
from relais.plugins.feeds.jsonfeed import JsonWriter
from relais.plugins.feeds.model import MEDIA_TYPES, Feed, FeedFile, Image, Person, Post
from relais.plugins.feeds.plan import Placed, Section, plan, plan_pelican, without_paths
from relais.plugins.feeds.urls import absolutize
from relais.plugins.feeds.xmlfeeds import ChannelExtra, Writer
from relais.plugins.maker_stories.config import pieces_page_url
from relais.plugins.maker_stories.pieces import price_text

from relais import signals as relais_signals
from relais import writing
from relais.i18n import bcp47
from relais.templates import plugin_template, use_default_templates

log = logging.getLogger("relais.plugins.feeds")

FORMAT_NAMES = {"atom": "Atom", "rss": "RSS", "json": "JSON Feed"}
# a feed's `<link rel="alternate">` in the pages' <head> (FEED_LINK_TAGS): made once per build
LINK_TAG = Markup('<link rel="alternate" type="{type}" title="{title} ({format})" '
                  'href="{href}">')
KIND_LABELS = {"in-reply-to": "In reply to", "like-of": "Liked",
               "repost-of": "Reposted", "bookmark-of": "Bookmarked"}


def take_over(pelican) -> None:
    """Check the settings before any file is read; the feeds Pelican's own settings name are
    written by this plugin (FEEDS_PELICAN_FEEDS), so Pelican's writer is left out for them."""
    settings = pelican.settings
    for feed in config(settings).pelican_feeds:
        settings[feed.setting] = None  # templates still see the value: see `show_settings`


def show_settings(generator) -> None:
    """Templates see Pelican's feed settings as the site wrote them (a theme may link them);
    our plugin templates are found when the theme has none."""
    use_default_templates(generator, __file__)
    for feed in config(generator.settings).pelican_feeds:
        generator.context[feed.setting] = feed.path


def shown(path: str) -> str:
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def aware(value: datetime, timezone: str) -> datetime:
    """A plain, timezone-aware datetime (Pelican's SafeDatetime formats slowly)."""
    plain = datetime(value.year, value.month, value.day, value.hour, value.minute,
                     value.second, value.microsecond, value.tzinfo)
    if plain.tzinfo is None:
        return plain.replace(tzinfo=ZoneInfo(timezone))
    return plain


def absolutize_url(url: str, base: str) -> str:
    return url if url.startswith(("http://", "https://")) else f"{base}/{url.lstrip('/')}"


@dataclass
class Reader:
    """Turns Pelican articles into `Post`s for one build."""

    config: Config
    base: str
    now: datetime

    def person(self, author) -> Person:
        card = self.config.site.card_for(author.name, author.url)
        return Person(card.name, absolutize_url(card.url, self.base))

    def image(self, article) -> Image | None:
        cover = getattr(article, "cover", None)
        if not cover:
            return None
        if cover.startswith(("http://", "https://")):
            kind = mimetypes.guess_type(cover.split("?")[0])[0] or "image/jpeg"
            return Image(cover, kind, 0, getattr(article, "cover_alt", "") or "")
        published = self.config.output_path / cover  # as published (the images plugin resizes)
        path = published if published.is_file() else self.config.content_path / cover
        length = path.stat().st_size if path.is_file() else 0
        kind = mimetypes.guess_type(cover)[0] or "application/octet-stream"
        return Image(f"{self.base}/{cover}", kind, length, getattr(article, "cover_alt", "") or "")

    def post(self, article) -> Post | None:
        """The article as far as planning needs it (see `complete` for the rest), or None (with
        one warning naming the file) if it cannot be a feed entry."""
        title = (getattr(article, "title", "") or "").strip()
        if not title:
            log.warning("%s: no title: left out of the feeds", shown(article.source_path))
            return None
        published = aware(article.date, self.config.timezone)
        if published > self.now and self.config.future_posts == "skip":
            log.warning("%s: dated in the future (%s): left out of the feeds until then "
                        "(FEEDS_FUTURE_POSTS)", shown(article.source_path), published.isoformat())
            return None
        modified = getattr(article, "modified", None)
        updated = max(published, aware(modified, self.config.timezone)) if modified else published
        return Post(id="", url=f"{self.base}/{article.url}", title=title, summary="", content="",
                    published=published, updated=updated, lang=article.lang,
                    kind=getattr(article, "kind", "story"))

    def complete(self, post: Post, article) -> Post:
        """The whole entry: ids, authors, categories, cover, summary and content; only done
        for the posts a feed shows."""
        authority = self.config.id_authority
        post_id = entry_id(authority, permalink=post.url,
                           site_url=self.config.site.url or self.base, url=article.url,
                           lang=article.lang, slug=article.slug, published=article.date)
        guid, guid_is_permalink = rss_guid(authority, post_id=post_id, permalink=post.url,
                                           published=article.date,
                                           permalink_until=self.config.permalink_guids_until)
        category = getattr(article, "category", None)
        image = self.image(article)
        summary = absolutize(article.get_summary(self.base), post.url)
        content = summary if self.config.content == "summary" else absolutize(
            article.get_content(self.base), post.url)
        lead = card.cover_html(image) + card.card_html(self.piece_rows(article))
        photos = card.gallery_html([(absolutize_url(photo.path, self.base), photo.alt)
                                    for photo in getattr(article, "photos", None) or ()])
        return replace(
            post, id=post_id, guid=guid, guid_is_permalink=guid_is_permalink,
            authors=tuple(self.person(a) for a in getattr(article, "authors", ()) or ()),
            tags=tuple(t.name for t in ([category] if category else []) +
                       list(getattr(article, "tags", ()) or ())),
            image=image, summary=summary, content=self.cite(article) + lead + content + photos)

    def piece_rows(self, article) -> list[tuple[str, str]]:
        """The story's card as (label, HTML) rows in its language (maker_stories' facts)."""
        lang = article.lang

        def label(text):
            return self.config.site.label(text, lang)

        rows = []
        status = getattr(article, "maker_status", None)
        if status:
            rows.append((label("Status"), escape(label(STATUS_NAMES.get(status, status)))))
        piece = getattr(article, "piece", None)
        if piece and piece.price and piece.is_available:
            rows.append((label("Price"), escape(price_text(piece, lang))))
        if piece and piece.dimensions:
            rows.append((label("Dimensions"), escape(piece.dimensions)))
        if getattr(article, "materials", None):
            rows.append((label("Materials"), escape(", ".join(article.materials))))
        if getattr(article, "collaborators", None):
            rows.append((label("With"), card.links(article.collaborators)))
        return rows

    def cite(self, article) -> str:
        """A reply's, like's… target as a link at the top of the content: readers keep it."""
        target = getattr(article, "target", None)
        if not target:
            return ""
        label = self.config.site.label(KIND_LABELS.get(target.property, "Bookmarked"), article.lang)
        name = escape(target.name or target.url)
        return (f'<p class="kind-cite">{escape(label)} <a class="u-{target.property}" '
                f'href="{escape(target.url)}">{name}</a></p>\n')


def sections() -> Callable[[object], Section]:
    """A category, tag or author as a `Section`, made once for each one (every post has its
    own copies of its tags; their URL is slow to make)."""
    made: dict[tuple, Section] = {}

    def section(item) -> Section:
        key = (type(item), item.name, item.slug)
        found = made.get(key)
        if found is None:
            found = made[key] = Section(item.slug, item.name, item.url)
        return found

    return section


def articles_generator_of(generators):
    return next((g for g in generators if hasattr(g, "translations") and hasattr(g, "articles")),
                None)


def piece_key(article, originals: set[int]) -> str:
    """For an available piece (maker_stories' `piece`), the id of its original, which its
    translations share; "" for any other post."""
    piece = getattr(article, "piece", None)
    if piece is None or not piece.is_available:
        return ""
    if id(article) in originals:
        return str(id(article))
    return next((str(id(o)) for o in getattr(article, "translations", ()) if id(o) in originals),
                str(id(article)))


@dataclass
class Planned:
    """This build's feeds as planned, each post as far as planning needs it: `files` makes
    the entries whole, once per post, for the writing (after the build's other processes
    have forked: their pages need none of it)."""

    planned: list[FeedFile]
    reader: Reader
    articles: dict[int, object]  # id(post) -> its article

    @functools.cached_property
    def files(self) -> list[FeedFile]:
        whole: dict[int, Post] = {}
        for feed_file in self.planned:
            feed_file.posts = [whole.get(id(p)) or whole.setdefault(
                id(p), self.reader.complete(p, self.articles[id(p)])) for p in feed_file.posts]
        return self.planned


def plan_feeds(generators) -> None:
    """Plan every feed and give the theme their links (FEED_LINKS, FEED_LINK_TAGS, FEED_LIST,
    FOLLOW_URLS)."""
    articles_generator = articles_generator_of(generators)
    if articles_generator is None:
        return
    cfg = config(articles_generator.settings)
    context = articles_generator.context
    context["FOLLOW_URLS"] = dict(cfg.follow_pages)
    context["FEED_LINKS"], context["FEED_LIST"], context["RELAIS_FEED_FILES"] = {}, [], None
    context["FEED_LINK_TAGS"] = {}
    if cfg.base is None:
        log.info("no feeds written: this development build has no absolute SITEURL or "
                 "FEED_DOMAIN; `relais build --publish` writes them")
        return
    reader = Reader(cfg, cfg.base, datetime.now(UTC))
    placed, article_of = [], {}
    originals = {id(a) for a in articles_generator.articles}
    section = sections()
    for article, original in ([(a, True) for a in articles_generator.articles] +
                              [(a, False) for a in articles_generator.translations]):
        post = reader.post(article)
        if post is not None:
            article_of[id(post)] = article
            placed.append(Placed(
                post, original,
                section(article.category) if getattr(article, "category", None) else None,
                tuple(section(t) for t in getattr(article, "tags", ()) or ()),
                tuple(section(a) for a in getattr(article, "authors", ()) or ()),
                piece_key(article, originals)))
    lang = cfg.site.lang
    files = plan(placed, cfg.paths, cfg.json_for, cfg.site.name, lang, cfg.site.label,
                 lambda page_lang: pieces_page_url(articles_generator.settings, page_lang))
    if cfg.pelican_feeds:
        kept, problems = plan_pelican(placed, cfg.pelican_feeds, cfg.site.name, lang)
        for problem in problems:
            log.warning("feeds: %s", problem)
        files = kept + without_paths(files, {p for f in kept for p in f.paths.values()})
    for feed_file in files:
        feed_file.posts = feed_file.posts[:cfg.max_items]
    context["RELAIS_FEED_FILES"] = Planned(files, reader, article_of)
    for feed_file in (f for f in files if f.listed):
        links = [{"format": FORMAT_NAMES[fmt], "type": MEDIA_TYPES[fmt], "title": feed_file.title,
                  "href": f"{cfg.base}/{feed_file.url(fmt)}"} for fmt in feed_file.paths]
        context["FEED_LINKS"][feed_file.key] = links
        context["FEED_LINK_TAGS"][feed_file.key] = Markup("").join(LINK_TAG.format(**link)
                                                                   for link in links)
        context["FEED_LIST"].append({"key": feed_file.key, "title": feed_file.title,
                                     "lang": feed_file.lang,
                                     "kind": feed_file.key.split(":")[0], "links": links,
                                     "count": len(feed_file.posts)})


def document(feed_file: FeedFile, cfg: Config, fmt: str) -> Feed:
    owner = cfg.site.owner
    authors = (Person(owner.name, absolutize_url(owner.url, cfg.base)),) if owner.name else ()
    return Feed(
        title=feed_file.title, home_url=f"{cfg.base}/{feed_file.home}",
        self_url=f"{cfg.base}/{feed_file.url(fmt)}", lang=bcp47(feed_file.lang),
        posts=tuple(feed_file.posts[:cfg.max_items]),
        subtitle=cfg.subtitle, authors=authors, hub=cfg.hub,
    )


def channel_extras(generator, base: str) -> list[ChannelExtra]:
    """What other plugins add to every RSS channel (the `rss_channel` hook)."""
    extras = []
    for element in relais_signals.rss_channel.send(settings=generator.settings,
                                                   context=generator.context, base=base):
        def add(channel, element=element):
            etree.SubElement(channel, f"{{{element.namespace}}}{element.name}").text = element.text

        extras.append(ChannelExtra(add, {element.prefix: element.namespace}))
    return extras


def write_feeds(generator, writer) -> None:
    """Write every planned feed, then the follow page(s)."""
    cfg = config(generator.settings)
    planned = generator.context.get("RELAIS_FEED_FILES")
    if planned and not writing.is_helper():  # the build's own process writes the feeds
        files = planned.files
        writer_xml = Writer(channel_extras(generator, cfg.base))
        render = {"atom": writer_xml.atom, "rss": writer_xml.rss, "json": JsonWriter().json}
        for feed_file in files:
            for fmt, path in feed_file.paths.items():
                target = cfg.output_path / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(render[fmt](document(feed_file, cfg, fmt)))
    write_follow_pages(generator, writer, cfg)


@dataclass(frozen=True)
class FollowPage:
    """Enough of a page for the theme: its language, URL, title and translations."""

    lang: str
    url: str
    save_as: str
    title: str
    slug: str = "follow"
    translations: tuple = ()


def write_follow_pages(generator, writer, cfg: Config) -> None:
    urls = generator.context["FOLLOW_URLS"]
    pages = [FollowPage(lang, url, f"{url}index.html", cfg.site.label("Follow this site", lang))
             for lang, url in sorted(urls.items())]
    template = plugin_template(generator, "follow", "the feeds plugin's follow page")
    for page in pages:
        page = FollowPage(**{**vars(page), "translations": tuple(p for p in pages if p != page)})
        writer.write_file(page.save_as, template, generator.context,
                          relative_urls=cfg.relative_urls, page=page, url=page.url)
