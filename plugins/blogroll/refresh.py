"""`relais blogroll refresh`: fetch every creator's feed, h-card and blogroll, politely.

All creators are refreshed at once; the shared HTTP client keeps the pace
(per-host and total limits, Retry-After). Each resource is fetched with the
validators stored last time, so an unchanged site answers 304 and costs no
download and no parsing. A creator whose fetch fails keeps its last good
data and gets one line saying why; validators are kept only for data that
is kept (a blogroll dropped because it is gone takes its validators with
it, so it can come back). A site whose home page fails (5xx, 429, no
connection) is asked nothing else that run; a wait it asked for with
Retry-After is written in its state and honoured by the next runs.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from relais.plugins.blogroll.cache import (
    AVATARS,
    MAX_MEMBERS,
    load_state,
    save_state,
    snapshot,
    sweep_temporary,
)
from relais.plugins.blogroll.model import Creator, belongs_to, site_identity
from relais.plugins.blogroll.parse import ParseError, parse_blogroll, parse_feed, parse_home

from relais import avatar, bounded
from relais.net.client import FetchError, HttpClient, retry_after_seconds, run
from relais.store import write_atomic

PARSE_POOL_MIN = 50  # creators from which feeds are parsed in a worker process
WELL_KNOWN = "/.well-known/recommendations.opml"
@dataclass
class Outcome:
    """What one creator's refresh did, for the summary table and the benchmark."""

    key: str
    name: str
    result: str = "ok"  # ok, unchanged, failing, gone, waiting
    problems: list[str] = field(default_factory=list)
    new_entries: int = 0
    requests: int = 0
    bodies: int = 0  # responses with a body (200)
    feed_bodies: int = 0


class HostDown(FetchError):
    """Not asked: the site's home page failed this run."""


class Fetcher:
    """Conditional GETs for one creator: sends the stored validators, keeps the new ones;
    remembers the hosts that failed and the waits asked for (Retry-After)."""

    def __init__(self, client: HttpClient, state: dict, outcome: Outcome, pool=None,
                 now: datetime | None = None):
        self.client = client
        self.pool = pool
        self.validators: dict = state["validators"]
        self.outcome = outcome
        self.used: set[str] = set()
        self.down: dict[str, str] = {}  # host -> why nothing more is asked of it
        self.now = now or datetime.now(UTC)
        self.wait_until: datetime | None = None

    def mark_down(self, url: str, why: str) -> None:
        self.down.setdefault(urlsplit(url).hostname or "", why)

    async def get(self, url: str, conditional: bool = True):
        why = self.down.get(urlsplit(url).hostname or "")
        if why:
            self.used.add(url)  # nothing learnt about it: its validators stay
            raise HostDown(url, f"not asked: {why}")
        headers = {}
        known = self.validators.get(url, {}) if conditional else {}
        if known.get("etag"):
            headers["If-None-Match"] = known["etag"]
        if known.get("last_modified"):
            headers["If-Modified-Since"] = known["last_modified"]
        self.outcome.requests += 1
        response = await self.client.get(url, headers=headers)
        self.used.add(url)
        if response.status == 200:
            self.outcome.bodies += 1
        asked = retry_after_seconds(response.headers.get("retry-after"))
        if response.status in (429, 503) and asked:
            until = self.now + timedelta(seconds=asked)
            self.wait_until = max(self.wait_until or until, until)
        return response

    def problem(self, what: str, url: str, response) -> str:
        """One line for an answer that is not the document; true about any wait."""
        status = response.status
        if status not in (429, 503):
            return f"{what} {url}: HTTP {status}"
        asked = retry_after_seconds(response.headers.get("retry-after"))
        if asked is None:
            return f"{what} {url}: still HTTP {status} after {self.client.retries} retries"
        until = (self.now + timedelta(seconds=asked)).isoformat(timespec="minutes")
        if asked > self.client.max_retry_after or not self.client.retries:
            return (f"{what} {url}: HTTP {status}, asked to wait {asked:g} s (Retry-After); "
                    f"not asked again before {until}")
        return (f"{what} {url}: still HTTP {status} after waiting {asked:g} s as asked "
                f"(Retry-After); not asked again before {until}")

    async def parse(self, work: partial):
        """Parse off the event loop, so that the other requests go on, within
        bounded.PARSE_SECONDS: in a thread, or in the worker process when there is one (a big
        refresh: the feed parser is the costliest part). ParseError when it takes longer."""
        try:
            return await bounded.off_loop(work, executor=self.pool)
        except bounded.TooComplex as error:
            raise ParseError(f"refused: {error}") from None

    def remember(self, url: str, response) -> None:
        """Keep the validators of a good 200 answer (under its final URL)."""
        entry = {
            k: v
            for k, v in (
                ("etag", response.headers.get("etag")),
                ("last_modified", response.headers.get("last-modified")),
            )
            if v
        }
        self.validators.pop(url, None)
        if entry:
            self.validators[response.url] = entry
            self.used.add(response.url)

    def forget(self, url: str) -> None:
        self.validators.pop(url, None)


