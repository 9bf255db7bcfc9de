"""Links to other files of the site (`{filename}`, `{static}`, `{attach}`): which ones lead nowhere.

Pure. Pelican rewrites such a link to the URL of the file it names, found
relative to the linking file, or to the content folder when it starts with
`/`; when it finds nothing it leaves the link as written (`{filename}/x.md`
in the page) with a warning that does not say which file linked it.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Container, Iterator
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

LINKED_KINDS = ("filename", "static", "attach")


@dataclass(frozen=True)
class Link:
    what: str  # filename, static or attach
    written: str  # as written in the source, e.g. {filename}/posts/x.md
    path: str  # the path part, e.g. /posts/x.md


def link_pattern(intrasite_regex: str) -> re.Pattern:
    """Pelican's pattern for such links in HTML attributes, from INTRASITE_LINK_REGEX."""
    return re.compile(
        r"<[^>]+(?:href|src|poster|data|cite|formaction|action|content)\s*=\s*"
        rf"([\"'])(?P<written>{intrasite_regex}(?P<value>.*?))\1", re.X)


def links_in(content: str, pattern: re.Pattern) -> Iterator[Link]:
    for match in pattern.finditer(content or ""):
        if match["what"] in LINKED_KINDS:
            yield Link(match["what"], html.unescape(match["written"]),
                       urlsplit(html.unescape(match["value"])).path)


def candidates(path: str, linking_dir: str) -> list[str]:
    """The content-relative paths a link may mean, as Pelican tries them."""
    found = []
    for variant in (path, unquote(path)):
        if variant.startswith("/"):
            resolved = variant[1:]
        else:
            resolved = posixpath.normpath(posixpath.join(linking_dir, variant))
        if resolved not in found:
            found.append(resolved)
    return found


def broken(link: Link, linking_dir: str, pages: Container[str], files: Container[str]) -> bool:
    """Whether nothing answers the link: {filename} names a post, page or file, the others a
    file copied into the site."""
    targets = (pages, files) if link.what == "filename" else (files,)
    return not any(c in known for c in candidates(link.path, linking_dir) for known in targets)


def advice(link: Link) -> str:
    where = ("from the content folder" if link.path.startswith("/")
             else "relative to this file (start it with / to name it from the content folder)")
    kind = "post or page" if link.what == "filename" else "file copied into the site"
    return f"{link.written}: no {kind} at that path, {where}; check its name"
