"""The blogroll file (`content/blogroll.yaml`): the creators the owner follows, validated.

Why a YAML file in `content/`: it is written by hand, reviewed in git, and
holds what no feed reader knows (the owner's note, the relationship). Every
problem of the file is reported at once, one `file:line: where: what` line
each, like the story metadata.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import yaml

from relais import foreign
from relais.problems import ProblemLines

# XFN 1.1 relationship values (https://gmpg.org/xfn/11)
XFN = (
    "friend",
    "acquaintance",
    "contact",
    "met",
    "co-worker",
    "colleague",
    "co-resident",
    "neighbor",
    "child",
    "parent",
    "sibling",
    "spouse",
    "kin",
    "muse",
    "crush",
    "date",
    "sweetheart",
)
FIELDS = ("name", "site", "feed", "interests", "note", "rel", "groups")
# libyaml's safe loader when PyYAML has it (ten times faster on a blogroll of thousands)
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class BlogrollError(ProblemLines):
    """Problems in the blogroll file, one line each."""


@dataclass
class Creator:
    name: str
    site: str
    feed: str | None = None
    interests: list[str] = field(default_factory=list)
    note: str = ""
    rel: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return site_key(self.site)


def normalize_url(url: str) -> str:
    """A URL in one spelling for comparisons: lower-case scheme and host, no default port,
    no fragment, a path that ends with `/` when it is empty."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if parts.port and (parts.scheme, parts.port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme.lower(), host, parts.path or "/", parts.query, ""))


@lru_cache(maxsize=65536)  # the reciprocity checks ask again for the same URLs (mentions x creators)
def site_identity(url: str) -> str:
    """What makes two URLs the same creator's site: host (no `www.`, any scheme) and path."""
    parts = urlsplit(normalize_url(url))
    host = parts.netloc.removeprefix("www.")
    return host + parts.path.rstrip("/")


def belongs_to(url: str, site: str) -> bool:
    """Whether `url` is on the site `site` (same host, under its path)."""
    try:
        mine, theirs = site_identity(url), site_identity(site)
    except ValueError:
        return False
    return mine == theirs or mine.startswith(theirs + "/")


def site_key(url: str) -> str:
    """A file name for a creator's state: `jeanne-potier.example`, `127.0.0.1-8001-lou`;
    a long address is cut and completed by a hash of the whole (foreign.file_stem)."""
    key = re.sub(r"[^a-z0-9.]+", "-", site_identity(url).lower()).strip("-.") or "site"
    return foreign.file_stem(key)


def _is_url(value: Any) -> bool:
    """An absolute http(s) URL that passes the gate for foreign URLs (relais.foreign)."""
    return foreign.url(value) == value


def _words(value: Any) -> list[str] | None:
    """A list of strings from a YAML list or a comma/space separated string; None if neither."""
    if value is None:
        return []
    if isinstance(value, str):
        return [w.strip() for w in re.split(r"[,]", value) if w.strip()]
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return [str(v).strip() for v in value if str(v).strip()]
    return None


def _lines_of(text: str) -> tuple[int, list[tuple[int, dict[str, int]]]]:
    """Line numbers (1-based) of the creators list and of each item and its fields."""
    try:
        root = yaml.compose(text, Loader=LOADER)
    except yaml.YAMLError:
        return 1, []
    if not isinstance(root, yaml.MappingNode):
        return 1, []
    for key, value in root.value:
        if key.value == "creators" and isinstance(value, yaml.SequenceNode):
            items = []
            for item in value.value:
                fields = {}
                if isinstance(item, yaml.MappingNode):
                    fields = {k.value: k.start_mark.line + 1 for k, _ in item.value}
                items.append((item.start_mark.line + 1, fields))
            return key.start_mark.line + 1, items
    return 1, []


def parse_blogroll(text: str, where: str = "content/blogroll.yaml") -> list[Creator]:
    """The creators of a blogroll file's text; BlogrollError with every problem found."""
    try:
        data = yaml.load(text, Loader=LOADER) if text.strip() else {"creators": []}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        reason = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise BlogrollError([f"{where}:{line}: not valid YAML ({reason})"]) from None
    if data is None:
        data = {"creators": []}
    if not isinstance(data, dict) or not isinstance(data.get("creators", []), list):
        raise BlogrollError([f"{where}:1: expected a `creators:` list at the top"])
    unknown_top = sorted(set(data) - {"creators"})
    list_line, positions = _lines_of(text)
    problems: list[tuple[int, str]] = [
        (1, f"unknown key '{k}' (expected creators)") for k in unknown_top
    ]
    creators: list[Creator] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(data.get("creators") or []):
        item_line, field_lines = positions[index] if index < len(positions) else (list_line, {})

        def problem(
            name: str | None,
            message: str,
            _line=item_line,
            _fields=field_lines,
            _label=f"creators[{index + 1}]",
            _item=item,
        ):
            who = _item.get("name") if isinstance(_item, dict) else None
            label = f"{_label} ({who})" if isinstance(who, str) and who else _label
            where_in = f"{label}: {name}: " if name else f"{label}: "
            problems.append((_fields.get(name, _line) if name else _line, where_in + message))

        if not isinstance(item, dict):
            problem(None, "each creator is a mapping with at least name and site")
            continue
        for key in sorted(set(item) - set(FIELDS), key=str):
            problem(key, f"unknown field (expected one of: {', '.join(FIELDS)})")
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            problem("name", "a creator needs a name")
            name = ""
        site = item.get("site")
        if not _is_url(site):
            problem(
                "site",
                f"{site!r} is not an absolute http(s) URL"
                if site
                else "a creator needs a site URL",
            )
            site = None
        feed = item.get("feed")
        if feed is not None and not _is_url(feed):
            problem("feed", f"{feed!r} is not an absolute http(s) URL")
            feed = None
        note = item.get("note") or ""
        if not isinstance(note, str):
            problem("note", "must be text")
            note = ""
        lists = {}
        for list_field in ("interests", "groups", "rel"):
            value = item.get(list_field)
            if list_field == "rel" and isinstance(value, str):
                value = value.replace(",", " ").split()
            words = _words(value)
            if words is None:
                problem(list_field, "must be a list of words or a comma-separated string")
                words = []
            lists[list_field] = words
        bad_rel = [r for r in lists["rel"] if r not in XFN]
        if bad_rel:
            problem("rel", f"unknown XFN value '{bad_rel[0]}' (expected some of: {', '.join(XFN)})")
        exclusive = [r for r in lists["rel"] if r in ("friend", "acquaintance", "contact")]
        if len(exclusive) > 1:
            problem(
                "rel",
                f"XFN allows only one of friend, acquaintance, contact (got {', '.join(exclusive)})",  # noqa: E501
            )
        if site is None:
            continue
        identity = site_identity(site)
        if identity in seen:
            problem("site", f"{site} is already in the blogroll (creators[{seen[identity]}])")
            continue
        seen[identity] = index + 1
        creators.append(
            Creator(
                name=name.strip(),
                site=site,
                feed=feed,
                interests=lists["interests"],
                note=note.strip(),
                rel=lists["rel"],
                groups=lists["groups"],
            )
        )
    if problems:
        raise BlogrollError([f"{where}:{line}: {message}" for line, message in sorted(problems)])
    return creators


def load_blogroll(path: Path, where: str | None = None) -> list[Creator]:
    """The creators of the blogroll file; an absent file is an empty blogroll."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except UnicodeDecodeError:
        raise BlogrollError([f"{where or path}:1: not UTF-8 text"]) from None
    return parse_blogroll(text, where or str(path))
