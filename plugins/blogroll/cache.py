"""The refresh's memory in `data/blogroll/`: one JSON file per creator, committed.

Why per creator: a refresh that fails for one site rewrites only that
site's file (keeping its last good data), and git diffs say who changed.
The validators (ETag, Last-Modified) of every URL fetched are kept so the
next refresh asks "has it changed?" instead of downloading it again.

What a state holds from other sites has one shape, kept by `entry`, `card`
and `member`: the parser makes its values with them before they are stored,
and `load_state` passes what it reads through them again (through the gate
of relais.foreign), so that a file edited by hand or written by an older
version cannot bring an unsafe URL or markup into the site.
"""

from __future__ import annotations

import copy
import re
import time
from pathlib import Path

from relais import avatar, foreign
from relais.store import StoreError, read_json, write_json

AVATARS = "avatars"
CANDIDATES_DIR = "candidates"
NOTIFIED = "notified.json"
SUMMARY_CHARS = 280
MAX_ENTRIES = 100
MAX_LINKS = 50  # links kept per entry (reciprocity looks for links to us among them)
MAX_TAGS = 30
MAX_MEMBERS = 1_000  # of one creator's blogroll, stored
MAX_URLS = 50  # rel=me links, feed and blogroll links of a home page
AVATAR_FILE = re.compile(f"{AVATARS}/{avatar.STORED_NAME.pattern}")


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


def _urls(values, limit: int) -> list[str]:
    found = [foreign.url(v) for v in values[: limit * 2]] if isinstance(values, list) else []
    return list(dict.fromkeys(u for u in found if u))[:limit]


def entry(value) -> dict | None:
    """One post of a creator's feed, as stored (its URL "" when it has none that is safe)."""
    if not isinstance(value, dict):
        return None
    tags = value.get("tags") if isinstance(value.get("tags"), list) else []
    date = value.get("date")
    return {
        "title": foreign.text(value.get("title")),
        "url": foreign.url(value.get("url")) or "",
        "date": date if isinstance(date, str) and len(date) <= 40 else None,
        "summary": foreign.text(value.get("summary"), SUMMARY_CHARS),
        "tags": sorted({foreign.text(t, foreign.TAG_CHARS) for t in tags} - {""})[:MAX_TAGS],
        "links": _urls(value.get("links"), MAX_LINKS),
    }


def card(value) -> dict:
    """A creator's h-card as stored: name, note, photo URL, URL."""
    if not isinstance(value, dict) or not value:
        return {}
    return {
        "name": foreign.text(value.get("name"), 120),
        "photo": foreign.url(value.get("photo")) or "",
        "note": foreign.text(value.get("note"), 400),
        "url": foreign.url(value.get("url")) or "",
    }


def member(value) -> dict | None:
    """One site of a creator's blogroll as stored; None without a usable site URL."""
    if not isinstance(value, dict) or not foreign.url(value.get("site")):
        return None
    return {
        "title": foreign.text(value.get("title")),
        "feed": foreign.url(value.get("feed")) or "",
        "site": value["site"].strip(),
    }


def members(values) -> list[dict]:
    kept = (member(v) for v in values[: MAX_MEMBERS * 5]) if isinstance(values, list) else ()
    return [m for m in kept if m][:MAX_MEMBERS]


def _rechecked(state: dict) -> dict:
    """The foreign parts of a stored state, through the gate again (see the module's doc)."""
    state["entries"] = [e for e in map(entry, state["entries"][:MAX_ENTRIES]) if e]
    state["card"] = card(state["card"])
    state["rel_me"] = _urls(state["rel_me"], MAX_URLS)
    home = state["home"]
    state["home"] = {"feeds": _urls(home.get("feeds"), MAX_URLS),
                     "blogrolls": _urls(home.get("blogrolls"), MAX_URLS)}
    roll = state["blogroll"]
    by_source = roll.get("by_source") if isinstance(roll.get("by_source"), dict) else {}
    state["blogroll"] = {
        "sources": _urls(roll.get("sources"), MAX_URLS),
        "by_source": {u: members(v) for u, v in list(by_source.items())[:MAX_URLS]
                      if foreign.url(u)},
        "members": members(roll.get("members")),
    }
    feed = state["feed"]
    for name in ("url", "moved_from", "source_blogroll"):
        if name in feed:
            feed[name] = foreign.url(feed[name]) or ("" if name == "url" else None)
    feed["title"] = foreign.text(feed.get("title"))
    if not AVATAR_FILE.fullmatch(state["avatar"]):
        state["avatar"] = ""  # only a picture of ours, in avatars/, is ever copied
    return state


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
    return _rechecked(state), None


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


