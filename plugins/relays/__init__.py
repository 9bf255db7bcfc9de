"""Relays, not targets: the private relationship ledger (`relais relays`).

Stages, one module each: `config` (settings, where the ledger lives), `ledger` (the file),
`sources` (what the blogroll, the Webmentions and the stories know, through their own
functions), `gather` (sources -> evidence), `qualify` (a proposal's facts and why),
`reach` (ten who reach ten), `weekly` (the week's view), `consent` (asking before
featuring), `partners` (the public list of those who agreed), `render` (terminal and
HTML), `desk` (the ledger opened with its sources), `server` (the private page), `cli`.
The build only reads the public partners list (`pelican.py`), never the ledger.
"""

from pelican import signals
from relais.plugins.relays.config import SETTINGS  # noqa: F401  (declares them)
from relais.plugins.relays.pelican import add_partners


def register():
    signals.all_generators_finalized.connect(add_partners)