async def _refresh_home(fetch: Fetcher, creator: Creator, state: dict) -> None:
    state.setdefault("home", {"feeds": [], "blogrolls": []})
    response = await fetch.get(creator.site)
    if response.status == 304:
        return
    if response.status >= 500 or response.status == 429:
        fetch.mark_down(creator.site, f"the site answered HTTP {response.status} on its home page")
    if response.status != 200:
        fetch.outcome.problems.append(fetch.problem("home page", creator.site, response))
        return
    try:
        found = await fetch.parse(partial(parse_home, response.text, response.url))
    except ParseError as error:
        fetch.outcome.problems.append(f"home page {creator.site}: {error}")
        return
    state["card"] = found.card
    state["rel_me"] = found.rel_me
    state["home"] = {"feeds": found.feeds, "blogrolls": found.blogrolls}
    fetch.remember(creator.site, response)


def _feed_url(creator: Creator, state: dict) -> str | None:
    feed = state["feed"]
    if creator.feed and feed.get("moved_from") == creator.feed and feed.get("url"):
        return feed["url"]  # moved permanently: follow the new address until the file is updated
    if creator.feed:
        return creator.feed
    discovered = state.get("home", {}).get("feeds") or []
    return discovered[0] if discovered else (feed.get("url") or None)


async def _refresh_feed(fetch: Fetcher, creator: Creator, state: dict, keep: int) -> bool:
    """Fetch and parse the feed; True when the feed answered (200 with entries, or 304)."""
    feed = state["feed"]
    url = _feed_url(creator, state)
    problems = fetch.outcome.problems
    if not url:
        problems.append(f'no feed: none given and no <link rel="alternate"> on {creator.site}')
        return False
    if feed.get("gone") and feed.get("url") == url:
        problems.append(f"feed {url} is gone (410); not fetched again until its URL changes")
        fetch.outcome.result = "gone"
        fetch.used.add(url)
        return False
    response = await fetch.get(url)
    if response.status == 304:
        if feed.get("empty"):  # still the empty feed of last time
            problems.append(f"feed {url}: no entries; keeping the last good ones")
            return False
        fetch.outcome.result = "unchanged"
        return True
    if response.status == 410:
        feed.update(url=url, status=410, gone=True)
        fetch.forget(url)
        problems.append(f"feed {url} is gone (410)")
        fetch.outcome.result = "gone"
        return False
    if response.status != 200:
        problems.append(fetch.problem("feed", url, response))
        return False
    fetch.outcome.feed_bodies += 1
    try:
        parsed = await fetch.parse(
            partial(
                parse_feed,
                response.content,
                response.url,
                response.headers.get("content-type", ""),
                keep=keep,
            )
        )
    except ParseError as error:
        problems.append(f"feed {url}: {error}; keeping the last good entries")
        return False
    if response.permanent_url:
        feed["moved_from"] = url if url == creator.feed else feed.get("moved_from") or url
        problems.append(f"feed moved permanently to {response.url}: update blogroll.yaml")
    if not parsed.entries:  # a valid feed with no entry: nothing to replace what we had
        problems.append(f"feed {url}: no entries; keeping the last good ones")
        feed.update(url=response.url, status=200, gone=False, title=parsed.title, empty=True)
        fetch.remember(url, response)  # asked again with its validators, not downloaded again
        return False
    known = {e["url"] for e in state["entries"]}
    fetch.outcome.new_entries = sum(1 for e in parsed.entries if e["url"] not in known)
    state["entries"] = parsed.entries
    feed.update(url=response.url, status=200, gone=False, title=parsed.title, empty=False)
    feed["source_blogroll"] = parsed.blogroll
    fetch.remember(url, response)
    return True


