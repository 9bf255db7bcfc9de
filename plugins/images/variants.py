"""Resized, metadata-free variants of one raster image, encoded once and kept in a cache.

Pure of Pelican. `prepare(source, cache, widths, quality)` returns the image's
`Prepared` description and whether it had to encode: the cache folder of an
image is named by the SHA-256 of its bytes and by the encoding choices, so an
unchanged file is never encoded twice, a changed one is encoded again, and a
renamed one is found again. A cache folder appears whole or not at all (written
aside, then renamed), so a killed build leaves no half-encoded image behind.

What is kept of a photo: its pixels, turned upright first (EXIF orientation
applied), converted to sRGB when it carries another colour profile. What is
dropped: EXIF (GPS position, camera, dates), XMP, IPTC, comments and the
colour profile itself.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageCms, ImageOps

RASTER = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP"}
MODERN = "webp"
ORIENTATION = 0x0112  # EXIF: how the stored pixels turn to stand upright
TURNED = (5, 6, 7, 8)  # the orientations that swap width and height
VERSION = 1  # bump when the encoding changes: every cached image is made again


@dataclass(frozen=True)
class Variant:
    name: str  # file name in the cache and, with the image's stem before it, in the output
    width: int
    height: int


@dataclass(frozen=True)
class Prepared:
    folder: Path  # the cache folder holding the files
    width: int  # the largest variant: what the image's own address serves
    height: int
    original: str  # cache file of the largest variant in the source's format
    modern: tuple[Variant, ...]  # WebP, by width
    fallback: tuple[Variant, ...]  # the source's own format (PNG for a WebP with alpha), by width


def is_raster(path: str | os.PathLike) -> bool:
    return Path(path).suffix.lower() in RASTER


def content_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cache_folder(cache: Path, digest: str, widths: tuple[int, ...], quality: int) -> Path:
    choices = f"v{VERSION}-q{quality}-w{'_'.join(map(str, widths))}"
    return cache / digest[:2] / f"{digest}-{choices}"


def prepare(source: Path, cache: Path, widths: tuple[int, ...], quality: int
            ) -> tuple[Prepared, bool]:
    """The variants of `source` (from the cache, or encoded now) and whether they were encoded."""
    folder = cache_folder(cache, content_hash(source), widths, quality)
    manifest = folder / "variants.json"
    if manifest.is_file():
        return _read(folder, manifest), False
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".encoding-", dir=folder.parent))
    try:
        description = encode(source, work, widths, quality)
        (work / "variants.json").write_text(json.dumps(description, sort_keys=True, indent=1))
        try:
            os.rename(work, folder)
        except OSError:  # another build made it meanwhile: theirs is as good
            shutil.rmtree(work, ignore_errors=True)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return _read(folder, manifest), True


def _read(folder: Path, manifest: Path) -> Prepared:
    data = json.loads(manifest.read_text())

    def variants(key):
        return tuple(Variant(name, w, h) for name, w, h in data[key])

    return Prepared(folder, data["width"], data["height"], data["original"],
                    variants("modern"), variants("fallback"))


def draft_size(stored: tuple[int, int], largest: int, turned: bool) -> tuple[int, int]:
    """The smallest stored size whose upright width still reaches `largest` (or the whole
    image): what the JPEG decoder may scale down to. `turned`: the photo is stored sideways."""
    width, height = stored
    upright_width, upright_height = (height, width) if turned else (width, height)
    want_width = min(largest, upright_width)
    want_height = -(-want_width * upright_height // upright_width)
    return (want_height, want_width) if turned else (want_width, want_height)


def upright(source: Path, largest: int) -> Image.Image:
    """The image's pixels turned upright, in sRGB, with no metadata attached."""
    with Image.open(source) as opened:
        if opened.format == "JPEG":  # decode a phone photo at 1/2, 1/4... of its size
            opened.draft("RGB", draft_size(opened.size, largest,
                                           opened.getexif().get(ORIENTATION, 1) in TURNED))
        image = ImageOps.exif_transpose(opened)
        image.load()
        profile = image.info.get("icc_profile")
        alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
        image = image.convert("RGBA" if alpha else "RGB")
        if profile:
            try:
                image = ImageCms.profileToProfile(
                    image, ImageCms.ImageCmsProfile(io.BytesIO(profile)),
                    ImageCms.createProfile("sRGB"), outputMode=image.mode)
            except (ImageCms.PyCMSError, OSError, ValueError):
                pass  # an unreadable profile: the pixels as they are
    image.info.clear()  # nothing of the file's metadata may be written again
    return image


def encode(source: Path, folder: Path, widths: tuple[int, ...], quality: int) -> dict:
    """Write the variants of `source` into `folder`; return their description."""
    image = upright(source, max(widths))
    kind = RASTER[source.suffix.lower()]
    has_alpha = image.mode == "RGBA"
    fallback_kind = "PNG" if kind == "PNG" or has_alpha else "JPEG"
    fallback_ext = "png" if fallback_kind == "PNG" else "jpg"
    original_kind = kind if kind != "JPEG" or not has_alpha else "PNG"
    targets = sorted({min(w, image.width) for w in widths}, reverse=True)
    modern, fallback = [], []
    current = image
    for width in targets:
        height = max(1, round(image.height * width / image.width))
        if (width, height) != current.size:
            current = current.resize((width, height), Image.Resampling.LANCZOS)
            current.info.clear()
        _save(current, folder / f"{width}.{MODERN}", "WEBP", quality)
        modern.append((f"{width}.{MODERN}", width, height))
        _save(current, folder / f"{width}.{fallback_ext}", fallback_kind, quality)
        fallback.append((f"{width}.{fallback_ext}", width, height))
    largest_width, largest_height = modern[0][1], modern[0][2]
    original_ext = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}[original_kind]
    original = f"{largest_width}.{original_ext}"
    if not (folder / original).exists():
        largest = image.resize((largest_width, largest_height), Image.Resampling.LANCZOS) \
            if image.width != largest_width else image
        largest.info.clear()
        _save(largest, folder / original, original_kind, quality)
    return {"width": largest_width, "height": largest_height, "original": original,
            "modern": sorted(modern, key=lambda v: v[1]),
            "fallback": sorted(fallback, key=lambda v: v[1])}


def _save(image: Image.Image, path: Path, kind: str, quality: int) -> None:
    if kind == "JPEG":
        image.save(path, "JPEG", quality=quality, optimize=True, progressive=True)
    elif kind == "WEBP":
        image.save(path, "WEBP", quality=quality, method=4)
    else:
        image.save(path, "PNG")
