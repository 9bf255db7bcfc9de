"""The archive of received mentions, `data/webmentions/received.json`, committed to git.

Every verified mention ever received, keyed by its normalised (source,
target) pair (`record.pair_url`: no fragment, one spelling of scheme, host
and port). Merging is idempotent: the same entries twice change nothing (not
even the file). An entry for a known pair replaces it in place; a mention
leaves only when a deletion (a source re-verified as gone) names it. An
archive written before pairs were normalised collapses on reading: of the
entries that are one pair, the one received last is kept, with the date the
pair was first received. Cursors remember, per
API and query, the last `wm-id` seen, for incremental fetches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from relais.plugins.webmentions.incoming.record import TYPES, clean, key

from relais import foreign
from relais.store import StoreError, read_json, write_json


class ArchiveError(StoreError):
    """The archive file exists but is not an archive; it is left untouched."""


@dataclass
class Archive:
    mentions: dict[tuple[str, str], dict] = field(default_factory=dict)
    cursors: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict:
        ordered = sorted(self.mentions.values(), key=lambda m: (m["target"], m["source"]))
        return {"cursors": dict(sorted(self.cursors.items())), "mentions": ordered}


@dataclass
class Changes:
    added: int = 0
    updated: int = 0
    removed: int = 0

    def __bool__(self):
        return bool(self.added or self.updated or self.removed)

    def __str__(self):
        return f"{self.added} new, {self.updated} updated, {self.removed} removed"


def _check_mention(path, index: int, value) -> dict:
    where = f"{path}: mentions[{index}]"
    if not isinstance(value, dict):
        raise ArchiveError(f"{where}: not an object; fix or remove the file")
    for name in ("source", "target"):
        if not isinstance(value.get(name), str) or not value[name]:
            raise ArchiveError(f"{where}: field {name!r} is missing or not a string")
    if value.get("type") not in TYPES:
        raise ArchiveError(f"{where}: field 'type' is {value.get('type')!r}, "
                           f"expected one of {', '.join(TYPES)}")
    for name in ("source", "target"):
        if foreign.url(value[name]) != value[name]:
            raise ArchiveError(f"{where}: field {name!r} is not a safe http(s) URL; "
                               "fix or remove the entry")
    return clean(value)


def load(path: Path) -> Archive:
    """The archive in `path` (empty when the file does not exist); ArchiveError when corrupt."""
    try:
        data = read_json(path, default={"mentions": [], "cursors": {}})
    except StoreError as error:
        raise ArchiveError(str(error)) from error
    if not isinstance(data, dict) or not isinstance(data.get("mentions", []), list):
        raise ArchiveError(f"{path}: expected an object with a 'mentions' list; fix or remove it")
    cursors = data.get("cursors", {})
    if not isinstance(cursors, dict) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in cursors.values()
    ):
        raise ArchiveError(f"{path}: field 'cursors' must map names to whole numbers")
    spellings: dict[tuple[str, str], list[dict]] = {}
    for index, value in enumerate(data.get("mentions", [])):
        mention = _check_mention(path, index, value)
        spellings.setdefault(key(mention), []).append(mention)
    archive = Archive(cursors=dict(cursors))
    for pair, found in spellings.items():
        archive.mentions[pair] = found[0] if len(found) == 1 else one_of(found)
    return archive


_READ: dict[str, tuple[tuple[int, int], Archive]] = {}


def read_only(path: Path) -> Archive:
    """`load(path)`, parsed once while the file does not change, for readers that never change
    what they get (a build shows the archive and counts its sources: one parse, not two)."""
    try:
        stat = path.stat()
        state = (stat.st_size, stat.st_mtime_ns)
    except OSError:
        return load(path)
    found = _READ.get(str(path))
    if found is None or found[0] != state:
        found = _READ[str(path)] = (state, load(path))
    return found[1]


def one_of(spellings: list[dict]) -> dict:
    """Spellings of one pair: the one received last, with the first date of reception."""
    dates = [m["received"] for m in spellings if m.get("received")]
    last = max(spellings, key=lambda m: m.get("received") or "")
    return {**last, "received": min(dates) if dates else None}


def merge(archive: Archive, entries: list[dict]) -> Changes:
    """Apply records and deletions to the archive in order; say what changed."""
    changes = Changes()
    for entry in entries:
        pair = key(entry)
        if entry.get("deleted"):
            if archive.mentions.pop(pair, None) is not None:
                changes.removed += 1
            continue
        mention = clean(entry)
        old = archive.mentions.get(pair)
        if old is None:
            changes.added += 1
        else:
            # the first time we saw it stays the time we received it
            mention["received"] = old.get("received") or mention["received"]
            if mention == old:
                continue
            changes.updated += 1
        archive.mentions[pair] = mention
    return changes


def save(path: Path, archive: Archive) -> bool:
    """Write the archive atomically if its content changed; True when written."""
    value = archive.to_json()
    load(path)  # a corrupt file raises: it is never overwritten
    if read_json(path) == value:  # compared as stored: duplicates written earlier go away
        return False
    write_json(path, value)
    return True
