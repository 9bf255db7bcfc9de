"""The site's icon, from the owner's photo or her initial, so that no visit asks for a
favicon that is not there. Pure of Pelican.

- `AUTHOR_CARD['photo']` an SVG under `content/`: that drawing, as `favicon.svg`;
- a JPEG, PNG or WebP photo under `content/`: its centre, square, 180 px, as
  `favicon.png` (pixels only: no metadata of the photo is kept);
- otherwise (no photo, or one elsewhere): the first letter of the owner's name (or of
  the site's) in white on the theme's clay colour, as `favicon.svg`.
"""

from __future__ import annotations

import io
from html import escape
from pathlib import Path

from PIL import Image, ImageOps

SIZE = 180  # what phones use for a home-screen icon; browsers scale it down for tabs
RASTER = (".jpg", ".jpeg", ".png", ".webp")
INITIAL = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">'
           '<rect width="64" height="64" rx="14" fill="#a4532f"/>'
           '<text x="32" y="44" font-family="Georgia, serif" font-size="38" text-anchor="middle" '
           'fill="#ffffff">{letter}</text></svg>\n')


def local_photo(photo: str | None, content: Path) -> Path | None:
    if not photo or "://" in photo or photo.startswith("//"):
        return None
    path = content / photo.removeprefix("{static}").lstrip("/")
    return path if path.is_file() else None


def favicon_name(photo: str | None, content: Path) -> str:
    """The icon's file name in the output: favicon.png for a raster photo, else favicon.svg."""
    path = local_photo(photo, content)
    return "favicon.png" if path and path.suffix.lower() in RASTER else "favicon.svg"


def favicon(photo: str | None, content: Path, name: str) -> tuple[str, bytes]:
    """(file name, bytes) of the site's icon."""
    path = local_photo(photo, content)
    if path and path.suffix.lower() == ".svg":
        return "favicon.svg", path.read_bytes()
    if path and path.suffix.lower() in RASTER:
        with Image.open(path) as opened:
            square = ImageOps.fit(ImageOps.exif_transpose(opened).convert("RGBA"), (SIZE, SIZE))
        out = io.BytesIO()
        square.save(out, "PNG")
        return "favicon.png", out.getvalue()
    letter = next((char for char in name if char.isalnum()), "·").upper()
    return "favicon.svg", INITIAL.format(letter=escape(letter)).encode("utf-8")
