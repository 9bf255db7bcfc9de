"""Avatars of the people who mention us, downloaded once into data/ and copied at build.

Why: a page that shows a stranger's avatar from the stranger's server leaks
every reader to that server and breaks when it goes away. `relais mentions
fetch` downloads each photo once (size-capped, the type checked on the bytes
themselves, no SVG since it can carry script) into `avatars/` beside the
archive, with `index.json` mapping each photo URL to its file (or to null
when it could not be used, so it is not tried again). The build copies the
files it uses into the output; a person without a file gets their initial.
This module is the offline part the build uses; `avatar_download` fetches.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from relais.store import StoreError, read_json

MAX_AVATAR_BYTES = 256_000
OUTPUT_FOLDER = "mentions/avatars"
INDEX = "index.json"


def sniff(content: bytes) -> str | None:
    """The file extension for the image these bytes are, or None (not a raster image we allow)."""
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return ".png"
    if content.startswith(b"\xff\xd8\xff"):
        return ".jpg"
    if content[:6] in (b"GIF87a", b"GIF89a"):
        return ".gif"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return ".webp"
    return None


def file_stem(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:24]


def read_index(folder: Path) -> dict[str, str | None]:
    try:
        value = read_json(folder / INDEX, default={})
    except StoreError:
        return {}  # a broken index only costs a download again
    return value if isinstance(value, dict) else {}


class AvatarShelf:
    """Build-time lookup: photo URL → path in the output, remembering which files to copy."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.index = read_index(folder)
        self.used: set[str] = set()

    def __call__(self, url: str) -> str | None:
        name = self.index.get(url)
        if not name or "/" in name or not (self.folder / name).is_file():
            return None
        self.used.add(name)
        return f"{OUTPUT_FOLDER}/{name}"

    def copy_to(self, output: Path) -> int:
        target = output / OUTPUT_FOLDER
        if self.used:
            target.mkdir(parents=True, exist_ok=True)
        for name in sorted(self.used):
            shutil.copyfile(self.folder / name, target / name)
        return len(self.used)
