"""`relais mentions fetch`: read a JF2 mentions API (webmention.io or our receiver) into
the archive.

For each of the site's domains, pages of `/api/mentions.jf2?domain=…` are
read oldest first, until a short page. Every page asks for what comes after
the highest `wm-id` read so far (`since_id`), never for "page N": a mention
updated while we read gets a new, higher id and comes again in a later
page, while the rows behind it shift. With page offsets one of them would
be skipped for good; with the id as the cursor nothing is skipped, and an
entry read twice merges to the same record. Nothing is written unless every
request succeeded: an API that is down, answers an error, or sends
something that is not (whole) JSON leaves the archive exactly as it was.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from relais.plugins.webmentions.incoming import archive as archive_file
from relais.plugins.webmentions.incoming.jf2 import Jf2Error, from_jf2

from relais.net.client import FetchError, HttpClient

PER_PAGE = 100
MAX_PAGES = 10_000


class FetchFailed(Exception):
    """The API could not be read; one line naming the URL (the token left out)."""


@dataclass
class FetchReport:
    changes: archive_file.Changes
    entries: int
    skipped: list[str] = field(default_factory=list)
    written: bool = False


def cursor_key(api: str, domain: str) -> str:
    return f"{api}?domain={domain}"


def _shown(url: str) -> str:
    return url.split("token=")[0].rstrip("?&") if "token=" in url else url


def wm_id(entry) -> int | None:
    value = entry.get("wm-id") if isinstance(entry, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


async def read_pages(client: HttpClient, api: str, token: str | None, domain: str,
                     since_id: int, on_page: Callable[[int], None] | None = None) -> list[dict]:
    """Every JF2 entry after `since_id` for the domain, in the order the API gives them."""
    entries: list[dict] = []
    cursor = since_id
    for _ in range(MAX_PAGES):
        query = {"domain": domain, "per-page": PER_PAGE, "sort-by": "created", "sort-dir": "up"}
        if cursor:
            query["since_id"] = cursor
        if token:
            query["token"] = token
        url = f"{api}?{urlencode(query)}"
        children = await read_page(client, url)
        entries.extend(children)
        if on_page:
            on_page(len(children))
        if len(children) < PER_PAGE:
            return entries
        top = max((i for i in map(wm_id, children) if i is not None), default=None)
        if top is None or top <= cursor:
            raise FetchFailed(f"{_shown(url)}: a full page whose wm-id do not go past {cursor}; "
                              "the API does not page by since_id, so reading on could skip "
                              "or repeat mentions")
        cursor = top
    raise FetchFailed(f"{api}: more than {MAX_PAGES} pages; stopped")


async def read_page(client: HttpClient, url: str) -> list:
    try:
        response = await client.get(url, headers={"Accept": "application/json"})
    except FetchError as error:
        raise FetchFailed(f"{_shown(url)}: {error.reason}") from None
    if response.status != 200:
        raise FetchFailed(f"{_shown(url)}: HTTP {response.status}")
    try:
        feed = json.loads(response.text)
    except ValueError as error:
        raise FetchFailed(
            f"{_shown(url)}: the answer is not JSON or is cut off ({error})") from None
    children = feed.get("children") if isinstance(feed, dict) else None
    if not isinstance(children, list):
        raise FetchFailed(f"{_shown(url)}: the answer is not a JF2 feed (no 'children' list)")
    return children


async def fetch_into(archive_path: Path, *, api: str, token: str | None, domains: list[str],
                     full: bool = False, allow_private: bool | None = None, site_url: str = "",
                     on_page: Callable[[int], None] | None = None) -> FetchReport:
    """Fetch new mentions for every domain and merge them into the archive file."""
    archive = archive_file.load(archive_path)  # a corrupt archive stops us before any request
    via = "webmention.io" if urlsplit(api).hostname == "webmention.io" else "receiver"
    merged: list[dict] = []
    skipped: list[str] = []
    cursors = {}
    async with HttpClient(site_url=site_url, allow_private=allow_private, timeout=20.0) as client:
        for domain in domains:
            key = cursor_key(api, domain)
            since = 0 if full else archive.cursors.get(key, 0)
            entries = await read_pages(client, api, token, domain, since, on_page)
            top = since
            for entry in entries:
                try:
                    merged.append(from_jf2(entry, via))
                except Jf2Error as error:
                    skipped.append(f"{api}: {error}")
                    continue
                top = max(top, wm_id(entry) or 0)
            cursors[key] = top
    changes = archive_file.merge(archive, merged)
    archive.cursors.update(cursors)
    written = archive_file.save(archive_path, archive)
    return FetchReport(changes, len(merged), skipped, written)
