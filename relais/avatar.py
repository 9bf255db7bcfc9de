"""One policy for other people's pictures: the authors of mentions, the creators followed.

A picture from elsewhere is never hot-linked (that would tell its server who
reads the site, and break when it goes away): a command (`relais mentions
fetch`, `relais blogroll refresh`) downloads it once into `data/`, and the
build copies the stored file into the site. Before it is stored:

- it comes through the one HTTP client, at most `MAX_BYTES`;
- its bytes, not the Content-Type it was served with, must be a PNG, JPEG,
  GIF or WebP image: never SVG, which can carry script that would run on
  the site's own origin, nor anything else;
- it is at most `MAX_SIDE` pixels a side (a small file can declare a huge
  canvas that costs every reader's browser its memory);
- its file name is a hash of its URL and the type of its bytes: nothing
  from outside becomes a file name.

The build checks a stored file the same way again (`stored_ok`) before it
copies it: what is in `data/` may have been edited or written by an older
version.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

MAX_BYTES = 256_000
MAX_SIDE = 2048
ACCEPT = "image/png, image/jpeg, image/gif, image/webp"
STORED_NAME = re.compile(r"[0-9a-f]{24}\.(?:png|jpg|gif|webp)")
_JPEG_FRAMES = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


class Refused(Exception):
    """The picture is not stored; the message is one short reason."""


def sniff(content: bytes) -> str | None:
    """The file extension of the raster image these bytes are, or None."""
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return ".png"
    if content.startswith(b"\xff\xd8\xff"):
        return ".jpg"
    if content[:6] in (b"GIF87a", b"GIF89a"):
        return ".gif"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return ".webp"
    return None


def _jpeg_size(content: bytes) -> tuple[int, int] | None:
    pos = 2
    while pos + 9 <= len(content):
        if content[pos] != 0xFF:
            return None
        marker = content[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0x01, *range(0xD0, 0xDA)):  # markers without a length
            pos += 2
            continue
        if marker in _JPEG_FRAMES:
            return int.from_bytes(content[pos + 7:pos + 9], "big"), \
                int.from_bytes(content[pos + 5:pos + 7], "big")
        pos += 2 + int.from_bytes(content[pos + 2:pos + 4], "big")
    return None


def _webp_size(content: bytes) -> tuple[int, int] | None:
    kind = content[12:16]
    if kind == b"VP8 " and content[23:26] == b"\x9d\x01\x2a":
        return (int.from_bytes(content[26:28], "little") & 0x3FFF,
                int.from_bytes(content[28:30], "little") & 0x3FFF)
    if kind == b"VP8L" and content[20:21] == b"\x2f":
        bits = int.from_bytes(content[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if kind == b"VP8X":
        return (int.from_bytes(content[24:27], "little") + 1,
                int.from_bytes(content[27:30], "little") + 1)
    return None


def dimensions(content: bytes, extension: str) -> tuple[int, int] | None:
    """(width, height) read from the image's header, or None when it cannot be read."""
    if extension == ".png" and content[12:16] == b"IHDR":
        return int.from_bytes(content[16:20], "big"), int.from_bytes(content[20:24], "big")
    if extension == ".gif" and len(content) >= 10:
        return int.from_bytes(content[6:8], "little"), int.from_bytes(content[8:10], "little")
    if extension == ".jpg":
        return _jpeg_size(content)
    if extension == ".webp":
        return _webp_size(content)
    return None


def check(content: bytes) -> str:
    """The extension to store `content` under; Refused (with the reason) when it breaks a rule."""
    if len(content) > MAX_BYTES:
        raise Refused(f"over {MAX_BYTES:,} bytes")
    extension = sniff(content)
    if extension is None:
        return _refuse_type(content)
    size = dimensions(content, extension)
    if size is None or not all(size):
        raise Refused(f"a {extension[1:].upper()} whose size cannot be read")
    if max(size) > MAX_SIDE:
        raise Refused(f"{size[0]}×{size[1]} pixels, more than {MAX_SIDE} a side")
    return extension


def _refuse_type(content: bytes) -> str:
    head = content[:1024]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16, as an SVG may be written
        head = head.decode("utf-16", "ignore").encode("utf-8")
    head = head.lstrip().lower()
    if b"<svg" in head or head.startswith(b"<?xml"):
        raise Refused("SVG is not accepted (it can carry script): PNG, JPEG, GIF or WebP only")
    raise Refused("not a PNG, JPEG, GIF or WebP image")


def file_name(url: str, extension: str) -> str:
    """The stored file's name: a hash of the picture's URL and the extension of its bytes."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:24] + extension


def stored_ok(path: Path) -> bool:
    """Whether a stored picture still keeps every rule (its name and its bytes)."""
    if not STORED_NAME.fullmatch(path.name) or not path.is_file():
        return False
    try:
        with path.open("rb") as file:
            content = file.read(MAX_BYTES + 1)
        return check(content) == path.suffix
    except (OSError, Refused):
        return False


def accepted(url: str, response) -> str:
    """The name to store the picture at `url` under, from the client's 200 response (asked
    with `Accept: ACCEPT`); Refused when it breaks a rule."""
    if response.status != 200:
        raise Refused(f"HTTP {response.status}")
    return file_name(url, check(response.content))
