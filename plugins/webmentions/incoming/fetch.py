"""`relais mentions fetch`: read a JF2 mentions API (webmention.io or our receiver) into
the archive.

For each of the site's domains, pages of `/api/mentions.jf2?domain=…` are
read from the last `wm-id` seen (`since_id`), oldest first, until a short
page. Nothing is written unless every request succeeded: an API that is
down, answers an error, or sends something that is not (whole) JSON leaves
the archive exactly as it was.
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


async def read_pages(client: HttpClient, api: str, token: str | None, domain: str,
                     since_id: int, on_page: Callable[[int], None] | None = None) -> list[dict]:
    """Every JF2 entry after `since_id` for the domain, in the order the API gives them."""
    entries: list[dict] = []
    for page in range(MAX_PAGES):
        query = {"domain": domain, "per-page": PER_PAGE, "page": page,
                 "sort-by": "created", "sort-dir": "up"}
        if since_id:
            query["since_id"] = since_id
        if token:
            query["token"] = token
        url = f"{api}?{urlencode(query)}"
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
        entries.extend(children)
        if on_page:
            on_page(len(children))
        if len(children) < PER_PAGE:
            return entries
    raise FetchFailed(f"{api}: more than {MAX_PAGES} pages; stopped")


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
                wm_id = entry.get("wm-id")
                if isinstance(wm_id, int) and not isinstance(wm_id, bool):
                    top = max(top, wm_id)
            cursors[key] = top
    changes = archive_file.merge(archive, merged)
    archive.cursors.update(cursors)
    written = archive_file.save(archive_path, archive)
    return FetchReport(changes, len(merged), skipped, written)
