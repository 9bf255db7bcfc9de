"""The blogroll of like-minded creators: the file, the refresh, reciprocity, discovery.

Pipeline, one module a stage: `model` (the YAML file), `opml` (in and out),
`cache` (data/blogroll/), `parse` (feeds, h-cards, blogrolls), `refresh`
(the network, through the shared client), `reciprocity`, `text` and `rank`
(discovery's pure scoring), `discover` (the crawl), `render` (what templates
get), `config` (the settings), `pelican` (the glue) and `cli` (the commands).
"""

from __future__ import annotations

from pelican import signals
from relais.plugins.blogroll.pelican import (
    add_to_context,
    check_settings,
    default_templates,
    rss_channel,
    write_blogroll,
)
from relais.plugins.core import autoescape_templates

from relais import signals as relais_signals


def register():
    signals.initialized.connect(check_settings)
    signals.generator_init.connect(autoescape_templates)  # it shows foreign data: never unescaped
    signals.generator_init.connect(default_templates)
    signals.all_generators_finalized.connect(add_to_context)
    signals.article_writer_finalized.connect(write_blogroll)
    relais_signals.rss_channel.connect(rss_channel)
