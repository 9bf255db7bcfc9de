"""Response bodies decoded as they arrive, never past the size cap.

A compressed body is small on the wire and can be huge once decoded (2.5 kB
of `gzip, gzip` is 2 GB). So the client reads the raw bytes and decodes them
here, one content coding at most, with zlib's `max_length`: no step ever
produces more than what is still allowed, and the cap is enforced on the
decoded bytes as they are produced, not after.

Codings understood: `gzip` (and its alias `x-gzip`) and `deflate` (zlib, or
raw deflate as some servers send it). `br` is neither asked for nor accepted:
the brotli module is not a dependency of Relais. `identity` is no coding.
"""

from __future__ import annotations

import zlib

ACCEPT_ENCODING = "gzip, deflate"
GZIP = 16 + zlib.MAX_WBITS


class DecodeRefused(Exception):
    """The body cannot be decoded safely; the message is the one-line reason."""


class OverLimit(Exception):
    """The decoded body grew past the cap."""


def codings(header: str | None) -> list[str]:
    """The content codings a `Content-Encoding` header lists, `identity` left out."""
    found = [c.strip().lower() for c in (header or "").split(",")]
    return [c for c in found if c and c != "identity"]


class BoundedDecoder:
    """Feed raw chunks with `feed`, then `finish`; each returns decoded bytes, never more in
    total than `limit` (OverLimit is raised the moment the decoded size would pass it)."""

    def __init__(self, header: str | None, limit: int):
        found = codings(header)
        if len(found) > 1:
            raise DecodeRefused(f"refused: {len(found)} content codings ({', '.join(found)}); "
                                "at most one is accepted")
        self.coding = found[0] if found else None
        if self.coding not in (None, "gzip", "x-gzip", "deflate"):
            raise DecodeRefused(f"refused: unsupported content coding {self.coding!r} "
                                "(gzip or deflate only)")
        self.limit = limit
        self.size = 0
        self._zlib = None
        if self.coding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(GZIP)
        self._first = self.coding == "deflate"  # zlib-wrapped or raw: told by the first bytes

    def _count(self, data: bytes) -> bytes:
        self.size += len(data)
        if self.size > self.limit:
            raise OverLimit()
        return data

    def _room(self) -> int:
        # one byte more than allowed: a step that fills it is over the limit, and a step that
        # does not fill it stopped for want of input, with nothing left pending inside zlib
        return self.limit - self.size + 1

    def feed(self, chunk: bytes) -> bytes:
        if self.coding is None:
            return self._count(chunk)
        if self._first:
            self._first = False
            # RFC 9110's deflate is the zlib format; some servers send raw deflate
            wrapped = len(chunk) >= 2 and (chunk[0] & 0x0F) == 8 and \
                int.from_bytes(chunk[:2], "big") % 31 == 0
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        parts = []
        data = chunk
        try:
            while data and not self._zlib.eof:
                parts.append(self._count(self._zlib.decompress(data, self._room())))
                data = self._zlib.unconsumed_tail
        except zlib.error as error:
            raise DecodeRefused(f"undecodable {self.coding} body ({error})") from None
        return b"".join(parts)

    def finish(self) -> bytes:
        if self._zlib is None:
            return b""
        try:
            return self._count(self._zlib.flush())
        except zlib.error as error:
            raise DecodeRefused(f"undecodable {self.coding} body ({error})") from None
