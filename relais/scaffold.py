"""Write a new post file with the metadata skeleton of its kind (`relais new`).

Every field the kind can have is written, empty when it has no sensible
default (an empty field counts as absent), and explained below the metadata
in Markdown comments (`[//]: # "..."`), which show nowhere on the site.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

from pelican.utils import slugify

from relais.plugins.maker_stories.facts import KIND_FIELDS, url_problem

KINDS = ("story", "note", "reply", "like", "repost", "bookmark")
TARGET_FIELD = {kind: key for key, (kind, _prop) in KIND_FIELDS.items()}
CANONICAL = {"in-reply-to": "In-Reply-To", "like-of": "Like-Of",
             "repost-of": "Repost-Of", "bookmark-of": "Bookmark-Of"}
SLUG_LENGTH = 60

# (field, what to write in it) for the comments; every kind has the common ones.
COMMON = (
    ("Tags", "words separated by commas, e.g. grès, émail"),
    ("Slug", "the end of the post's address; keep it once published"),
    ("Lang", "the language code (fr, en...); a translation has the same Slug and its own Lang"),
    ("Summary", "one or two sentences for lists and feeds; empty: the start of the text"),
)
STORY = (
    ("Status", "idea, in progress, finished or available"),
    ("Series", "the name of the series the story belongs to"),
    ("Part", "its number in the series, from 1 (needed with Series)"),
    ("Materials", "what it is made of, separated by ; e.g. grès chamotté; émail céladon"),
    ("Tools", "what it was made with, separated by ;"),
    ("Time", "time spent, in your words, e.g. 14 h or 3 soirées"),
    ("Collaborators", "people to credit: Name <https://their.site/>; Other <https://...>"),
    ("Cover", "an image under content/ (e.g. images/pot.svg) or an https URL"),
    ("Cover_alt", "what the cover shows, for those who cannot see it (needed with Cover)"),
)
TARGET = (
    ("Target-Title", "the title of the post you answer, like, repost or bookmark"),
    ("Target-Author", "its author's name"),
)
DEFAULTS = {"Status": "idea"}


class ScaffoldError(Exception):
    pass


def fields_of(kind: str) -> tuple[tuple[str, str], ...]:
    if kind == "story":
        return COMMON + STORY
    if kind in TARGET_FIELD:
        name = CANONICAL[TARGET_FIELD[kind]]
        return ((name, f"the URL of the post this {kind} is about"), *COMMON, *TARGET)
    return COMMON


def post_text(title: str, kind: str, target: str | None, when: datetime, settings: dict) -> str:
    category = "Atelier" if kind == "story" else settings.get("NOTES_CATEGORY", "Notes")
    values = {"Slug": slug_of(title, settings), "Lang": settings["DEFAULT_LANG"], **DEFAULTS}
    if kind in TARGET_FIELD:
        values[CANONICAL[TARGET_FIELD[kind]]] = target
    fields = fields_of(kind)
    lines = [f"Title: {title}", f"Date: {when:%Y-%m-%d %H:%M}", f"Category: {category}"]
    lines += [f"{name}: {values.get(name, '')}".rstrip() for name, _what in fields]
    notes = [f'[//]: # "{name}: {what}"' for name, what in fields]
    notes.append('[//]: # "An empty field counts as absent. These [//] lines show nowhere; '
                 'delete them when you like. Fields: docs/writing.md"')
    return "\n".join(lines) + "\n\n" + "\n".join(notes) + "\n\n"


def slug_of(title: str, settings: dict) -> str:
    """A slug from any title: Pelican's, cut at a word; from the title's digest when Pelican's
    would be empty (a title of `???`, or in a script the slug cannot keep)."""
    slug = slugify(title, regex_subs=settings["SLUG_REGEX_SUBSTITUTIONS"],
                   preserve_case=settings.get("SLUGIFY_PRESERVE_CASE", False),
                   use_unicode=settings.get("SLUGIFY_USE_UNICODE", False))
    if len(slug) > SLUG_LENGTH:
        slug = slug[:SLUG_LENGTH].rsplit("-", 1)[0] or slug[:SLUG_LENGTH]
    slug = slug.strip("-")
    if not slug:
        slug = "post-" + hashlib.blake2b(title.encode("utf-8"), digest_size=4).hexdigest()
    return slug


def check_title(title: str) -> str:
    title = title.strip()
    if not title:
        raise ScaffoldError("the title is empty")
    if any(char in title for char in "\r\n"):
        raise ScaffoldError("the title is on one line (a line break would end the metadata)")
    return title


def write_post(settings: dict, title: str, kind: str, target: str | None, when: datetime) -> Path:
    """Create the post and return its path; never overwrite an existing file."""
    title = check_title(title)
    if kind in TARGET_FIELD:
        if not target:
            raise ScaffoldError(f"a {kind} needs --of URL (the post it is about)")
        problem = url_problem(target)
        if problem:
            raise ScaffoldError(f"--of {target}: not an http(s) URL: {problem}")
    elif target:
        raise ScaffoldError(f"--of is for replies, likes, reposts and bookmarks, not a {kind}")
    folder = Path(settings["PATH"]) / (settings.get("ARTICLE_PATHS") or [""])[0]
    path = folder / f"{when:%Y-%m-%d}-{slug_of(title, settings)}.md"
    if path.exists():
        raise ScaffoldError(f"{path}: already exists, not overwritten")
    folder.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:
        handle.write(post_text(title, kind, target, when, settings))
    return path
