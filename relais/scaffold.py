"""Write a new post file with the metadata skeleton of its kind (`relais new`)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pelican.utils import slugify

from relais.plugins.maker_stories.facts import KIND_FIELDS, is_http_url

KINDS = ("story", "note", "reply", "like", "repost", "bookmark")
TARGET_FIELD = {kind: key for key, (kind, _prop) in KIND_FIELDS.items()}
CANONICAL = {"in-reply-to": "In-Reply-To", "like-of": "Like-Of",
             "repost-of": "Repost-Of", "bookmark-of": "Bookmark-Of"}

STORY_FIELDS = """Status: idea
Materials:
Tools:
Time:
"""


class ScaffoldError(Exception):
    pass


def post_text(title: str, kind: str, target: str | None, when: datetime, settings: dict) -> str:
    category = "Atelier" if kind == "story" else settings.get("NOTES_CATEGORY", "Notes")
    lines = [
        f"Title: {title}",
        f"Date: {when:%Y-%m-%d %H:%M}",
        f"Category: {category}",
        "Tags:",
        f"Slug: {slug_of(title, settings)}",
        f"Lang: {settings['DEFAULT_LANG']}",
    ]
    if kind in TARGET_FIELD:
        lines.append(f"{CANONICAL[TARGET_FIELD[kind]]}: {target}")
        lines += ["Target-Title:", "Target-Author:"]
    text = "\n".join(lines) + "\n"
    if kind == "story":
        text += STORY_FIELDS
    return text + "\n\n"


def slug_of(title: str, settings: dict) -> str:
    return slugify(title, regex_subs=settings["SLUG_REGEX_SUBSTITUTIONS"]) or "post"


def write_post(settings: dict, title: str, kind: str, target: str | None, when: datetime) -> Path:
    """Create the post and return its path; never overwrite an existing file."""
    if not title.strip():
        raise ScaffoldError("the title is empty")
    if kind in TARGET_FIELD:
        if not target:
            raise ScaffoldError(f"a {kind} needs --of URL (the post it is about)")
        if not is_http_url(target):
            raise ScaffoldError(f"--of {target}: not an http(s) URL")
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
