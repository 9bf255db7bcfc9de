"""Download the avatars of the people who mention us, once, for `relais mentions fetch`.

See `avatars` for why; this is its network half, kept apart so that the
build, which only copies the files, loads no HTTP code.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from pathlib import Path

from relais.plugins.webmentions.incoming.avatars import INDEX, read_index

from relais import avatar, foreign
from relais.net.client import FetchError, HttpClient
from relais.store import write_atomic, write_json


async def _download(client: HttpClient, url: str, folder: Path) -> str | None:
    """The stored file's name, or None when the picture cannot be had or breaks a rule
    (relais.avatar: raster bytes, size caps)."""
    try:
        response = await client.get(url, headers={"Accept": avatar.ACCEPT})
        name = avatar.accepted(url, response)
    except (FetchError, avatar.Refused):
        return None
    await asyncio.to_thread(write_atomic, folder / name, response.content)
    return name


async def download_avatars(urls: Iterable[str], folder: Path, *, retry_failed: bool = False,
                           allow_private: bool | None = None, site_url: str = "",
                           progress: Callable[[], None] | None = None) -> tuple[int, int]:
    """Fetch the photos not yet in the index; (downloaded, unusable)."""
    folder.mkdir(parents=True, exist_ok=True)
    index = read_index(folder)
    wanted = sorted({u for u in urls if foreign.url(u) == u
                     and (u not in index or (retry_failed and index[u] is None))})
    if not wanted:
        return 0, 0
    async with HttpClient(site_url=site_url, allow_private=allow_private, timeout=5.0,
                          max_bytes=avatar.MAX_BYTES, max_redirects=3, retries=0) as client:
        async def one(url):
            name = await _download(client, url, folder)
            if progress:
                progress()
            return url, name

        results = await asyncio.gather(*(one(u) for u in wanted))
    for url, name in results:
        index[url] = name
    write_json(folder / INDEX, dict(sorted(index.items())))
    good = sum(1 for _, name in results if name)
    return good, len(results) - good
