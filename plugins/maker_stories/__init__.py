"""Maker stories: story metadata, post kinds, series and reading time for Pelican.

The work is done in `facts` and `series` (pure); this module only connects
them to Pelican's signals and writes the series pages.
"""

from __future__ import annotations

from pelican import signals
from relais.plugins.maker_stories.pelican import (
    check_settings,
    default_templates,
    enrich_all,
    move_maker_status,
    write_pieces_pages,
    write_series_pages,
)


def register():
    signals.initialized.connect(check_settings)
    signals.generator_init.connect(default_templates)
    signals.article_generator_context.connect(move_maker_status)
    signals.page_generator_context.connect(move_maker_status)
    signals.all_generators_finalized.connect(enrich_all)
    signals.article_writer_finalized.connect(write_series_pages)
    signals.article_writer_finalized.connect(write_pieces_pages)
