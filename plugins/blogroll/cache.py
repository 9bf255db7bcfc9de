"""The refresh's memory in `data/blogroll/`: one JSON file per creator, committed.

Why per creator: a refresh that fails for one site rewrites only that
site's file (keeping its last good data), and git diffs say who changed.
The validators (ETag, Last-Modified) of every URL fetched are kept so the
next refresh asks "has it changed?" instead of downloading it again.
"""

from __future__ import annotations

import copy
import time
from pathlib import Path

from relais.store import StoreError, read_json, write_json

AVATARS = "avatars"
CANDIDATES_DIR = "candidates"
NOTIFIED = "notified.json"


def empty_state(site: str) -> dict:
    return {
        "site": site,
        "name": "",
        "feed": {"url": "", "status": None, "gone": False, "moved_from": None, "title": ""},
        "validators": {},
        "home": {"feeds": [], "blogrolls": []},
        "entries": [],
        "card": {},
        "rel_me": [],
        "blogroll": {"sources": [], "by_source": {}, "members": []},
        "avatar": "",
        "last_attempt": None,
        "last_success": None,
        "last_error": None,
        "failing_since": None,
        "wait_until": None,  # a wait the site asked for (Retry-After), honoured by later runs
    }


def state_path(directory: Path, key: str) -> Path:
    return Path(directory) / f"{key}.json"


def load_state(directory: Path, key: str, site: str) -> tuple[dict, str | None]:
    """The creator's stored state (or an empty one) and a problem line if the file was corrupt."""
    try:
        stored = read_json(state_path(directory, key))
    except StoreError as error:
        return empty_state(site), str(error)
    state = empty_state(site)
    if isinstance(stored, dict):
        for name, value in stored.items():
            if name in state and isinstance(
                value, type(state[name]) if state[name] is not None else object
            ):
                state[name] = value
    return state, None


def load_all(directory: Path, keys: dict[str, str]) -> dict[str, dict]:
    """States of the given creators (key -> site); missing or corrupt files give empty states."""
    return {key: load_state(directory, key, site)[0] for key, site in keys.items()}


def save_state(directory: Path, key: str, state: dict) -> None:
    write_json(state_path(directory, key), state)


def sweep_temporary(directory: Path, older_than: float = 600.0) -> int:
    """Remove the temporary files a killed write left (`.NAME.….tmp`, see relais.store) once
    they are older than any write in progress could be; how many."""
    removed = 0
    limit = time.time() - older_than
    for path in Path(directory).glob(".*.tmp"):
        try:
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
        except OSError:
            continue
    return removed


def snapshot(state: dict) -> dict:
    """A deep copy, so a failed refresh can go back to the last good data."""
    return copy.deepcopy(state)


