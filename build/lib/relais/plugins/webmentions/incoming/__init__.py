"""Incoming Webmentions: the receiver service, its SQLite queue, source verification,
mf2 parsing, the webmention.io client, the archive in data/ and the display data.

Pure modules (no Pelican, no network of their own): `links` (does a page link to
a target?), `parse` (mf2 → mention record), `jf2` (record ↔ JF2 entry), `archive`
(idempotent merge into data/webmentions/received.json), `display` (grouping and
sanitising for the templates). Glue: `receiver` (starlette app), `queue`
(SQLite), `worker` (verification through the shared HTTP client), `fetch`
(webmention.io or our receiver's API), `commands` (the CLI).
"""
