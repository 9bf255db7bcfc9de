"""The images settings and the frozen Config built from them once per build."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from relais.settings import Setting, configured, data_path, declare, is_int, is_text


def is_widths(value: Any) -> str | None:
    if (not isinstance(value, list | tuple) or not value
            or not all(isinstance(w, int) and not isinstance(w, bool) and 16 <= w <= 8192
                       for w in value)):
        return "must be a non-empty list of widths in pixels (16 to 8192)"
    return None


SETTINGS = (
    Setting("IMAGES_CACHE", "data/cache/images", is_text,
            "Where the resized images are kept between builds (keyed by each file's content "
            "hash; not committed).", kind="data_path"),
    Setting("IMAGES_WIDTHS", [480, 960, 1600], is_widths,
            "Widths (px) of the variants of each raster image; the largest is also the most "
            "an image is published at, under its own address."),
    Setting("IMAGES_QUALITY", 80, is_int(30, 95), "Quality of the WebP and JPEG variants."),
    Setting("IMAGES_SIZES", "(min-width: 48rem) 46rem, 100vw", is_text,
            "The `sizes` of an image whose template or text gives none."),
)
declare(*SETTINGS)
NAMES = [s.name for s in SETTINGS]


@dataclass(frozen=True)
class Config:
    cache: Path
    widths: tuple[int, ...]
    quality: int
    sizes: str
    output_path: Path
    site_url: str
    # this build's published raster images: output path (posix, from the output root) -> Prepared
    published: dict = field(default_factory=dict)


def _make(settings: Mapping[str, Any]) -> Config:
    return Config(
        cache=data_path(settings, "IMAGES_CACHE"),
        widths=tuple(sorted(set(settings["IMAGES_WIDTHS"]))),
        quality=settings["IMAGES_QUALITY"],
        sizes=settings["IMAGES_SIZES"],
        output_path=Path(settings["OUTPUT_PATH"]).resolve(),
        site_url=(settings.get("SITEURL") or "").rstrip("/"),
    )


def config(settings) -> Config:
    """This build's images Config (the settings applied and checked the first time)."""
    return configured(settings, "images", NAMES, _make)
