"""`Modified` dates from git history, for posts that do not give one (MODIFIED_FROM_GIT).

Git is the database of record, so it already knows when a post was edited:
a post committed more than once, whose last commit is later than its
`Date`, gets that commit's date as its updated date. One `git log` per
build reads the whole content folder; uncommitted edits do not count, so
the date is the same on every clone.
"""

from __future__ import annotations

import logging
import subprocess
from datetime import datetime
from pathlib import Path

from pelican import signals

from relais.settings import Setting, declare, is_bool

declare(Setting("MODIFIED_FROM_GIT", False, is_bool,
                "A post without `Modified` takes the date of its last commit, when it has been "
                "committed more than once after its `Date`."))

log = logging.getLogger(__name__)
_cache: dict[str, dict[str, tuple[datetime, int]]] = {}


def register():
    signals.initialized.connect(forget_history)
    signals.content_object_init.connect(apply_git_date)


def forget_history(pelican):
    """Each build reads the history afresh (commits may have happened since the last one)."""
    _cache.clear()


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


def apply_git_date(instance):
    settings = instance.settings
    if not settings.get("MODIFIED_FROM_GIT") or "modified" in instance.metadata:
        return
    if not getattr(instance, "source_path", None) or not hasattr(instance, "date"):
        return
    folder = str(Path(settings["PATH"]).resolve())
    if folder not in _cache:
        _cache[folder] = history(Path(folder))
        if not _cache[folder]:
            log.warning("MODIFIED_FROM_GIT: no git history for %s; dates left as written", folder)
    modified = git_modified(instance.source_path, instance.date, _cache[folder])
    if modified is not None:
        instance.modified = modified
        instance.metadata["modified"] = modified
        instance.locale_modified = modified.strftime(instance.date_format)
