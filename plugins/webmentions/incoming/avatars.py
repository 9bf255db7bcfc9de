"""Avatars of the people who mention us, downloaded once into data/ and copied at build.

Why: a page that shows a stranger's avatar from the stranger's server leaks
every reader to that server and breaks when it goes away. `relais mentions
fetch` downloads each photo once into `avatars/` beside the archive, under
the one policy for other people's pictures (relais.avatar: raster bytes
only, no SVG, size caps, hashed names), with `index.json` mapping each photo
URL to its file (or to null when it could not be used, so it is not tried
again). The build copies the files it uses into the output, each checked
again; a person without a file gets their initial. This module is the
offline part the build uses; `avatar_download` fetches.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from relais import avatar
from relais.store import StoreError, read_json

OUTPUT_FOLDER = "mentions/avatars"
INDEX = "index.json"


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
        if not isinstance(name, str) or not avatar.stored_ok(self.folder / name):
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
