"""Fediverse: the site as one ActivityPub actor (`@FEDIVERSE_HANDLE@domain`), served by the
receiver; the static site links to it.

Rooms: `config` (settings and the frozen Config), `pelican` (the glue: the actor's
`rel=alternate` link in the pages), `cli` (`relais fediverse`, and the receiver extension),
and the stages: `keys` (the key pair), `actor` (the documents), `server` (the routes on the
receiver), `conversation` (likes, boosts and replies into the received archive),
`statichost` (what a static host needs to answer WebFinger). See docs/fediverse.md.
"""

from __future__ import annotations

from relais.plugins.fediverse.config import SETTINGS  # noqa: F401  (declares them)


def register():
    # imported here, not above: the CLI and the stages import this package without Pelican
    from relais.plugins.fediverse.pelican import connect

    connect()
