"""Photos as a phone takes them, made with Pillow: big, JPEG, with EXIF (a GPS position, the
camera, an orientation). Deterministic for the same arguments."""

from __future__ import annotations

import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def phone_photo(path: Path, size: tuple[int, int] = (4032, 3024), *, seed: int = 7,
                orientation: int | None = None, quality: int = 95) -> Path:
    """A photo-like JPEG (soft shapes and sensor noise) carrying GPS EXIF, written to `path`."""
    width, height = size
    rng = random.Random(seed)
    sketch = Image.new("RGB", (max(1, width // 16), max(1, height // 16)), (200, 180, 160))
    draw = ImageDraw.Draw(sketch)
    for _ in range(40):
        x, y, r = rng.randrange(sketch.width), rng.randrange(sketch.height), rng.randrange(3, 60)
        draw.ellipse((x - r, y - r, x + r, y + r),
                     fill=(rng.randrange(256), rng.randrange(200), rng.randrange(150)))
    picture = sketch.filter(ImageFilter.GaussianBlur(4)).resize(size, Image.Resampling.BICUBIC)
    picture = Image.blend(picture, Image.effect_noise(size, 12).convert("RGB"), 0.08)
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "PhoneMaker", "Phone 15"
    if orientation:
        exif[ORIENTATION] = orientation
    exif[GPS_IFD] = {1: "N", 2: (47.0, 13.0, 7.2), 3: "W", 4: (1.0, 33.0, 12.5)}
    path.parent.mkdir(parents=True, exist_ok=True)
    picture.save(path, "JPEG", quality=quality, exif=exif.tobytes())
    return path


def metadata_of(path: Path) -> dict:
    """What metadata an image file still carries: EXIF tags, GPS, XMP, ICC, comments."""
    with Image.open(path) as image:
        exif = image.getexif()
        found = {"exif": dict(exif), "gps": dict(exif.get_ifd(GPS_IFD))}
        for key in ("xmp", "icc_profile", "comment", "XML:com.adobe.xmp"):
            if image.info.get(key):
                found[key] = True
    raw = path.read_bytes()
    if b"Exif\x00\x00" in raw or b"PhoneMaker" in raw:
        found["raw_exif"] = True
    return {key: value for key, value in found.items() if value}
