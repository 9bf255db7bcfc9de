"""The background worker: claims queued jobs from SQLite and verifies them.

It runs in its own thread with its own event loop and database connection,
so that fetching and parsing sources never delays the receiver's answers.
`concurrency` tasks each claim one job at a time, so one slow source holds
up only itself. Outcomes: a verified mention is stored (or waits for
moderation when its domain is new and moderation is on); a source gone or
no longer linking removes the pair; any failure leaves things as they were.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from datetime import UTC, datetime

from relais.plugins.webmentions.incoming.inbox import Inbox, Job, domain_of
from relais.plugins.webmentions.incoming.record import now_iso
from relais.plugins.webmentions.incoming.verify import Verdict, source_client, verify

log = logging.getLogger(__name__)


def apply_verdict(inbox: Inbox, job: Job, verdict: Verdict, *, moderation: bool) -> str:
    """Record what verification decided; the outcome line for the status page.

    A mention verified from one kind of document (HTML, text, JSON) is changed only
    by a document of the same kind: a plain-text maintenance page in place of an
    HTML post neither deletes the reply nor turns it into a bare mention.
    """
    state = inbox.domain_state(domain_of(job.source))
    if state == "blocked":
        return "rejected: source domain is blocked"
    if verdict.action in ("keep", "unlinked"):
        before = inbox.verified_from(job.source, job.target)
        if before is not None and before != verdict.media:
            return (f"failed: the source now answers a {verdict.media} document, the mention "
                    f"was verified from {before}: kept as it was")
    if verdict.action == "keep":
        pending = moderation and state != "approved"
        change = inbox.store(verdict.mention, pending=pending, media=verdict.media or "html")
        waiting = " (waits for moderation)" if pending and change == "added" else ""
        return f"{verdict.reason}: {change}{waiting}"
    if verdict.action in ("remove", "unlinked"):
        removed = inbox.delete(job.source, job.target)
        return f"{'deleted' if removed else 'rejected'}: {verdict.reason}"
    return f"failed: {verdict.reason}"


class Worker:
    """Verifies queued jobs until stopped (or, with `until_empty`, until none is left)."""

    def __init__(self, db_path, *, site_url: str = "", allow_private: bool | None = None,
                 moderation: bool = False, concurrency: int = 16, per_host: int = 4,
                 timeout: float | None = None, idle: float = 1.0, parent: int | None = None,
                 keep_jobs_days: float = 30.0):
        self.db_path = db_path
        self.site_url = site_url
        self.allow_private = allow_private
        self.moderation = moderation
        self.concurrency = concurrency
        self.per_host = per_host
        self.timeout = timeout
        self.idle = idle  # seconds between looks at an empty queue when nobody wakes us
        self._parent = parent  # the receiver's pid, when it runs us in a process of our own
        self.keep_jobs = keep_jobs_days * 86400  # finished jobs (status pages) kept this long
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._stopping = False
        self._thread: threading.Thread | None = None

    # --- in a thread, beside the receiver --------------------------------

    def start(self) -> Worker:
        self._thread = threading.Thread(target=asyncio.run, args=(self.run(),),
                                        name="relais-verifier", daemon=True)
        self._thread.start()
        return self

    def wake(self) -> None:
        """Called from the receiver's thread after a job was committed."""
        if self._loop is not None and self._wake is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping = True
        self.wake()
        if self._thread:
            self._thread.join(timeout)

    # --- the work ----------------------------------------------------------

    async def run(self, until_empty: bool = False) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        inbox = Inbox(self.db_path)
        put_back = inbox.requeue_abandoned()
        if put_back:
            log.warning("put back %d job(s) that a stopped worker had not finished", put_back)
        try:
            async with source_client(site_url=self.site_url, allow_private=self.allow_private,
                                     per_host=self.per_host, total=self.concurrency,
                                     timeout=self.timeout) as client:
                tasks = [self._task(inbox, client, until_empty) for _ in range(self.concurrency)]
                if not until_empty:
                    tasks.append(self._prune(inbox))
                await asyncio.gather(*tasks)
        finally:
            inbox.close()

    async def _prune(self, inbox: Inbox, every: float = 3600.0) -> None:
        """Forget old finished jobs now and then (their mentions stay)."""
        while not self._stopping:
            inbox.prune_jobs(time.time() - self.keep_jobs)
            waited = 0.0
            while waited < every and not self._stopping:
                await asyncio.sleep(1.0)
                waited += 1.0

    async def _task(self, inbox: Inbox, client, until_empty: bool) -> None:
        while not self._stopping:
            if self._parent and os.getppid() != self._parent:  # the receiver died: so do we
                self._stopping = True
                return
            jobs = inbox.claim(1)
            if not jobs:
                if until_empty:
                    return
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), self.idle)
                except TimeoutError:
                    pass
                continue
            job = jobs[0]
            try:
                verdict = await verify(client, job.source, job.target, received=now_iso())
            except Exception as error:  # a bug must not stop the queue
                log.error("verifying %s failed: %r", job.source, error)
                verdict = Verdict("ignore", f"internal error: {type(error).__name__}")
            inbox.finish(job.id, apply_verdict(inbox, job, verdict, moderation=self.moderation))


