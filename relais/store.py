"""Atomic, diff-friendly JSON files for the state Relais keeps in git (data/).

Writes go to a temporary file in the same folder, are flushed to disk, then
renamed over the old file: a crash leaves either the old file or the new
one, never half of one. Output has sorted keys, two-space indentation and a
final newline so that git diffs stay small and stable.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


class StoreError(Exception):
    """A state file exists but cannot be read; it is left untouched."""


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def read_json(path: Path, default: Any = None) -> Any:
    """The file's value, `default` when it does not exist; StoreError when it is corrupt."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return default
    try:
        return json.loads(text)
    except ValueError as error:
        raise StoreError(f"{path}: not valid JSON ({error}); fix or remove it") from error


def write_json(path: Path, value: Any) -> None:
    """Replace the file's content with `value`, atomically."""
    write_atomic(path, dumps(value))


def write_atomic(path: Path, data: str | bytes) -> None:
    """Replace a text (UTF-8) or binary file atomically: temporary file in the same folder,
    flushed to disk, then renamed over the old one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
