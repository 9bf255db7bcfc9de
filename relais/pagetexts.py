"""The texts of the pages a build rendered, kept for the next build apart from the page records.

Pure (no Pelican). The page records (relais.pagecache) are small; the texts are most of what
a build keeps (50 MB on a 2,000-story site). They go to one append-only file: a build adds
the texts it rendered that the file does not hold yet, and the records name, for each text
digest, where its bytes are (offset, length). A rebuild that renders 13 pages reads the
records, then only the texts of the pages it reuses and has to write (a rebuild in place
writes none of the unchanged ones: relais.output), and appends 13 texts.

Crash-safe without a lock: bytes are only ever added at the end of the file (O_APPEND, each
text in one write, its offset read back from the descriptor, so two builds appending at once
do not mix their offsets); the records that point to them are replaced atomically after the
texts are written (relais.store.write_atomic). A build killed while saving leaves the last
records, which point only to bytes written before them, and at most a tail no record names.
Every text read is checked against the CRC-32 the records keep with its place (a fifth of
the time of its BLAKE2 digest, for a serve build that reads all 3,600): bytes that are not
the text (a truncated or damaged file, a power loss before the disk had them) read as no
text, and the page is rendered again.

When the bytes no record names outweigh the live ones (and MIN_DEAD), the live texts are
written to a new file, the records point there, then the old file is removed. A file the
records do not name (left by a build killed while compacting) is removed then too.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import time
import zlib
from collections.abc import Iterable
from pathlib import Path

PREFIX = "relais-texts-"
MIN_DEAD = 8 << 20  # below this many dead bytes the file is never rewritten


class PageTexts:
    """The stored texts one build can read (`get`), and the save that appends its new ones."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.name: str | None = None  # the file the records name
        self.index: dict[bytes, tuple[int, int, int]] = {}  # digest -> (offset, length, CRC)
        self._map: mmap.mmap | bytes = b""
        self._inode: int | None = None

    def open(self, name: str, index: dict[bytes, tuple[int, int, int]]) -> None:
        """The file `name` (in the folder) and what the records say it holds."""
        try:
            with open(self.folder / name, "rb") as handle:
                status = os.fstat(handle.fileno())
                if status.st_size:
                    self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        except OSError:
            return
        self.name, self.index, self._inode = name, index, status.st_ino

    def get(self, digest: bytes) -> bytes | None:
        """The text of that digest, or None (not stored, or its bytes are not that text)."""
        found = self.index.get(digest)
        if found is None:
            return None
        offset, length, crc = found
        data = self._map[offset:offset + length]
        if len(data) != length or zlib.crc32(data) != crc:
            return None
        return data

    def save(self, new: dict[bytes, bytes], live: Iterable[bytes]) -> tuple[str, dict]:
        """Store the texts of the digests `live` (those of the records about to be saved):
        the ones the file lacks, from `new`, appended (or all of them in a new file). Returns
        the file's name and where each live text is in it: what the records keep. Once they
        are saved, `remove_others`."""
        live = set(live)
        self.folder.mkdir(parents=True, exist_ok=True)
        stored = {digest: self.index[digest] for digest in live if digest in self.index}
        missing = [digest for digest in live if digest not in stored]
        size = self._size()
        if size is None:
            return self._rewrite(live, new)
        kept = sum(length for _offset, length, _crc in stored.values())
        dead = size - kept
        if dead > MIN_DEAD and dead > kept + sum(len(new[digest]) for digest in missing):
            return self._rewrite(live, new)
        stored.update(append(self.folder / self.name, missing, new))
        return self.name, stored

    def _size(self) -> int | None:
        """The size of the file read at the start, None when there is none to append to (none
        was read, or another build's compaction replaced it)."""
        if self.name is None:
            return None
        try:
            status = os.stat(self.folder / self.name)
        except OSError:
            return None
        same = status.st_ino == self._inode and status.st_size >= len(self._map)
        return status.st_size if same else None

    def _rewrite(self, live: set, new: dict) -> tuple[str, dict]:
        """The live texts (this build's, or read from the file) in a new file."""
        name = f"{PREFIX}{time.time_ns()}-{os.getpid()}.bin"
        texts = {digest: new[digest] if digest in new else self.get(digest) for digest in live}
        have = [digest for digest, text in texts.items() if text is not None]
        return name, append(self.folder / name, have, texts)

    def remove_others(self, name: str) -> None:
        """After the records naming `name` are saved: the folder's other text files go (an
        old file after a compaction, a new one a killed build was writing)."""
        for path in self.folder.glob(f"{PREFIX}*.bin"):
            if path.name != name:
                with contextlib.suppress(OSError):
                    path.unlink()


def append(path: Path, digests: list[bytes], texts: dict[bytes, bytes]) -> dict:
    """Append the texts of `digests` to the file at `path` (made if need be): where each went."""
    where: dict[bytes, tuple[int, int, int]] = {}
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        for digest in digests:
            data = texts[digest]
            written = os.write(descriptor, data)
            while written < len(data):  # a short write: the rest follows (checked when read)
                written += os.write(descriptor, data[written:])
            end = os.lseek(descriptor, 0, os.SEEK_CUR)
            where[digest] = (end - len(data), len(data), zlib.crc32(data))
    finally:
        os.close(descriptor)
    return where
