"""The blogroll of like-minded creators: the file, the refresh, reciprocity, discovery.

Pipeline, one module a stage: `model` (the YAML file), `opml` (in and out),
`cache` (data/blogroll/), `parse` (feeds, h-cards, blogrolls), `refresh`
(the network, through the shared client), `reciprocity`, `text` and `rank`
(discovery's pure scoring), `discover` (the crawl), `render` (what templates
get), `glue` (Pelican) and `commands` (the CLI).
"""

from __future__ import annotations

from pelican import signals
from relais.plugins.blogroll.config import SETTINGS  # noqa: F401  (declares them)
from relais.plugins.blogroll.pelican import add_to_context, write_blogroll


def register():
    signals.all_generators_finalized.connect(add_to_context)
    signals.article_writer_finalized.connect(write_blogroll)