def run_in_process(db_path, options: dict, parent: int) -> None:
    """The entry point of the worker process that `relais receiver serve` starts."""
    logging.basicConfig(level=logging.WARNING, format="worker: %(levelname)s: %(message)s")
    os.nice(10)  # background work: answering senders at once comes first
    asyncio.run(Worker(db_path, idle=0.1, parent=parent, **options).run())


def start_process(db_path, **options):
    """The worker in its own process, so that verifying never slows the receiver's answers
    (mf2 parsing is CPU work, and one interpreter runs one thread at a time)."""
    import multiprocessing

    process = multiprocessing.get_context("spawn").Process(
        target=run_in_process, args=(str(db_path), options, os.getpid()), name="relais-verifier",
        daemon=True)
    process.start()
    return process


class Verifier:
    """The verifier, supervised: started with the receiver, watched, started again when it
    dies (at once the first time, then after 1, 2, 4... up to 60 s while it keeps dying
    young), and what `/health` says about it.

    `mode`: "process" (`relais receiver serve`: its own process, so that parsing never
    slows the answers), "thread" (tests, the sample data) or "none" (no verification).
    """

    STEADY = 60.0  # a verifier that lived this long had no trouble starting

    def __init__(self, db_path, mode: str, options: dict):
        self.db_path = db_path
        self.mode = mode
        self.options = options
        self.handle = None
        self.restarts = 0
        self.last_restart: str | None = None
        self.started_at = 0.0
        self.next_start = 0.0
        self.delay = 0.0

    def start(self) -> None:
        if self.mode == "thread":
            self.handle = Worker(self.db_path, **self.options).start()
        elif self.mode == "process":
            self.handle = start_process(self.db_path, **self.options)
        self.started_at = time.monotonic()

    def alive(self) -> bool:
        if self.mode == "thread":
            return bool(self.handle and self.handle._thread and self.handle._thread.is_alive())
        if self.mode == "process":
            return bool(self.handle and self.handle.is_alive())
        return False

    def check(self) -> bool:
        """Start the verifier again if it died and its pause is over; True when it runs."""
        if self.mode == "none" or self.alive():
            return self.mode != "none"
        now = time.monotonic()
        if not self.next_start:  # just found dead
            lived = now - self.started_at
            self.delay = 0.0 if lived >= self.STEADY or not self.delay else min(
                60.0, max(1.0, self.delay * 2))
            self.next_start = now + self.delay
            log.error("the verifier stopped (%s); starting it again in %g s",
                      self._exit_reason(), self.delay)
        if now < self.next_start:
            return False
        self.next_start = 0.0
        self.restarts += 1
        self.last_restart = datetime.now(UTC).isoformat(timespec="seconds")
        self.start()
        return self.alive()

    def _exit_reason(self) -> str:
        if self.mode == "process" and self.handle is not None:
            return f"exit code {self.handle.exitcode}"
        return "its thread ended"

    def wake(self) -> None:
        if self.mode == "thread" and self.handle is not None:
            self.handle.wake()

    def stop(self) -> None:
        if self.mode == "thread" and self.handle is not None:
            self.handle.stop()
        elif self.mode == "process" and self.handle is not None:
            self.handle.terminate()  # a job it had claimed is put back at the next start
            self.handle.join(10)

    def health(self) -> dict:
        running = self.alive()
        return {
            "mode": self.mode,
            "running": running,
            "pid": self.handle.pid if self.mode == "process" and self.handle else os.getpid(),
            "restarts": self.restarts,
            "last_restart": self.last_restart,
            "state": "running" if running else ("off" if self.mode == "none" else "restarting"),
        }


def drain(db_path, **options) -> dict[str, int]:
    """Verify every queued job, then return the job counts by state (bench, tools)."""
    asyncio.run(Worker(db_path, **options).run(until_empty=True))
    inbox = Inbox(db_path)
    try:
        return inbox.counts()
    finally:
        inbox.close()
