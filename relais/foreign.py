"""The one gate for what other sites send us: URLs and text.

Every URL and every string that came from outside (feeds, OPML files,
h-cards, JF2 items, source pages, discovery candidates) goes through
`url()` or `text()` before it is stored in `data/` or `content/`, and again
when stored data is read (the files are committed, may be edited by hand,
or were written by an older version). What passes is safe to store and,
escaped by the templates as every value is, safe to show:

- `url()`: an absolute `http`/`https` URL with a host, at most
  `MAX_URL_LENGTH` characters, no user name or password, no quote, space,
  angle bracket, backslash, backtick or control character; else None.
- `text()`: one line of plain text (whitespace collapsed), without control
  or bidirectional-override characters, cut at a word before `limit`
  characters; a `<` that could open a tag becomes `‹`, so the result is
  never markup, even if some code forgot to escape it.
- `html()`: a stranger's HTML (a reply's content) cut down to a small
  allow-list with nh3: text formatting, lists, quotes, code and links, no
  attribute but an absolute http(s) `href` (every link `rel="nofollow ugc"`);
  script, style, SVG, MathML, frames and forms dropped with what they hold.
- `file_stem()`: a file name made from a foreign string stays short enough
  for any file system (a hash past `FILE_STEM_CHARS`).
- `printable()`: foreign text for the owner's terminal: no escape
  sequences or other control characters (they could rewrite the screen or
  the window title); `cell()` wraps it for a Rich table, where it is not
  read as Rich markup either.

docs/security.md lists where each is applied.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

MAX_URL_LENGTH = 2048
NAME_CHARS = 200       # a person's or a site's name, a post's title
NOTE_CHARS = 1000      # a note, a description
TAG_CHARS = 80         # a tag, a folder
FILE_STEM_CHARS = 100  # a file name made from a foreign string (file systems allow 255 bytes)
SCHEMES = ("http", "https")
ALLOWED_TAGS = {"a", "p", "br", "em", "strong", "b", "i", "blockquote", "code", "pre",
                "ul", "ol", "li", "q", "s"}
DROPPED_WITH_CONTENT = {"script", "style", "svg", "math", "iframe", "object", "template",
                        "noscript", "textarea", "title"}
OUTSIDE_REL = "nofollow ugc"

# C0 and C1 controls, DEL, and the bidirectional embeddings, overrides and isolates
# (U+202A-U+202E, U+2066-U+2069) that can make text read differently from what it is.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
CONTROL_KEEPING_NEWLINES = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
UNSAFE_IN_URL = re.compile("[\\s\"'<>\\\\`\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
TAG_START = re.compile(r"<(?=[A-Za-z/!?])")


def url(value, base: str | None = None) -> str | None:
    """`value` (resolved against `base` when given) if it is a safe absolute http(s) URL."""
    if not isinstance(value, str) or not isinstance(base, str | None):
        return None
    return _url(value, base)


@lru_cache(maxsize=16384)  # the same authors, sites and feeds come back again and again
def _url(value: str, base: str | None) -> str | None:
    value = value.strip()
    if not value or len(value) > MAX_URL_LENGTH:
        return None
    if base:
        try:
            value = urljoin(base, value)
        except ValueError:
            return None
    if len(value) > MAX_URL_LENGTH or UNSAFE_IN_URL.search(value):
        return None
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        return None
    if parts.scheme.lower() not in SCHEMES or not parts.hostname or "@" in parts.netloc:
        return None
    return value


def html(value, base: str) -> str:
    """`value` (HTML from `base`) cut down to the allow-list, links absolute, http(s) only and
    marked as outside; "" for a non-string."""
    if not isinstance(value, str) or not value.strip():
        return ""
    import nh3  # here: the build's other modules never need it

    def keep(tag, attribute, found):
        if attribute == "href":
            return url(found, base)
        return found  # only what the allow-list kept, and the rel nh3 adds

    return nh3.clean(
        value, tags=ALLOWED_TAGS, clean_content_tags=DROPPED_WITH_CONTENT,
        attributes={"a": {"href"}}, attribute_filter=keep, url_schemes=set(SCHEMES),
        link_rel=OUTSIDE_REL, strip_comments=True,
    ).strip()


def text(value, limit: int = NAME_CHARS) -> str:
    """Plain one-line text, never markup, at most `limit` characters ("" for a non-string)."""
    if not isinstance(value, str):
        return ""
    value = " ".join(CONTROL.sub(" ", value[: limit * 4 + 64]).split())
    value = TAG_START.sub("‹", value)
    if len(value) <= limit:
        return value
    cut = value[: limit - 1]
    if value[limit - 1] != " ":  # in the middle of a word: end at the one before
        cut = cut.rsplit(" ", 1)[0] or cut
    return cut.rstrip(" ,.;:") + "…"


def file_stem(name: str, limit: int = FILE_STEM_CHARS) -> str:
    """`name` (already made of safe characters) as a file name stem of at most `limit`
    characters: kept as it is when short enough, else its beginning and a hash of the whole."""
    if len(name) <= limit:
        return name
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:16]
    return f"{name[: limit - len(digest) - 1]}-{digest}"


def printable(value) -> str:
    """`value` as text for the terminal: control characters out, newlines kept."""
    return CONTROL_KEEPING_NEWLINES.sub("", str(value))


def cell(value):
    """`value` for a Rich table or print: printable, and never read as Rich markup."""
    from rich.text import Text

    return Text(printable(value))