async def _refresh_blogroll(fetch: Fetcher, creator: Creator, state: dict) -> None:
    """Their blogroll: rel=blogroll, <source:blogroll>, else the well-known recommendations.opml."""
    roll = state["blogroll"]
    sources = list(
        dict.fromkeys(
            state.get("home", {}).get("blogrolls", [])
            + ([state["feed"]["source_blogroll"]] if state["feed"].get("source_blogroll") else [])
        )
    )
    explicit = bool(sources)
    if not explicit:
        sources = [urljoin(creator.site, WELL_KNOWN)]
    by_source: dict = roll.get("by_source", {})
    for url in sources:
        try:
            response = await fetch.get(url)
        except FetchError as error:
            fetch.outcome.problems.append(f"blogroll {error.url}: {error.reason}")
            continue
        if response.status == 304:
            continue
        if response.status in (404, 410):  # no blogroll there (any more): its data goes,
            had = by_source.pop(url, None)  # and its validators with it, so it can come back
            fetch.forget(url)
            if explicit or had:
                fetch.outcome.problems.append(fetch.problem("blogroll", url, response))
            continue
        if response.status != 200:  # a passing failure: the last good blogroll stays
            if explicit or url in by_source:
                fetch.outcome.problems.append(fetch.problem("blogroll", url, response))
            continue
        try:
            by_source[url] = await fetch.parse(partial(parse_blogroll, response.content, url))
        except ParseError as error:
            fetch.outcome.problems.append(f"blogroll {url}: {error}")
            continue
        fetch.remember(url, response)
    by_source = {url: members for url, members in by_source.items() if url in sources}
    merged: dict[str, dict] = {}
    for url in sources:
        for member in by_source.get(url, []):
            if member["site"] and not belongs_to(member["site"], creator.site):
                merged.setdefault(site_identity(member["site"]), member)
    state["blogroll"] = {
        "sources": [u for u in sources if u in by_source],
        "by_source": by_source,
        "members": sorted(merged.values(), key=lambda m: (m["title"].lower(), m["site"]))[
            :MAX_MEMBERS
        ],
    }


async def _refresh_avatar(fetch: Fetcher, creator: Creator, state: dict, directory: Path) -> None:
    """A local copy of their h-card photo, so the built site shows it offline and privately,
    under the one policy for other people's pictures (relais.avatar)."""
    photo = state["card"].get("photo")
    if not photo:
        return
    have = state.get("avatar") and (directory / state["avatar"]).exists()
    response = await fetch.get(photo, conditional=bool(have))
    if response.status == 304:
        return
    try:
        name = f"{AVATARS}/{avatar.accepted(photo, response)}"
    except avatar.Refused as error:
        fetch.outcome.problems.append(f"photo {photo}: {error}")
        return
    await asyncio.to_thread(write_atomic, directory / name, response.content)
    state["avatar"] = name
    fetch.remember(photo, response)


