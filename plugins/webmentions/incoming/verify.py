"""Asynchronous verification of one (source, target) pair, through the shared HTTP client.

The source is fetched with tight limits (5 s, 1 MB, 5 redirects, the SSRF
guard); it must be HTML and link to the target. The verdict says what to
do with the pair: keep the parsed mention, remove it (the source answered
410 or no longer links), or leave things as they were (any other failure:
a remote that is down never erases what we had).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from relais.plugins.webmentions.incoming.links import links_to
from relais.plugins.webmentions.incoming.parse import mention_from_html

from relais.net.client import FetchError, HttpClient

SOURCE_LIMITS = {"timeout": 5.0, "max_bytes": 1_000_000, "max_redirects": 5, "retries": 0}
HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass
class Verdict:
    action: str            # keep | remove | ignore
    reason: str            # one line for the status page and the log
    mention: dict | None = None


def source_client(*, site_url: str = "", allow_private: bool | None = None,
                  per_host: int = 4, total: int = 16, timeout: float | None = None) -> HttpClient:
    limits = {**SOURCE_LIMITS, **({"timeout": timeout} if timeout else {})}
    return HttpClient(site_url=site_url, allow_private=allow_private, per_host=per_host,
                      total=total, **limits)


async def verify(client: HttpClient, source: str, target: str, *, received: str,
                 via: str = "receiver") -> Verdict:
    try:
        response = await client.get(source, headers={"Accept": "text/html, application/xhtml+xml"})
    except FetchError as error:
        return Verdict("ignore", f"source not fetched: {error.reason}")
    if response.status == 410:
        return Verdict("remove", "source is gone (410)")
    if response.status != 200:
        return Verdict("ignore", f"source answered HTTP {response.status}")
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in HTML_TYPES:
        return Verdict("remove", f"source is not HTML ({content_type or 'no Content-Type'})")
    if not links_to(response.text, response.url, target):
        return Verdict("remove", "source does not link to target")
    # mf2py is CPU work: off the event loop so that other fetches go on meanwhile
    mention = await asyncio.to_thread(
        mention_from_html, response.text, source, target, received=received, via=via,
        base=response.url)
    return Verdict("keep", f"verified {mention['type']}", mention)
