"""Limits on a foreign document before it is parsed, and parsing off the event loop.

A parser given a hostile document can take seconds and hundreds of MB (a
page nested 900,000 elements deep), recurse until it crashes (mf2py at a
few hundred levels), expand entities (billion laughs) or build a list
without end (an OPML file of 100,000 outlines). So every HTML, feed or
OPML document from outside is checked here first, in one linear scan:
its size, how deep its elements nest, XML entity declarations (feeds and
OPML never need them), and, for OPML, how many outlines it has. Then it is
parsed in a thread with a time limit (`off_loop`), so that the event loop
keeps every other request going while one page is read.
"""

from __future__ import annotations

import asyncio
import re
from functools import partial

MAX_DEPTH = 256            # elements nested in one another (mf2py recurses past ~800)
MAX_OUTLINES = 5_000       # outlines read from one OPML document
PARSE_SECONDS = 10.0       # one document's parse, off the event loop

_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:_.-]*)")
# Elements that never hold others, or that the HTML parser closes by itself when the next one
# starts: they do not make a page deeper.
_FLAT = frozenset("""area base br col embed hr img input link meta param source track wbr
p li dt dd tr td th option optgroup rp rt thead tbody tfoot colgroup caption""".split())
_RAW_TEXT = {name: re.compile(f"</{name}", re.I) for name in ("script", "style")}  # no markup
_SECTIONS = (("<!--", "-->"), ("<![CDATA[", "]]>"))
_ENTITY = re.compile(rb"<!ENTITY", re.I)
_OUTLINE = re.compile(rb"<outline\b", re.I)


class TooComplex(ValueError):
    """The document is refused before parsing; the message is one line saying why."""


def _bytes(document: bytes | str) -> bytes:
    return document.encode("utf-8", "replace") if isinstance(document, str) else document


def check_markup(document: bytes | str, *, max_bytes: int, xml: bool = False) -> None:
    """Raise TooComplex when an HTML or XML document is too big or too deep to parse safely."""
    size = len(document)
    if size > max_bytes:
        raise TooComplex(f"{size:,} bytes, more than the {max_bytes:,} read")
    if xml and _ENTITY.search(_bytes(document)):
        raise TooComplex("declares XML entities (<!ENTITY>), which feeds and OPML never need")
    text = document.decode("utf-8", "replace") if isinstance(document, bytes) else document
    if _depth_over(text, MAX_DEPTH, xml):
        raise TooComplex(f"elements nested more than {MAX_DEPTH} deep")


def _section_end(text: str, start: int) -> int | None:
    """Past the end of the comment or CDATA section at `start` (-1: never closed), or None."""
    for opening, closing in _SECTIONS:
        if text.startswith(opening, start):
            end = text.find(closing, start + len(opening))
            return -1 if end < 0 else end + len(closing)
    return None


def _depth_over(text: str, limit: int, xml: bool) -> bool:
    """Whether elements nest more than `limit` deep: one pass with str.find, linear even on
    hostile input (no regex that could backtrack over the whole document)."""
    depth = pos = 0
    while (start := text.find("<", pos)) >= 0:
        skipped = _section_end(text, start)
        if skipped is not None:  # a comment or a CDATA section: no markup inside
            if skipped < 0:
                return False
            pos = skipped
            continue
        tag = _TAG.match(text, start)
        end = text.find(">", tag.end() if tag else start + 1)
        if end < 0:
            return False
        pos = end + 1
        if tag is None or text[end - 1] == "/":
            continue  # a declaration, a processing instruction, stray text, a self-closed tag
        name = tag.group(2).lower()
        if tag.group(1):
            depth = max(depth - 1, 0)
        elif xml or name not in _FLAT:
            depth += 1
            if depth > limit:
                return True
            if not xml and name in _RAW_TEXT:
                close = _RAW_TEXT[name].search(text, pos)
                if close is None:
                    return False
                pos = close.start()
    return False


def check_opml(document: bytes | str, *, max_bytes: int) -> None:
    """check_markup for OPML, and at most MAX_OUTLINES outlines."""
    count = len(_OUTLINE.findall(_bytes(document)))
    if count > MAX_OUTLINES:
        raise TooComplex(f"{count:,} outlines, more than the {MAX_OUTLINES:,} read")
    check_markup(document, max_bytes=max_bytes, xml=True)


async def off_loop(work, *args, seconds: float = PARSE_SECONDS, executor=None, **kwargs):
    """`work(*args, **kwargs)` in a worker thread (or `executor`, e.g. a process pool);
    TooComplex when it takes over `seconds`.

    The worker cannot be stopped, but the checks above bound what it can be given, and the
    caller stops waiting and goes on."""
    running = asyncio.get_running_loop().run_in_executor(executor, partial(work, *args, **kwargs))
    try:
        return await asyncio.wait_for(running, seconds)
    except TimeoutError:
        raise TooComplex(f"took more than {seconds:g} s to parse") from None
