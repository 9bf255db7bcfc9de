"""Which feeds a site has and which posts each holds: pure, from plain post data."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from relais.plugins.feeds.config import PelicanFeed
from relais.plugins.feeds.model import EXTENSIONS, FeedFile, Post


@dataclass(frozen=True)
class Section:
    """A category, tag or author: its slug (for paths), name (for titles), page URL."""

    slug: str
    name: str
    url: str = ""


@dataclass(frozen=True)
class Placed:
    """A post and where it belongs on the site."""

    post: Post
    original: bool  # False for a translation: it goes to its language's feed only
    category: Section | None = None
    tags: tuple[Section, ...] = ()
    authors: tuple[Section, ...] = ()
    piece: str = ""  # an available piece: the original's id (the same for its translations)


def newest_first(posts: Iterable[Post]) -> list[Post]:
    return sorted(posts, key=lambda p: (p.published, p.url), reverse=True)


def _paths(template: str, section: str, json_for: Iterable[str], **fields) -> dict[str, str]:
    formats = ["atom", "rss"] + (["json"] if section in json_for else [])
    return {fmt: template.format(ext=EXTENSIONS[fmt], **fields) for fmt in formats}


def plan(
    placed: list[Placed],
    paths: dict[str, str | None],
    json_for: Iterable[str],
    site_title: str,
    site_lang: str,
    label: Callable[..., str] = lambda text, lang=None: text,
    pieces_home: Callable[[str], str] = lambda lang: "",
) -> list[FeedFile]:
    """Every feed to write, in a stable order; empty sections get no feed.

    `paths` maps `all`, `stories`, `category`, `tag`, `author`, `lang`, `pieces` to a
    path template (or None: that feed is off). `label(text, lang)` translates a title;
    `pieces_home(lang)` is the available pieces page's URL.
    """
    json_for = tuple(json_for)
    originals = [p for p in placed if p.original]
    feeds: list[FeedFile] = []

    def add(key, section, title, feed_lang, posts, home="", fields=None):
        template = paths.get(section)
        if template and posts:
            feeds.append(FeedFile(key, title, feed_lang, newest_first(posts),
                                  _paths(template, section, json_for, **(fields or {})), home))

    add("all", "all", site_title, site_lang, [p.post for p in originals])
    stories = [p.post for p in originals if p.post.kind == "story"]
    if len(stories) < len(originals):  # a site of stories only has "all" and no twin of it
        add("stories", "stories", f"{site_title} · {label('Stories')}", site_lang, stories)
    for kind, attribute, prefix in (("category", "category", ""), ("tag", "tags", "#"),
                                    ("author", "authors", "")):
        members: dict[str, tuple[Section, list[Post]]] = {}
        for item in originals:
            value = getattr(item, attribute)
            for section in (value,) if isinstance(value, Section) else value or ():
                members.setdefault(section.slug, (section, []))[1].append(item.post)
        for slug in sorted(members):
            section, posts = members[slug]
            add(f"{kind}:{slug}", kind, f"{site_title} · {prefix}{section.name}", site_lang,
                posts, section.url, {"slug": slug})
    for lang in sorted({p.post.lang for p in placed}):
        add(f"lang:{lang}", "lang", f"{site_title} ({lang})", lang,
            [p.post for p in placed if p.post.lang == lang], fields={"lang": lang})
    for lang in sorted({site_lang} | {p.post.lang for p in placed}):
        pieces = available_in(placed, lang)
        if pieces:
            add(f"pieces:{lang}", "pieces", f"{site_title} · {label('Available pieces', lang)}",
                lang, pieces, pieces_home(lang), {"lang": lang})
    return feeds


def available_in(placed: list[Placed], lang: str) -> list[Post]:
    """The available pieces as the pieces page in `lang` shows them: each in `lang` when it
    was translated, else as written."""
    versions: dict[str, list[Placed]] = {}
    for item in placed:
        if item.piece:
            versions.setdefault(item.piece, []).append(item)
    return [next((v for v in items if v.post.lang == lang),
                 next((v for v in items if v.original), items[0])).post
            for items in versions.values()]


def plan_pelican(placed: list[Placed], feeds: Iterable[PelicanFeed], site_title: str,
                 site_lang: str) -> tuple[list[FeedFile], list[str]]:
    """The feeds Pelican's own settings name, holding what Pelican put in each: returns them
    (not listed on the follow page: they stay where subscribers have them) and a problem line
    for each path two of them would both write (the first keeps it, as Pelican would fail)."""
    by_key: dict[str, FeedFile] = {}
    owner: dict[str, str] = {}
    problems: list[str] = []
    originals = [p.post for p in placed if p.original]
    for feed in feeds:
        groups: list[tuple[str, str, str, list[Post], dict]] = []  # key, title, lang, posts, fields
        if feed.holds == "articles":
            groups.append(("articles", site_title, site_lang, originals, {}))
        elif feed.holds == "all":
            groups.append(("all", site_title, site_lang, [p.post for p in placed], {}))
        elif feed.holds == "lang":
            for lang in sorted({p.post.lang for p in placed}):
                groups.append((f"lang:{lang}", f"{site_title} ({lang})", lang,
                               [p.post for p in placed if p.post.lang == lang], {"lang": lang}))
        else:
            attribute = {"category": "category", "author": "authors", "tag": "tags"}[feed.holds]
            members: dict[str, tuple[Section, list[Post]]] = {}
            for item in (p for p in placed if p.original):
                value = getattr(item, attribute)
                for section in (value,) if isinstance(value, Section) else value or ():
                    members.setdefault(section.slug, (section, []))[1].append(item.post)
            for slug in sorted(members):
                section, posts = members[slug]
                groups.append((f"{feed.holds}:{slug}", f"{site_title} · {section.name}", site_lang,
                               posts, {"slug": slug}))
        for key, title, lang, posts, fields in groups:
            path = feed.path.format(**fields)
            if path in owner and owner[path] != f"pelican:{key}":
                problems.append(f"setting {feed.setting}: {path} is also written for "
                                f"{owner[path].removeprefix('pelican:')}; kept for that one")
                continue
            owner[path] = f"pelican:{key}"
            feed_file = by_key.setdefault(key, FeedFile(f"pelican:{key}", title, lang,
                                                        newest_first(posts), listed=False))
            feed_file.paths[feed.format] = path
            feed_file.urls[feed.format] = feed.url.format(**fields)
    return list(by_key.values()), problems


def without_paths(files: list[FeedFile], taken: set[str]) -> list[FeedFile]:
    """`files` without the formats whose path is in `taken` (a Pelican feed already there)."""
    kept = []
    for feed_file in files:
        feed_file.paths = {fmt: path for fmt, path in feed_file.paths.items() if path not in taken}
        if feed_file.paths:
            kept.append(feed_file)
    return kept
