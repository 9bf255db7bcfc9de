"""What a page read while it was made: the template names it looked up, the posts it touched.

Pure and tiny. The page cache (relais.pagecache) opens a `Reads` around each
page it renders; its template hooks fill the innermost one (`stack[-1]`); code that
keeps something made during one page for later pages (the theme's `once()`
and `macros_for()`) keeps the reads with it and `replay()`s them where it is
used again. With no page open every call does nothing.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Reads:
    names: dict = field(default_factory=dict)  # name -> the value read (the first time)
    posts: set = field(default_factory=set)  # posts read whole, text included (their ids)
    fields: set = field(default_factory=set)  # posts of which only fields other than the text

    def add(self, other: Reads) -> None:
        for key, value in other.names.items():
            self.names.setdefault(key, value)
        self.posts |= other.posts
        self.fields |= other.fields


# The open sets of reads, innermost last (hooks called for every name a template looks up
# read it directly: `if stack: stack[-1]...`).
stack: list[Reads] = []


def active() -> bool:
    return bool(stack)


def replay(reads: Reads | None) -> None:
    """Count `reads` as made again now (a piece made once, used in another page)."""
    if stack and reads is not None:
        stack[-1].add(reads)


@contextmanager
def reading():
    """A new set of reads; when it closes, the enclosing one (if any) gets them too."""
    reads = Reads()
    stack.append(reads)
    try:
        yield reads
    finally:
        stack.pop()
        if stack:
            stack[-1].add(reads)
