"""Pelican glue for images: prepare the raster images Pelican would copy, publish their
variants instead of the original file, and give each written page responsive `<img>`s."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path, PurePosixPath

from relais.plugins.images import markup, variants
from relais.plugins.images.config import config

from relais.settings import built

logger = logging.getLogger(__name__)


def check_settings(pelican):
    config(pelican.settings)


def _publish(cached: Path, target: Path) -> None:
    """Put a cache file into the output: a hard link where the file system allows (nothing
    copied), else a copy. An old file there is removed first, never written through."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_symlink() or target.exists():
        target.unlink()
    try:
        os.link(cached, target)
    except OSError:
        shutil.copyfile(cached, target)


def prepare_images(generator):
    """Take the raster images out of Pelican's copy list (the original, with its EXIF, is
    never published) and publish, under each one's address, its cleaned largest variant and
    beside it the resized ones."""
    cfg = config(generator.settings)
    kept, encoded, reused = [], 0, 0
    for static in generator.staticfiles:
        if not variants.is_raster(static.source_path):
            kept.append(static)
            continue
        prepared, fresh = variants.prepare(Path(static.source_path), cfg.cache, cfg.widths,
                                           cfg.quality)
        encoded, reused = encoded + fresh, reused + (not fresh)
        address = PurePosixPath(static.save_as.replace(os.sep, "/"))
        cfg.published[str(address)] = prepared
        target = cfg.output_path / address
        _publish(prepared.folder / prepared.original, target)
        for variant in {*prepared.modern, *prepared.fallback}:
            _publish(prepared.folder / variant.name,
                     target.with_name(f"{address.stem}-{variant.name}"))
    generator.staticfiles[:] = kept  # the very list Pelican copies from (its context's too)
    if generator.context.get("staticfiles") is not generator.staticfiles:
        generator.context["staticfiles"] = generator.staticfiles
    if encoded or reused:
        logger.info("images: %d encoded, %d reused from %s", encoded, reused, cfg.cache)


def rewrite_page(path, context):
    """Responsive markup for the prepared images a written HTML page shows."""
    cfg = built(context, "images")
    if cfg is None or not cfg.published or not str(path).endswith(".html"):
        return
    page = Path(path)
    text = page.read_text(encoding="utf-8")
    if "<img" not in text:
        return
    page_dir = page.resolve().parent.relative_to(cfg.output_path).as_posix()
    rewritten = markup.rewrite(text, "" if page_dir == "." else page_dir, cfg.site_url,
                               cfg.published.get, cfg.sizes)
    if rewritten != text:
        page.write_text(rewritten, encoding="utf-8")


def rewrite_key(settings):
    """What decides how `rewrite_page` changes a page besides its text: the images published
    and how. A page whose text and key are the same as the last build's is left as that
    build wrote it (relais.output)."""
    cfg = built(settings, "images")
    if cfg is None:
        return None
    return cfg.site_url, cfg.sizes, sorted((address, repr(prepared))  # repr: every field
                                           for address, prepared in cfg.published.items())


rewrite_page.page_rewrite_key = rewrite_key
