"""Send what a build owes: plan from the sent log, send concurrently, journal every result.

At the start, the log on disk (with the journal of a run that was killed
replayed into it) is reconciled with the build and written back, and the
journal is emptied. Then at most `total` pairs are in flight at once (at most
`per_host` per host), and each result is appended to the journal before its
slot goes to the next pair: a run killed at any moment re-sends, next time,
at most the pairs that were in flight. A host that asked us to wait
(Retry-After) gets nothing more this run; its pairs stay owed. At the
end the journal is compacted into the log. Every file write happens off the
event loop. A failing remote only ever changes its own pair's record.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from relais.plugins.webmentions import journal, sentlog
from relais.plugins.webmentions.sending import FAILED, Outcome, send_webmention

from relais.net.client import HttpClient
from relais.store import StoreError

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
    """The sent log with its journal replayed, or an empty one; ValueError (one line naming
    the file) if unreadable."""
    try:
        return sentlog.check(journal.read_raw(path), str(path))
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
                   now: datetime | None = None) -> Report:
    """Send every owed pair; the log and its journal on disk are valid at every moment."""
    now = now or datetime.now(UTC)
    log, jobs = await asyncio.to_thread(plan, log_path, posts, gone, policy, now)
    report = Report(jobs)
    await asyncio.to_thread(journal.compact, log_path, log)
    targets_of = {post.source: post.targets for post in posts}
    queues: dict[str, deque[sentlog.Job]] = {}
    for job in jobs:
        queues.setdefault(sentlog.host_of(job.target), deque()).append(job)
    in_flight = asyncio.Semaphore(client_options.get("total", 16))
    per_host = client_options.get("per_host", 2)

    async def one(client: HttpClient, book: journal.Journal, job: sentlog.Job, host: str):
        try:
            outcome = await send_webmention(client, job.source, job.target)
        except Exception as error:  # a bug must cost one pair, not the run and its log
            logger.exception("sending %s -> %s", job.source, job.target)
            outcome = Outcome(FAILED, f"internal error: {type(error).__name__}: {error}")
        linked = job.target in targets_of.get(job.source, ())
        sentlog.record(log, job, outcome, now, policy, linked)
        await book.append(journal.line_for(log, job.source, job.target, host))
        return Result(job, outcome)

    async def host_worker(client: HttpClient, book: journal.Journal, host: str,
                          waiting: deque[sentlog.Job]) -> None:
        while waiting and sentlog.host_ready(log, host, now):
            job = waiting.popleft()
            async with in_flight:  # held until the result is journaled
                result = await one(client, book, job, host)
            report.results.append(result)
            if on_result:
                on_result(result)

    try:
        with journal.Journal(journal.journal_path(log_path)) as book:
            async with HttpClient(**client_options) as client:
                await asyncio.gather(*(
                    host_worker(client, book, host, waiting)
                    for host, waiting in queues.items()
                    for _ in range(min(per_host, len(waiting)))))
    finally:
        await asyncio.to_thread(journal.compact, log_path, log)
    return report


def dry_run(log_path: Path, posts: list[sentlog.Post], gone: set[str],
            policy: sentlog.Policy) -> list[sentlog.Job]:
    """The jobs a real run would send now; nothing is written."""
    _, jobs = plan(log_path, posts, gone, policy)
    return jobs
