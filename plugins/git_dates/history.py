"""Read when each file was last committed: git is the database of record, so it already knows
when a post was edited. Pure (no Pelican, no state): one `git log` for a whole folder.

A post committed more than once, whose last commit is later than its `Date`,
gets that commit's date as its updated date. Uncommitted edits do not count,
so the date is the same on every clone.
"""

from __future__ import annotations

import subprocess
from datetime import datetime
from pathlib import Path


def history(folder: Path) -> dict[str, tuple[datetime, int]]:
    """For each file under `folder`: (date of its newest commit, number of commits)."""
    try:
        top = subprocess.run(["git", "-C", str(folder), "rev-parse", "--show-toplevel"],
                             capture_output=True, text=True, check=True).stdout.strip()
        out = subprocess.run(
            ["git", "-C", top, "log", "--format=%x00%cI", "--name-only", "--no-renames",
             "--", str(folder.resolve())],
            capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return {}
    found: dict[str, tuple[datetime, int]] = {}
    when = None
    for line in out.splitlines():
        if line.startswith("\x00"):
            when = datetime.fromisoformat(line[1:].strip())
        elif line.strip() and when is not None:
            path = str((Path(top) / line.strip()).resolve())
            newest, count = found.get(path, (when, 0))
            found[path] = (newest, count + 1)
    return found


def git_modified(source_path: str, published: datetime, dates: dict) -> datetime | None:
    """The updated date git gives this post, or None."""
    newest, count = dates.get(str(Path(source_path).resolve()), (None, 0))
    if newest is None or count < 2:
        return None
    if published.tzinfo is not None:
        newest = newest.astimezone(published.tzinfo)
    else:
        newest = newest.astimezone().replace(tzinfo=None)
    return newest if newest > published else None