async def refresh_creator(
    client: HttpClient,
    creator: Creator,
    directory: Path,
    *,
    keep: int,
    now: datetime,
    avatar: bool = True,
    pool=None,
) -> Outcome:
    """Refresh one creator and save its state; never raises for what the network does."""
    outcome = Outcome(creator.key, creator.name)
    stored, corrupt = load_state(directory, creator.key, creator.site)
    if corrupt:
        outcome.problems.append(f"{corrupt}; starting afresh")
    waiting = _parse_moment(stored.get("wait_until"))
    if waiting and waiting > now:
        outcome.result = "waiting"
        outcome.problems.append(f"asked to wait until {waiting.isoformat(timespec='minutes')} "
                                "(Retry-After): nothing asked this run, last data kept")
        return outcome
    state = snapshot(stored)
    state["name"] = creator.name
    fetch = Fetcher(client, state, outcome, pool, now)
    feed_ok = False
    for step in ("home", "feed", "blogroll", "avatar") if avatar else ("home", "feed", "blogroll"):
        try:
            if step == "home":
                await _refresh_home(fetch, creator, state)
            elif step == "feed":
                feed_ok = await _refresh_feed(fetch, creator, state, keep)
            elif step == "blogroll":
                await _refresh_blogroll(fetch, creator, state)
            else:
                await _refresh_avatar(fetch, creator, state, directory)
        except FetchError as error:
            outcome.problems.append(f"{step} {error.url}: {error.reason}")
            if step == "home":  # unreachable: the other requests would only fail the same way
                fetch.mark_down(creator.site, f"its home page failed ({error.reason})")
        except Exception as error:  # a parser choking on hostile input must not stop the others
            outcome.problems.append(f"{step}: unexpected {type(error).__name__}: {error}")
    stamp = now.astimezone(UTC).isoformat(timespec="seconds")
    state["validators"] = {u: v for u, v in state["validators"].items() if u in fetch.used}
    state["wait_until"] = fetch.wait_until.isoformat(timespec="seconds") \
        if fetch.wait_until else None
    state["last_attempt"] = stamp
    if feed_ok:
        state["last_success"] = stamp
    if outcome.problems:
        state["last_error"] = "; ".join(outcome.problems)
        state["failing_since"] = (state.get("failing_since") or stamp) if not feed_ok else None
        if outcome.result not in ("gone",):
            outcome.result = (
                "ok"
                if feed_ok and outcome.result != "unchanged"
                else (outcome.result if feed_ok else "failing")
            )
    else:
        state["last_error"] = None
        state["failing_since"] = None
    # fsync is slow on some disks: keep it off the event loop so other requests go on
    await asyncio.to_thread(save_state, directory, creator.key, state)
    return outcome


def _parse_moment(value) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment


async def refresh_all(
    creators: list[Creator],
    directory: Path,
    *,
    site_url: str = "",
    allow_private: bool | None = None,
    keep: int = 10,
    total: int = 16,
    per_host: int = 2,
    timeout: float = 10.0,
    max_retry_after: float = 60.0,
    now: datetime | None = None,
    progress: Callable[[Outcome], None] | None = None,
    pool_from: int = PARSE_POOL_MIN,
) -> list[Outcome]:
    """Refresh every creator concurrently within the client's limits; outcomes in blogroll order."""
    now = now or datetime.now(UTC)
    directory = Path(directory)
    if directory.is_dir():
        sweep_temporary(directory)  # what a killed run may have left
    pool = None
    if len(creators) >= pool_from:
        pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    async with HttpClient(
        site_url=site_url,
        allow_private=allow_private,
        total=total,
        per_host=per_host,
        timeout=timeout,
        max_retry_after=max_retry_after,
    ) as client:

        async def one(creator: Creator) -> Outcome:
            outcome = await refresh_creator(
                client, creator, directory, keep=keep, now=now, pool=pool
            )
            if progress:
                progress(outcome)
            return outcome

        try:
            return list(await asyncio.gather(*(one(c) for c in creators)))
        finally:
            if pool is not None:
                pool.shutdown()


def refresh(creators: list[Creator], directory: Path, **options) -> list[Outcome]:
    return run(refresh_all(creators, directory, **options))
