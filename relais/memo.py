"""What a plugin computed in the last build, kept for the next one when its inputs are the same.

Only within `relais build` and `relais serve`, which put the build's
fingerprint (settings, theme, code: see relais.pagecache) in the settings: a
plugin's stage is a function of the settings and of its inputs, so a result
is reused when the fingerprint and the digest of the inputs (the data files'
bytes, a post's text...) are both the same. Under plain `pelican` nothing is
kept and everything is computed, as before.

- `remembered(settings, name, inputs, make)`: one result (e.g. the received
  mentions grouped by post, keyed by the archive's bytes);
- `Table(settings, name)`: one result per key (e.g. each post's Webmention
  targets, keyed by its text), saved with `save()`; entries not asked for in
  a build are dropped from it.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

FINGERPRINT = "_relais_fingerprint"  # bytes, set by relais.build while a build runs

T = TypeVar("T")


def digest(*parts: Any) -> bytes:
    """A digest of plain values (bytes, text, numbers, tuples of them)."""
    return hashlib.blake2b(pickle.dumps(parts, protocol=4), digest_size=16).digest()


def file_state(path: Path) -> bytes:
    """The bytes of a file, b"" when it does not exist."""
    try:
        return path.read_bytes()
    except OSError:
        return b""


def folder_state(folder: Path) -> tuple:
    """The names and sizes of the files in a folder (not their bytes)."""
    try:
        return tuple(sorted((entry.name, entry.stat().st_size) for entry in os.scandir(folder)
                            if entry.is_file()))
    except OSError:
        return ()


def _path(settings, name: str) -> Path:
    return Path(settings["CACHE_PATH"]) / f"relais-{name}.pickle"


def _load(path: Path) -> Any:
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)
    except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, ValueError):
        return None


def _save(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    with temporary.open("wb") as handle:
        pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(temporary, path)


def remembered(settings, name: str, inputs: tuple, make: Callable[[], T]) -> T:
    """`make()`, or what it gave in the last build when nothing it depends on changed."""
    fingerprint = settings.get(FINGERPRINT)
    if fingerprint is None:
        return make()
    key = digest(fingerprint, inputs)
    path = _path(settings, name)
    saved = _load(path)
    if isinstance(saved, tuple) and len(saved) == 2 and saved[0] == key:
        return saved[1]
    value = make()
    try:
        _save(path, (key, value))
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        pass  # not kept: computed again next time
    return value


class Table:
    """Results by key for one build, read from and saved to the last build's table."""

    def __init__(self, settings, name: str):
        self.fingerprint = settings.get(FINGERPRINT)
        self.path = _path(settings, name)
        saved = _load(self.path) if self.fingerprint is not None else None
        valid = isinstance(saved, tuple) and len(saved) == 2 and saved[0] == self.fingerprint
        self.old: dict = saved[1] if valid else {}
        self.new: dict = {}

    def get(self, key: bytes, make: Callable[[], T]) -> T:
        if key in self.new:
            return self.new[key]
        value = self.old[key] if key in self.old else make()
        self.new[key] = value
        return value

    def save(self) -> None:
        if self.fingerprint is None:
            return
        try:
            _save(self.path, (self.fingerprint, self.new))
        except (OSError, pickle.PicklingError, TypeError, AttributeError):
            pass
