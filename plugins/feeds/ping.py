"""WebSub: tell the hub which feeds changed since the last announcement (`hub.mode=publish`).

What was announced is remembered in WEBSUB_STATE (feed URL -> SHA-256 of the
file), committed like the rest of data/; a feed is remembered only once the
hub accepted it (2xx), so a failed ping is retried next time.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from relais.plugins.feeds.config import Config

from relais.net.client import FetchError, HttpClient
from relais.store import read_json, write_json


class PingError(Exception):
    """The ping cannot be made (no hub, no feeds); one line."""


@dataclass
class PingReport:
    announced: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    unchanged: int = 0


def current_feeds(output: Path, config: Config) -> dict[str, str]:
    """Feed URL -> SHA-256 of its file, for every feed in the built output."""
    found = {}
    for pattern in config.feed_globs():
        for path in sorted(output.glob(pattern)):
            relative = path.relative_to(output).as_posix()
            found[f"{config.base}/{relative}"] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def changed(current: dict[str, str], last: dict[str, str]) -> list[str]:
    return sorted(url for url, digest in current.items() if last.get(url) != digest)


async def announce(hub: str, urls: list[str], client: HttpClient) -> dict[str, str | None]:
    """POST `hub.mode=publish&hub.url=...` once per feed; URL -> None if accepted, else why not."""

    async def one(url):
        try:
            response = await client.post(hub, data={"hub.mode": "publish", "hub.url": url})
        except FetchError as error:
            return url, str(error)
        return url, None if 200 <= response.status < 300 else f"the hub answered {response.status}"

    return dict(await asyncio.gather(*(one(url) for url in urls)))


def ping(config: Config, output: Path, *, everything=False, dry_run=False,
         allow_private=None) -> PingReport:
    hub, base, state_path = config.hub, config.base, config.websub_state
    if not hub:
        raise PingError("setting WEBSUB_HUB is not set: there is no hub to ping")
    if base is None:
        raise PingError("SITEURL is not an absolute http(s) URL: the feeds have no address")
    current = current_feeds(Path(output), config)
    if not current:
        raise PingError(f"{output}: no feed found; build the site first (relais build --publish)")
    state = read_json(state_path, default={}) or {}
    last = {} if everything or state.get("hub") != hub else state.get("feeds", {})
    urls = sorted(current) if everything else changed(current, last)
    report = PingReport(unchanged=len(current) - len(urls))
    if dry_run or not urls:
        report.announced = urls
        return report

    async def run():
        async with HttpClient(site_url=base, allow_private=allow_private) as client:
            return await announce(hub, urls, client)

    for url, problem in sorted(asyncio.run(run()).items()):
        if problem is None:
            report.announced.append(url)
            last[url] = current[url]
        else:
            report.failed[url] = problem
    write_json(state_path, {"hub": hub, "feeds": {u: d for u, d in last.items() if u in current}})
    return report
