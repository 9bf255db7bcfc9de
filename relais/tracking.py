"""What a page read while it was made: the template names it looked up, the posts it touched.

Pure and tiny. The page cache (relais.pagecache) opens a `Reads` around each
page it renders; the template hooks call `name()` and `touched()`; code that
keeps something made during one page for later pages (the theme's `once()`
and `macros_for()`) keeps the reads with it and `replay()`s them where it is
used again. With no page open every call does nothing.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Reads:
    names: dict[str, bytes] = field(default_factory=dict)  # name -> digest of its value
    posts: set[str] = field(default_factory=set)  # the references of the posts touched

    def add(self, other: Reads) -> None:
        for key, value in other.names.items():
            self.names.setdefault(key, value)
        self.posts |= other.posts


_open: list[Reads] = []


def active() -> bool:
    return bool(_open)


def name(key: str, digest: bytes) -> None:
    if _open:
        _open[-1].names.setdefault(key, digest)


def touched(reference: str) -> None:
    if _open:
        _open[-1].posts.add(reference)


def replay(reads: Reads | None) -> None:
    """Count `reads` as made again now (a piece made once, used in another page)."""
    if _open and reads is not None:
        _open[-1].add(reads)


@contextmanager
def reading():
    """A new set of reads; when it closes, the enclosing one (if any) gets them too."""
    reads = Reads()
    _open.append(reads)
    try:
        yield reads
    finally:
        _open.pop()
        if _open:
            _open[-1].add(reads)
