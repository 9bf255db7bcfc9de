"""Read a post's maker metadata into plain facts, listing every problem found.

Pure: takes Pelican's metadata dict (lower-cased keys) and returns the facts
and the problems as (field, message) pairs; nothing here imports Pelican.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from relais.plugins.maker_stories.pieces import PIECE_FIELDS, Piece, read_piece

from relais.problems import field_line

MAKER_STATUSES = ("idea", "in-progress", "finished", "available")
PELICAN_STATUSES = ("published", "draft", "hidden", "skip")

# metadata key -> (kind, microformats2 property)
KIND_FIELDS = {
    "in-reply-to": ("reply", "in-reply-to"),
    "like-of": ("like", "like-of"),
    "repost-of": ("repost", "repost-of"),
    "bookmark-of": ("bookmark", "bookmark-of"),
}

# how each field is written in the docs, for messages
FIELD_NAMES = {
    "status": "Status",
    "maker_status": "Status",
    "series": "Series",
    "part": "Part",
    "series_index": "series_index",
    "materials": "Materials",
    "tools": "Tools",
    "time": "Time",
    "collaborators": "Collaborators",
    "cover": "Cover",
    "cover_alt": "Cover_alt",
    "photos": "Photos",
    "in-reply-to": "In-Reply-To",
    "like-of": "Like-Of",
    "repost-of": "Repost-Of",
    "bookmark-of": "Bookmark-Of",
    "target-title": "Target-Title",
    "target-author": "Target-Author",
    **PIECE_FIELDS,
}

# where to point when a field is missing: the field that asked for it
ANCHORS = {"Cover_alt": "Cover", "Part": "Series"}

COLLABORATOR = re.compile(r"^(?P<name>[^<>]+?)\s*<(?P<url>[^<>\s]+)>$")


@dataclass(frozen=True)
class Collaborator:
    name: str
    url: str


@dataclass(frozen=True)
class Photo:
    """One picture of the piece's gallery: a path under the content folder (or an http(s)
    URL) and what it shows."""

    path: str
    alt: str


@dataclass(frozen=True)
class Target:
    """The post that a reply, like, repost or bookmark is about."""

    url: str
    property: str
    name: str | None = None
    author: str | None = None


@dataclass
class StoryFacts:
    kind: str = "story"
    target: Target | None = None
    maker_status: str | None = None
    materials: list[str] = field(default_factory=list)
    tools: list[str] = field(default_factory=list)
    time_spent: str | None = None
    collaborators: list[Collaborator] = field(default_factory=list)
    cover: str | None = None
    cover_alt: str | None = None
    photos: list[Photo] = field(default_factory=list)  # the gallery (Photos)
    series: str | None = None
    part: int | None = None
    piece: Piece | None = None  # Price, Dimensions, Availability, Quantity (pieces.py)


Problems = list[tuple[str, ...]]  # (field, message) or (field, message, text of its line)


def normalise_status(value: str) -> str:
    return re.sub(r"[\s_]+", "-", value.strip().lower())


def split_status(metadata: dict[str, Any]) -> None:
    """Move a maker status (idea, in progress, …) out of Pelican's `status`.

    Pelican uses `Status` for publishing (published/draft/hidden); any other
    value is ours, kept in `maker_status` and checked later.
    """
    status = metadata.get("status")
    if isinstance(status, str) and normalise_status(status) not in PELICAN_STATUSES:
        metadata["maker_status"] = status
        del metadata["status"]


HOST = re.compile(r"[\w-]+(\.[\w-]+)*\.?|\[[0-9A-Fa-f:.]+\]")
# a space of any kind (str.isspace's, which `\s` matches in a str pattern) or a control character
SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f]")


def url_problem(value: str) -> str | None:
    """Why `value` is not an absolute http(s) URL someone could follow, or None."""
    if not value:
        return "empty"
    if SPACE_OR_CONTROL.search(value):
        return "it contains a space or a line break (write a space in a path as %20)"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        return "it is not a well-formed URL"
    if parts.scheme not in ("http", "https"):
        return "it must start with http:// or https://"
    host = parts.netloc.rpartition("@")[2]
    host = host[: host.find("]") + 1] if host.startswith("[") else host.rsplit(":", 1)[0]
    if not parts.hostname or not HOST.fullmatch(host):
        return "it has no valid host name"
    return None


def is_http_url(value: str) -> bool:
    return url_problem(value) is None


def text_list(value: Any) -> list[str]:
    return [item.strip() for item in str(value).split(";") if item.strip()]


def read_facts(
    metadata: Mapping[str, Any],
    *,
    category: str | None,
    notes_category: str,
    file_exists: Callable[[str], bool],
) -> tuple[StoryFacts, Problems]:
    """The maker facts of one post and every problem in its metadata."""
    facts = StoryFacts()
    problems: Problems = []

    def problem(key: str, message: str) -> None:
        problems.append((FIELD_NAMES.get(key, key), message))

    status = metadata.get("maker_status")
    if status is not None:
        normalised = normalise_status(str(status))
        if normalised in MAKER_STATUSES:
            facts.maker_status = normalised
        else:
            expected = ", ".join(s.replace("-", " ") for s in MAKER_STATUSES)
            problem("status", f"unknown status '{status}' (expected one of: {expected})")

    facts.piece, found = read_piece(metadata, facts.maker_status)
    problems.extend(found)
    if facts.piece and not facts.piece.is_available:
        facts.maker_status = "sold"  # shown wherever the status is: the piece stays, marked sold

    kinds = [key for key in KIND_FIELDS if metadata.get(key)]
    for key in kinds:
        url = str(metadata[key]).strip()
        if not is_http_url(url):
            problem(key, f"'{url}' is not an http(s) URL")
    if len(kinds) > 1:
        problem(kinds[1], f"a post is one kind only: it already has {FIELD_NAMES[kinds[0]]}")
    if kinds:
        kind, prop = KIND_FIELDS[kinds[0]]
        facts.kind = kind
        facts.target = Target(
            url=str(metadata[kinds[0]]).strip(),
            property=prop,
            name=metadata.get("target-title") or None,
            author=metadata.get("target-author") or None,
        )
    elif category and category == notes_category:
        facts.kind = "note"

    facts.materials = text_list(metadata.get("materials", ""))
    facts.tools = text_list(metadata.get("tools", ""))
    facts.time_spent = str(metadata["time"]).strip() if metadata.get("time") else None

    for entry in text_list(metadata.get("collaborators", "")):
        match = COLLABORATOR.match(entry)
        if not match:
            problem("collaborators", f"'{entry}' should be written 'Name <https://url>'")
        elif not is_http_url(match["url"]):
            problem("collaborators", f"'{match['url']}' is not an http(s) URL")
        else:
            facts.collaborators.append(Collaborator(match["name"].strip(), match["url"]))

    cover = str(metadata.get("cover") or "").strip()
    cover_alt = str(metadata.get("cover_alt") or "").strip()
    if cover:
        if not is_http_url(cover):  # a picture elsewhere is shown from there
            cover = cover.removeprefix("{static}").lstrip("/")
            if not file_exists(cover):
                problem("cover", f"no such file '{cover}' under the content folder (give its "
                        "path there, e.g. images/x.jpg, or an http(s) URL)")
        if not cover_alt:
            problem("cover_alt", "a cover needs a text alternative (Cover_alt)")
        facts.cover, facts.cover_alt = cover, cover_alt or None
    elif cover_alt:
        problem("cover_alt", "text alternative given but no Cover")

    facts.photos, found = read_photos(metadata.get("photos"), file_exists)
    problems.extend(found)

    series = str(metadata.get("series") or "").strip()
    part, key = _part(metadata)
    if part is not None and str(part).strip() == "":
        part = None
    if series:
        facts.series = series
        if part is None:
            pass  # placed by date after the numbered parts, as the pelican-series plugin does
        elif not str(part).strip().isdigit() or int(str(part).strip()) < 1:
            problem(key, f"'{part}' is not a part number (a whole number from 1)")
        else:
            facts.part = int(str(part).strip())
    elif part is not None:
        problem(key, f"a {FIELD_NAMES[key]} number needs a Series")

    return facts, problems


def photo_lines(value: Any) -> list[str]:
    """The lines of a `Photos` field: Markdown gives a list (a line each), reST one text."""
    if value is None:
        return []
    items = value if isinstance(value, list | tuple) else str(value).splitlines()
    return [line.strip() for item in items for line in str(item).splitlines() if line.strip()]


def read_photos(value: Any, file_exists: Callable[[str], bool]) -> tuple[list[Photo], Problems]:
    """`Photos`: one photo a line, `path | what it shows`, the next lines indented:

        Photos: images/bol-dessus.jpg | Le bol vu de dessus, l'émail céladon
            images/bol-pied.jpg | Le pied du bol, grès brut

    Each problem names the line's own text, so that it is reported at that line."""
    photos: list[Photo] = []
    problems: Problems = []
    for line in photo_lines(value):
        path, bar, alt = (part.strip() for part in line.partition("|"))
        shown = path or line
        if not bar or not alt:
            problems.append(("Photos", f"'{shown}' needs a text alternative: write "
                             f"'{shown} | what the photo shows'", line))
            continue
        if not is_http_url(path):
            path = path.removeprefix("{static}").lstrip("/")
            if not path or not file_exists(path):
                problems.append(("Photos", f"no such file '{path}' under the content folder "
                                 "(give its path there, e.g. images/x.jpg, or an http(s) URL)",
                                 line))
                continue
        photos.append(Photo(path, alt))
    return photos, problems


def is_maker_story(facts: StoryFacts) -> bool:
    """A story with a workshop sheet (status, materials, tools or time), not just a post."""
    return facts.kind == "story" and bool(facts.maker_status or facts.materials or facts.tools
                                          or facts.time_spent or facts.piece)


def _part(metadata: Mapping[str, Any]) -> tuple[Any, str]:
    """The part number and the field that gave it: `Part`, or `series_index` (the
    pelican-series plugin's name for it)."""
    if metadata.get("part") is None and metadata.get("series_index") is not None:
        return metadata["series_index"], "series_index"
    return metadata.get("part"), "part"


def reading_minutes(html: str, words_per_minute: int) -> int:
    """Whole minutes to read the text of an HTML fragment, at least one."""
    words = len(re.findall(r"\w+", re.sub(r"<[^>]*>", " ", html)))
    return max(1, -(-words // words_per_minute))


def source_line(text: str, field_name: str) -> int:
    """The line of `field_name:` (or of the field that asked for it) in a post's source; else 1."""
    return field_line(text, (field_name, ANCHORS.get(field_name))) or 1


def path_exists_under(root: Path) -> Callable[[str], bool]:
    return lambda relative: (root / relative).is_file()
