"""Images: every raster picture in the content made web-ready.

For each JPEG, PNG or WebP image the site publishes: resized variants (WebP and
the source's own format), encoded once and kept in a cache keyed by the file's
content hash, EXIF and other metadata removed after the orientation is applied;
every `<img>` that shows one gets `srcset`, `sizes`, `width` and `height`, inside
a `<picture>` offering WebP first; the first image of a page's main content
loads eagerly, the others lazily. SVG and GIF files pass through unchanged.

`variants` (Pillow, the cache) and `markup` (the HTML) do the work; `pelican`
connects them to Pelican's signals.
"""

from __future__ import annotations

from pelican import signals
from relais.plugins.images.pelican import check_settings, prepare_images, rewrite_page


def register():
    signals.initialized.connect(check_settings)
    signals.static_generator_finalized.connect(prepare_images)
    signals.content_written.connect(rewrite_page)
