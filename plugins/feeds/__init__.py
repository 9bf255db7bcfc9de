"""Feeds: Atom, RSS 2.0 and JSON Feed 1.1 with feedgen, per section, with WebSub.

The documents are made by pure modules (`model`, `ids`, `plan`, `urls`,
`xmlfeeds`, `jsonfeed`); `config` reads the settings once; `pelican`
connects them to Pelican; `ping` announces changed feeds to the WebSub hub.
See docs/feeds.md.
"""

from __future__ import annotations

from pelican import signals
from relais.plugins.feeds.pelican import plan_feeds, show_settings, take_over, write_feeds


def register():
    signals.initialized.connect(take_over)
    signals.generator_init.connect(show_settings)
    signals.all_generators_finalized.connect(plan_feeds)
    signals.article_writer_finalized.connect(write_feeds)
