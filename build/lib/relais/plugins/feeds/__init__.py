"""Feeds: Atom, RSS 2.0 and JSON Feed 1.1 with feedgen, per section, with WebSub.

The documents are made by pure modules (`model`, `plan`, `urls`,
`xmlfeeds`, `jsonfeed`); `glue` connects them to Pelican; `ping` announces
changed feeds to the WebSub hub. See docs/feeds.md.
"""

from __future__ import annotations

from pelican import signals
from relais.plugins.feeds.config import SETTINGS  # noqa: F401  (declares them)
from relais.plugins.feeds.pelican import check_site_url, plan_feeds, write_feeds


def register():
    signals.initialized.connect(check_site_url)
    signals.all_generators_finalized.connect(plan_feeds)
    signals.article_writer_finalized.connect(write_feeds)
