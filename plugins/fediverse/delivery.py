"""Delivery: the activities the delivery log owes, POSTed signed to the followers' inboxes.

Deciding and doing are apart: `decide` says what an inbox's answer means for its delivery
(sent; retry at a later time, doubling from `FIRST_RETRY`, or when its Retry-After says; failed
for good, given up after `MAX_ATTEMPTS`; a 410 also forgets the followers at that inbox), and
`Deliverer` does the I/O: each POST signed with the actor's key just before it goes (its Date
must be fresh) through the one HTTP client, at most `total` at once and `per_host` per host.
A delivery is marked in flight in the log only once it holds its slots, so a killed process
leaves no more deliveries in flight than the limit allows.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from relais.plugins.fediverse import signatures
from relais.plugins.fediverse.actor import ACTIVITY_JSON
from relais.plugins.fediverse.config import Config
from relais.plugins.fediverse.deliverylog import FAILED, PENDING, SENT, DeliveryLog, Due, Plan
from relais.plugins.fediverse.keys import KeyFileError, load_or_create
from relais.plugins.fediverse.objects import ListError, read_list

from relais.net.client import (
    BadUrl,
    Blocked,
    FetchError,
    HttpClient,
    TooLarge,
    TooManyRedirects,
    retry_after_seconds,
    run,
)

MAX_ATTEMPTS = 10       # tries of one delivery before it is given up (about 17 hours)
FIRST_RETRY = 60.0      # seconds before the second try; doubles each time
MAX_ANSWER = 64 * 1024  # bytes of an inbox's answer we read
DROPS_BODY = (301, 302, 303)  # redirects after which the client asks with GET, without a body


@dataclass(frozen=True)
class Limits:
    total: int = 16     # POSTs in flight at once
    per_host: int = 2   # ... to one host
    timeout: float = 10.0


@dataclass(frozen=True)
class Decision:
    state: str
    next_try: float
    error: str | None = None
    drop_followers: bool = False


def decide(status: int | None, problem: FetchError | None, attempts: int, now: float,
           retry_after: float | None = None, redirected: int | None = None) -> Decision:
    """What an inbox's answer (or the failure to get one) means for the delivery.
    `redirected`: the status of a redirect that turned the POST into a GET (301, 302, 303):
    whatever came after it, the activity was not delivered."""
    if redirected:
        return Decision(FAILED, now, f"redirected ({redirected}): a POST cannot follow it; "
                                     "the follower's inbox must be fetched again")
    if problem is None and status is not None and 200 <= status < 300:
        return Decision(SENT, now)
    if problem is not None:
        reason = problem.reason
        if isinstance(problem, Blocked | BadUrl | TooManyRedirects | TooLarge):
            return Decision(FAILED, now, reason)  # trying again would end the same way
    elif status == 410:
        return Decision(FAILED, now, "410 Gone: its followers there are forgotten",
                        drop_followers=True)
    elif status in (408, 425, 429) or status >= 500:
        reason = f"answered {status}"
    else:
        return Decision(FAILED, now, f"answered {status} (refused; not tried again)")
    if attempts >= MAX_ATTEMPTS:
        return Decision(FAILED, now, f"{reason} (given up after {attempts} attempts)")
    delay = max(retry_after or 0.0, FIRST_RETRY * 2 ** max(attempts - 1, 0))
    return Decision(PENDING, now + delay, reason)


@dataclass
class Report:
    states: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    taken_elsewhere: int = 0

    @property
    def attempted(self) -> int:
        return sum(self.states.values())


class Deliverer:
    """Sends what the log says is due; one instance per run (or per receiver)."""

    def __init__(self, log: DeliveryLog, key, key_id: str, client: HttpClient,
                 limits: Limits = Limits()):
        self.log = log
        self.key = key
        self.key_id = key_id
        self.client = client
        self.limits = limits

    async def deliver_due(self, on_result: Callable[[Due, Decision], None] | None = None,
                          on_start: Callable[[int], None] | None = None) -> Report:
        """Send every delivery due; `on_start(count)` first, `on_result` after each one."""
        report = Report()
        total = asyncio.Semaphore(self.limits.total)
        hosts: dict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(self.limits.per_host))
        bodies: dict[str, bytes] = {}

        async def one(due: Due) -> None:
            # the host's slot first: a delivery waiting for a busy host holds no global slot
            async with hosts[(urlsplit(due.inbox).hostname or "").lower()], total:
                if not self.log.start(due):
                    report.taken_elsewhere += 1
                    return
                if due.activity not in bodies:
                    bodies[due.activity] = self.log.body(due.activity)
                decision = await self.post(due, bodies[due.activity])
            report.states[decision.state] += 1
            if on_result is not None:
                on_result(due, decision)

        dues = self.log.due()
        if on_start is not None:
            on_start(len(dues))
        await asyncio.gather(*(one(due) for due in dues))
        return report

    async def post(self, due: Due, body: bytes) -> Decision:
        """POST one activity, signed, and record what came of it."""
        status, problem, retry_after, redirected = None, None, None, None
        try:
            headers = signatures.sign("POST", due.inbox, self.key, self.key_id, body=body,
                                      headers={"content-type": ACTIVITY_JSON})
            response = await self.client.post(due.inbox, data=body, headers=headers)
            status = response.status
            retry_after = retry_after_seconds(response.headers.get("retry-after"))
            redirected = next((code for code, _ in response.redirects if code in DROPS_BODY),
                              None)
        except FetchError as error:
            problem = error
        decision = decide(status, problem, due.attempts + 1, time.time(), retry_after,
                          redirected)
        self.log.finish(due, decision.state, decision.next_try, status, decision.error)
        if decision.drop_followers:
            self.log.drop_followers_at(due.inbox)
        return decision


def client_for(config: Config, allow_private: bool | None, limits: Limits) -> HttpClient:
    return HttpClient(site_url=config.site_url, allow_private=allow_private,
                      timeout=limits.timeout, max_bytes=MAX_ANSWER, per_host=limits.per_host,
                      total=limits.total, retries=1, max_retry_after=10.0)


class DeliveryError(Exception):
    """Delivery cannot start (no post list, no key, another actor); one line."""


@dataclass
class Outcome:
    plan: Plan
    report: Report | None   # None for a dry run
    inboxes: int


def deliver(config: Config, db: Path, site_dir: Path, *, allow_private: bool | None = None,
            limits: Limits = Limits(), dry_run: bool = False,
            on_result: Callable[[Due, Decision], None] | None = None,
            on_start: Callable[[int], None] | None = None) -> Outcome:
    """Record what the built site changed (Create, Update, Delete) and send every delivery
    due: the new ones, the retries whose time has come, those a killed run left in flight."""
    try:
        site = read_list(site_dir)
    except ListError as error:
        raise DeliveryError(str(error)) from None
    if site.actor != config.actor:
        raise DeliveryError(f"{site_dir}: built for the actor {site.actor}, but the settings "
                            f"say {config.actor}: build with the same settings")
    if not config.key.exists():
        raise DeliveryError(f"{config.key}: no key: deliver where the receiver runs (it makes "
                            "the key), or run `relais fediverse key`")
    try:
        key = load_or_create(config.key)
    except KeyFileError as error:
        raise DeliveryError(str(error)) from None
    log = DeliveryLog(db)
    try:
        inboxes = len(log.targets())
        plan = log.reconcile(site, dry_run=dry_run)
        if dry_run:
            return Outcome(plan, None, inboxes)

        async def send() -> Report:
            async with client_for(config, allow_private, limits) as client:
                return await Deliverer(log, key, config.key_id, client, limits).deliver_due(
                    on_result, on_start)

        return Outcome(plan, run(send()), inboxes)
    finally:
        log.close()
