"""The output folder of a build, and the last good site, kept until the build is good.

A build writes its output in one of two ways:

- **Fresh** (the first build, or after the settings, theme or code changed, or with a plugin
  that is not Relais's own): the last good site is moved aside whole and every file is
  written anew (DELETE_OUTPUT_DIRECTORY).
- **In place** (a build after a good one of the same fingerprint, the usual rebuild): the pages
  the last build wrote stay where they are. A page whose text is the same as the one on disk
  (the page cache gives its digest; relais.pagecache) is not written again; a changed page is
  written after the old file is set aside. Every other file (static files, feeds, what the
  plugins write themselves) is set aside at the start and written anew, as in a fresh build.
  At the end, the pages this build no longer has are set aside too (and their empty folders
  removed). A 2,000-story site has 3,600 pages: writing them again, each in its own folder,
  was a quarter of a rebuild after one edit.

Set aside means renamed into one flat folder (the name of a file there is its path, quoted),
so that nothing has to be made there. A failed build removes every file it wrote and puts back
what was set aside: the last good site, as it was. A good build has the folder deleted in the
background by the next build.

What is on disk after a good build is recorded (`WrittenPages`): each page's path, the digest
of its text and its size, modification time and inode. A page is left in place only when the
file is still exactly that one, and when the steps that change pages after they are written
(Pelican's content_written signal: the images plugin's responsive markup) would change it the
same way: each such receiver gives a key (`page_rewrite_key`), and a receiver without one
turns leaving pages in place off.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import threading
import time
from pathlib import Path
from urllib.parse import quote, unquote

from pelican import signals

from relais.digest import Digester, blake
from relais.settings import folder_key, only_relais_plugins
from relais.store import write_atomic

RECORD = "written-pages.json"
FORMAT = 1
LONG = 200  # longer quoted paths are set aside under a digest, with the path beside them


def rewrite_key(settings: dict) -> str | None:
    """What decides how the pages written are changed afterwards: the keys of the receivers
    of content_written; None when one of them gives none."""
    keys = []
    for receiver in signals.content_written.receivers_for(object()):
        key_of = getattr(receiver, "page_rewrite_key", None)
        if key_of is None:
            return None
        keys.append((f"{receiver.__module__}.{receiver.__qualname__}", key_of(settings)))
    keys.sort(key=lambda pair: pair[0])
    return Digester()(keys).hex()


def stamp(result: os.stat_result) -> tuple[int, int, int]:
    return result.st_size, result.st_mtime_ns, result.st_ino


class WrittenPages:
    """The record of the pages a good build left in an output folder (in the site's cache)."""

    def __init__(self, settings: dict, output: Path):
        self.path = output_room(output, Path(settings["CACHE_PATH"])) / RECORD

    def read(self, fingerprint: bytes) -> tuple[str | None, dict[str, tuple]] | None:
        """(rewrite key, {path: (text digest, size, mtime_ns, inode)}), or None when there is
        no record for this fingerprint."""
        try:
            saved = json.loads(self.path.read_text(encoding="utf-8"))
            if saved["format"] != FORMAT or saved["fingerprint"] != fingerprint.hex():
                return None
            return saved["rewrite"], {name: tuple(entry) for name, entry in saved["pages"].items()}
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def write(self, fingerprint: bytes, rewrite: str | None, pages: dict[str, tuple]) -> None:
        write_atomic(self.path, json.dumps({"format": FORMAT, "fingerprint": fingerprint.hex(),
                                            "rewrite": rewrite, "pages": pages}))


class Output:
    """Where a build writes, in place or fresh (see the module), and the last good site."""

    def __init__(self, settings: dict, fingerprint: bytes, in_place: bool = True):
        self.settings, self.fingerprint = settings, fingerprint
        self.path = Path(settings["OUTPUT_PATH"])
        self.room, self.prefix = spare_room(self.path, Path(settings["CACHE_PATH"]))
        self.record = WrittenPages(settings, self.path)
        self.aside: Path | None = None
        self.retained: list[str] = []
        self.in_place = False
        self.kept: dict[str, tuple[bytes, int]] = {}  # pages left in place: (digest, inode)
        self.replaced: set[str] = set()  # ...and those this process has written over since
        self.last_rewrite: str | None = None
        self.emptied: set[Path] = set()  # folders files were set aside from
        old = sorted(self.room.glob(f"{self.prefix}old-*"))
        self.sweeper = threading.Thread(target=remove_all, args=(old,), name="relais-sweep")
        self.sweeper.start()
        if not (self.path.is_dir() and settings.get("DELETE_OUTPUT_DIRECTORY")):
            return
        self.aside = self.room / f"{self.prefix}last-good"
        shutil.rmtree(self.aside, ignore_errors=True)
        last = self.record.read(fingerprint) if in_place and only_relais_plugins(settings) else None
        if last is not None:
            self._set_up_in_place(*last)
            return
        os.replace(self.path, self.aside)
        self.path.mkdir(parents=True)
        for name in settings.get("OUTPUT_RETENTION") or ():  # e.g. .git: kept across builds
            if (self.aside / name).exists():
                os.replace(self.aside / name, self.path / name)
                self.retained.append(name)

    # -- in place -----------------------------------------------------------------

    def _set_up_in_place(self, rewrite: str | None, pages: dict[str, tuple]) -> None:
        self.aside.mkdir(parents=True)
        self.in_place, self.last_rewrite = True, rewrite
        for name, entry in self._files():
            recorded = pages.get(name)
            if recorded is not None:
                with contextlib.suppress(OSError):
                    found = entry.stat(follow_symlinks=False)
                    if stamp(found) == tuple(recorded[1:]):
                        self.kept[name] = (bytes.fromhex(recorded[0]), found.st_ino)
                        continue
            self.set_aside(name)

    def _files(self):
        """(path from the output, os.DirEntry) of every file in the output (links included,
        never followed), the retained names aside."""
        retained = set(self.settings.get("OUTPUT_RETENTION") or ())
        folders = [("", str(self.path))]
        while folders:
            relative, folder = folders.pop()
            with os.scandir(folder) as entries:
                for entry in entries:
                    if not relative and entry.name in retained:
                        continue
                    name = relative + entry.name
                    if entry.is_dir(follow_symlinks=False):
                        folders.append((name + os.sep, entry.path))
                    else:
                        yield name, entry

    @functools.cached_property
    def rewrite(self) -> str | None:
        """This build's rewrite key (relais.output.rewrite_key), worked out once."""
        return rewrite_key(self.settings)

    def unchanged(self, name: str, digest: bytes | None) -> bool:
        """Whether the page `name` (relative to the output) on disk already has the text of
        digest `digest`, as the last build changed it after writing: then it is left as it is."""
        entry = self.kept.get(name)
        return entry is not None and entry[0] == digest and name not in self.replaced and \
            self.last_rewrite is not None and self.rewrite == self.last_rewrite

    def before_writing(self, name: str) -> None:
        """A page is about to be written: the last good site's file there (not one this build
        wrote already) is set aside first."""
        kept = self.kept.get(name)
        if kept is not None and name not in self.replaced and self._untouched(name, kept[1]):
            self.set_aside(name)
        self.replaced.add(name)

    def set_aside(self, name: str) -> None:
        """Before a file of the last good site is written over or left out: kept aside."""
        if self.aside is None or not self.in_place:
            return
        source = self.path / name
        flat = quote(name, safe="")
        if len(flat) > LONG:
            flat = f"%~{blake(name).hex()}"
            (self.aside / f"{flat}.path").write_text(name, encoding="utf-8")
        try:
            os.replace(source, self.aside / flat)
        except FileNotFoundError:
            return
        self.emptied.add(source.parent)

    def _put_back(self) -> None:
        for entry in os.scandir(self.aside):
            if entry.name.startswith("%~"):
                if entry.name.endswith(".path"):
                    continue
                name = (self.aside / f"{entry.name}.path").read_text(encoding="utf-8")
            else:
                name = unquote(entry.name)
            target = self.path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(entry.path, target)

    def _remove_empty_folders(self) -> None:
        """The folders files were set aside from, when nothing is left in them (and their
        parents, up to the output)."""
        root = self.path
        for folder in sorted(self.emptied, key=lambda p: len(p.parts), reverse=True):
            while folder != root and root in folder.parents:
                try:
                    folder.rmdir()
                except OSError:
                    break
                folder = folder.parent
        self.emptied.clear()

    # -- the end of the build -----------------------------------------------------------

    def attach(self, generators, pages) -> None:
        """For all_generators_finalized: once the last generator has written its files (and
        before `finalized`, whose steps may list the output's files), the pages this build no
        longer has leave the output. `pages`: the page cache (its records of this build)."""
        writing = [g for g in generators if hasattr(g, "generate_output")]
        if not self.in_place or not writing:
            return
        last = writing[-1]
        generate_output = last.generate_output

        def then_leave_out(writer):
            generate_output(writer)
            self.leave_out(pages.new)

        last.generate_output = then_leave_out

    def leave_out(self, pages: dict) -> None:
        """Set aside the pages left in place that this build did not make (`pages`: its page
        records, by output name), and the folders that are empty then."""
        made = {os.path.normpath(name) for name in pages}
        for name, (_digest, inode) in self.kept.items():
            if name not in made and self._untouched(name, inode):
                self.set_aside(name)
        self._remove_empty_folders()

    def keep(self, pages: dict) -> None:
        """The build is good: what is on disk is recorded, the last good site goes to be
        deleted by the next build. `pages`: this build's page records by output name
        (relais.pagecache.Record: `text` is the digest of the page's text)."""
        written = {}
        root = os.path.join(os.fspath(self.path), "")  # joined as text: 3,600 pages
        for name, record in pages.items():
            with contextlib.suppress(OSError):
                found = os.lstat(root + name)
                written[os.path.normpath(name)] = (record.text.hex(), *stamp(found))
        self.record.write(self.fingerprint, self.rewrite, written)
        if self.aside is not None:
            os.replace(self.aside, self.room / f"{self.prefix}old-{time.time_ns()}")
        self.sweeper.join()

    def _untouched(self, name: str, inode: int) -> bool:
        try:
            return os.lstat(self.path / name).st_ino == inode
        except OSError:
            return False

    def restore(self) -> None:
        """The build failed: the last good site is put back."""
        self.sweeper.join()
        if self.aside is None:
            return
        if self.in_place:
            for name, entry in list(self._files()):
                kept = self.kept.get(name)
                if kept is None or not self._untouched(name, kept[1]):
                    os.unlink(entry.path)
                    self.emptied.add(Path(entry.path).parent)
            self._put_back()
            self._remove_empty_folders()
            shutil.rmtree(self.aside, ignore_errors=True)
            return
        for name in self.retained:
            if (self.path / name).exists():
                os.replace(self.path / name, self.aside / name)
        shutil.rmtree(self.path, ignore_errors=True)
        os.replace(self.aside, self.path)


def output_room(output: Path, cache: Path) -> Path:
    """The cache's folder for one output folder: the record of its pages, and (on the same
    disk) the last good site while a build runs."""
    return cache / "outputs" / folder_key(output)


def spare_room(output: Path, cache: Path) -> tuple[Path, str]:
    """Where the last good site waits during a build: (folder, prefix of the names)."""
    output = output.resolve()
    room = output_room(output, cache)
    try:
        room.mkdir(parents=True, exist_ok=True)
        if os.stat(room).st_dev == os.stat(output.parent).st_dev:  # a rename can move it
            return room, ""
    except OSError:
        pass
    return output.parent, f".{output.name}."


def remove_all(folders: list[Path]) -> None:
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)
