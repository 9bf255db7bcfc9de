"""Send what a build owes: plan from the sent log, send concurrently, record every result.

The log is written atomically as results come in (at most every
`save_every` seconds, less often when the log is big, and at the end), so a
run killed at any moment leaves a valid log and the next run sends exactly
the pairs it does not show as settled. A failing remote only ever changes
its own pair's record.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from relais.plugins.webmentions import sentlog
from relais.plugins.webmentions.sending import FAILED, Outcome, send_webmention

from relais.net.client import HttpClient
from relais.store import StoreError, read_json, write_json

logger = logging.getLogger(__name__)


@dataclass
class Result:
    job: sentlog.Job
    outcome: Outcome


@dataclass
class Report:
    jobs: list[sentlog.Job]
    results: list[Result] = field(default_factory=list)

    def counts(self) -> Counter:
        return Counter(r.outcome.status for r in self.results)


def load_log(path: Path) -> dict:
    """The sent log, or an empty one; ValueError (one line naming the file) if unreadable."""
    try:
        return sentlog.check(read_json(path), str(path))
    except StoreError as error:
        raise ValueError(str(error)) from None


def plan(log_path: Path, posts: list[sentlog.Post], gone: set[str], policy: sentlog.Policy,
         now: datetime | None = None) -> tuple[dict, list[sentlog.Job]]:
    """The reconciled log (not yet saved) and the jobs owed now."""
    log = load_log(log_path)
    sentlog.reconcile(log, posts, gone)
    now = now or datetime.now(UTC)
    return log, sentlog.owed(log, posts, now, policy)


async def send_all(log_path: Path, posts: list[sentlog.Post], gone: set[str], *,
                   policy: sentlog.Policy, client_options: dict,
                   on_result: Callable[[Result], None] | None = None,
                   save_every: float = 0.25, now: datetime | None = None) -> Report:
    """Send every owed pair; the log on disk is valid at every moment."""
    now = now or datetime.now(UTC)
    original = load_log(log_path)
    log, jobs = plan(log_path, posts, gone, policy, now)
    report = Report(jobs)
    if log != original:
        write_json(log_path, log)
    targets_of = {post.source: post.targets for post in posts}
    last_save = time.monotonic()
    pause = save_every
    dirty = False

    async def one(client: HttpClient, job: sentlog.Job) -> None:
        nonlocal last_save, dirty, pause
        try:
            outcome = await send_webmention(client, job.source, job.target)
        except Exception as error:  # a bug must cost one pair, not the run and its log
            logger.exception("sending %s -> %s", job.source, job.target)
            outcome = Outcome(FAILED, f"internal error: {type(error).__name__}: {error}")
        linked = job.target in targets_of.get(job.source, ())
        sentlog.record(log, job, outcome, now, policy, linked)
        result = Result(job, outcome)
        report.results.append(result)
        dirty = True
        if time.monotonic() - last_save >= pause:
            writing = time.monotonic()
            write_json(log_path, log)
            last_save, dirty = time.monotonic(), False
            # a big log takes a while to write: keep writing under a tenth of the run's time
            pause = max(save_every, 10 * (last_save - writing))
        if on_result:
            on_result(result)

    try:
        async with HttpClient(**client_options) as client:
            await asyncio.gather(*(one(client, job) for job in jobs))
    finally:
        if dirty:
            write_json(log_path, log)
    return report


def dry_run(log_path: Path, posts: list[sentlog.Post], gone: set[str],
            policy: sentlog.Policy) -> list[sentlog.Job]:
    """The jobs a real run would send now; nothing is written."""
    _, jobs = plan(log_path, posts, gone, policy)
    return jobs
