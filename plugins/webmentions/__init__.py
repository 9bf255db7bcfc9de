"""Webmentions: sent (discover, send, the sent log, tombstones) and received (the receiver,
fetching, the archive, each post's conversation).

Rooms: `config` (settings and the frozen Config), `pelican` (the glue, the
only module importing Pelican), `cli` (`relais mentions|webmention|receiver`),
`api` (what other plugins may read: `sent_targets`, `received_sources`), and
the stages: `targets`, `owed`, `tombstones`, `discovery`, `sending`,
`outcome`, `sentlog`, `journal`, `dispatch`, and `incoming/` (links, parse,
record, jf2, archive, fetch, manifest, checks, inbox, verify, worker,
receiver, avatars, display). See docs/webmentions-outgoing.md,
docs/webmentions-incoming.md and docs/failures.md.
"""

from __future__ import annotations

from relais.plugins.webmentions.config import SETTINGS  # noqa: F401  (declares them)


def register():
    # imported here, not above: the CLI and the stages import this package without Pelican
    from relais.plugins.webmentions.pelican import connect

    connect()
