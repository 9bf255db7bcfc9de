"""The manifest of the published site: every page path, written by the build, read by the receiver.

The receiver accepts Webmentions only for pages of the site. Scanning
`output/` for them is wrong while a build rewrites it (the folder is emptied
first, then filled page by page): valid requests would be refused with a
final 400. So the build writes this list last, atomically (temporary file,
then rename), and the receiver only ever reads a complete list: it keeps the
last good one in memory while the file is missing or being replaced.

    {"version": 1, "pages": ["/", "/2026/slug/", ...]}
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote

from relais.store import StoreError, read_json, write_json

NAME = "relais-pages.json"
VERSION = 1


class ManifestError(StoreError):
    """The manifest is missing or is not a manifest."""


def page_path(path: str) -> str:
    """The canonical form of a URL path: decoded, '/x/' for '/x/index.html'."""
    path = unquote(path or "/")
    if path.endswith("/index.html"):
        path = path[: -len("index.html")]
    return path if path.startswith("/") else "/" + path


def scan_pages(output: Path) -> list[str]:
    """Every page path of a built site (its .html files), sorted. One `scandir` per folder,
    paths worked out as text (thousands of page folders: `os.walk` took 1.5-2.5 times as
    long, asking again of each folder whether it is a link). As `os.walk` does, a link to a
    folder is neither followed nor a page."""
    pages = set()
    folders = [("/", os.fspath(output))]
    while folders:
        prefix, folder = folders.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir():
                    if not entry.is_symlink():
                        folders.append((f"{prefix}{entry.name}/", entry.path))
                elif entry.name.endswith(".html"):
                    pages.add(page_path(prefix + entry.name))
    return sorted(pages)


def write_manifest(output: Path) -> Path:
    """List the pages of the finished build in `output/relais-pages.json`, atomically."""
    path = Path(output) / NAME
    write_json(path, {"version": VERSION, "pages": scan_pages(Path(output))})
    return path


def read_manifest(path: Path) -> frozenset[str]:
    """The page paths of a manifest; ManifestError when it is absent or not a manifest."""
    try:
        data = read_json(path)
    except StoreError as error:
        raise ManifestError(str(error)) from None
    if data is None:
        raise ManifestError(f"{path}: no such file; build the site with relais build")
    pages = data.get("pages") if isinstance(data, dict) else None
    if not isinstance(pages, list) or not all(isinstance(p, str) for p in pages):
        raise ManifestError(f"{path}: not a manifest of pages (expected a 'pages' list)")
    return frozenset(pages)
