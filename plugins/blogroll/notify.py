"""`relais blogroll refresh --notify`: tell each newly added creator, once, that our
blogroll now links to them (a webmention from the blogroll page to their home page).

Sent with the webmention plugin's `send_webmention` through the shared client.
`data/blogroll/notified.json` remembers every creator whose notification is
settled (sent, refused, no endpoint…) so nobody is told twice; a temporary
failure (`retry`) is tried again at the next run. Publish the site first: the
receiver checks that the page really links to them.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from urllib.parse import urljoin

from relais.plugins.blogroll.cache import NOTIFIED
from relais.plugins.blogroll.config import Config
from relais.plugins.blogroll.model import Creator, site_identity

from relais.net.client import HttpClient, run
from relais.store import StoreError, read_json, write_json


def blogroll_page_url(config: Config) -> str | None:
    """The public address of the blogroll page, or None without a public site address."""
    own = config.public_url
    if not own:
        return None
    return urljoin(own if own.endswith("/") else own + "/", config.url)


async def _send_all(pending: list[Creator], source: str, allow_private: bool | None):
    from relais.plugins.webmentions.sending import send_webmention

    async with HttpClient(site_url=source, allow_private=allow_private) as client:
        return await asyncio.gather(*(send_webmention(client, source, c.site) for c in pending))


def notify_new(
    config: Config,
    creators: list[Creator],
    *,
    allow_private: bool | None = None,
    now: datetime | None = None,
) -> list[str]:
    """Send the pending notifications; one line per creator notified or tried."""
    from relais.plugins.webmentions.sending import SETTLED

    source = blogroll_page_url(config)
    if not source:
        return [
            "notify: needs the site's public address (an absolute SITEURL or BLOGROLL_OWN_URLS)"
        ]
    path = config.data / NOTIFIED
    try:
        log = read_json(path, default={})
    except StoreError as error:
        return [f"notify: {error}"]
    log = log if isinstance(log, dict) else {}
    pending = [c for c in creators if site_identity(c.site) not in log]
    if not pending:
        return ["notify: everyone in the blogroll was already told"]
    outcomes = run(_send_all(pending, source, allow_private))
    stamp = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    lines = []
    for creator, outcome in zip(pending, outcomes, strict=True):
        lines.append(f"notify {creator.name} <{creator.site}>: {outcome.status} ({outcome.reason})")
        if outcome.status in SETTLED:
            log[site_identity(creator.site)] = {
                "site": creator.site,
                "source": source,
                "target": creator.site,
                "status": outcome.status,
                "reason": outcome.reason,
                "date": stamp,
            }
    write_json(path, log)
    return lines
