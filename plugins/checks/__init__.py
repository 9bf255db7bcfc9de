"""Content checks: every problem in the content stops the build as `file:line: Field: what to do`.

Unreadable or ambiguous dates, posts without a title or without metadata,
unknown fields (with the nearest known name), unknown languages, links to
files that are not there, images the settings name that are missing: all
found before any page is written, all reported at once (CONTENT_LENIENT or
`relais build --lenient`: as warnings). The work is in `dates`, `fields`,
`languages` and `links` (pure); `pelican` connects them.
"""

from __future__ import annotations

from pelican import signals
from relais.plugins.checks.config import SETTINGS  # noqa: F401  (declares them)
from relais.plugins.checks.pelican import (
    check_everything,
    checked_readers,
    start_report,
    stop_on_problems,
)


def register():
    signals.initialized.connect(start_report)
    signals.readers_init.connect(checked_readers)
    signals.static_generator_finalized.connect(check_everything)
    signals.get_writer.connect(stop_on_problems)
