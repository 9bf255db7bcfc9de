"""The sent log (`data/webmentions/sent.json`): what was sent, and what is still owed.

Pure functions over a plain dict, so the rules are testable without a
network. The file is committed to git; while a run sends, each result goes
to its journal first (`journal.py`), so a killed run loses at most the
pairs in flight.

Shape (sorted keys, stable order):

    {"version": 1,
     "sources": {SOURCE: {"hash": H, "path": "2026/slug/index.html", "deleted": false,
                          "targets": {TARGET: {"hash": H at the last settled send or null,
                                               "linked": did that version link it,
                                               "status", "reason", "code", "endpoint",
                                               "location", "tries", "last_try",
                                               "next_try"}}}},
     "hosts": {HOST: {"failures": runs in a row that failed, "next_try", "last_failure",
                      "asked_until": the end of the wait its Retry-After asked for}}}

A pair is owed when the post's current hash differs from the hash at which
the pair was last settled and the post links it now or linked it then (a
removed link is told once, as the spec asks). A deleted post has the hash
`GONE` and links nothing, so each former target is told once. Pairs that
failed for a passing reason wait (doubling delays, or longer when the host
said so with Retry-After) and are given up after `max_tries`, per pair and
per host; nothing at all is sent to a host before the wait it asked for
with Retry-After is over, whatever the pair. When a post's content changes,
its pairs start again with fresh tries (and their hosts' failure counts
with them): a new version is worth a new attempt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from relais.plugins.webmentions.outcome import RETRY, SENT, Outcome

VERSION = 1
GONE = "gone"
GAVE_UP = "gave-up"


@dataclass(frozen=True)
class Post:
    """What the built site says about one source: its content hash, targets and file."""

    source: str
    hash: str
    targets: frozenset[str]
    path: str


@dataclass(frozen=True)
class Policy:
    max_tries: int = 5
    retry_delay: float = 3600.0  # seconds before the first retry; doubles each time


@dataclass(frozen=True)
class Job:
    source: str
    target: str
    why: str  # new, changed, removed, deleted, retry


def empty() -> dict:
    return {"version": VERSION, "sources": {}, "hosts": {}}


def check(log, where: str) -> dict:
    """The log if its shape is right; ValueError naming the file and the field otherwise."""
    if log is None:
        return empty()
    if not isinstance(log, dict) or not isinstance(log.get("sources"), dict):
        raise ValueError(f"{where}: not a sent log (expected an object with 'sources')")
    for source, entry in log["sources"].items():
        if not isinstance(entry, dict) or not isinstance(entry.get("targets"), dict):
            raise ValueError(f"{where}: sources.{source}: expected an object with 'targets'")
    log.setdefault("hosts", {})
    log.setdefault("version", VERSION)
    return log


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_stamp(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def reconcile(log: dict, posts: list[Post], gone: set[str]) -> None:
    """Bring the log's sources up to date with the built site (no sending decided here)."""
    current = {post.source: post for post in posts}
    for post in posts:
        entry = log["sources"].setdefault(post.source, {"targets": {}})
        if entry.get("hash") not in (None, post.hash):
            fresh_tries(log, entry)
        entry.update(hash=post.hash, path=post.path, deleted=False)
        for target in post.targets:
            entry["targets"].setdefault(target, {"hash": None, "linked": False, "tries": 0})
        for target in [t for t, rec in entry["targets"].items()
                       if t not in post.targets and rec["hash"] is None and not rec["linked"]]:
            del entry["targets"][target]  # linked by a draft of the post that was never sent
    for source in gone - set(current):
        entry = log["sources"].get(source)
        if entry is not None:
            if entry.get("hash") != GONE:
                fresh_tries(log, entry)
            entry.update(hash=GONE, deleted=True)


def fresh_tries(log: dict, entry: dict) -> None:
    """A new version of the post: its failed pairs, and their hosts, get their tries back
    (a wait the host asked for with Retry-After still holds)."""
    for target, rec in entry["targets"].items():
        if rec.get("status") in (RETRY, GAVE_UP) or rec.get("tries"):
            rec.update(tries=0, next_try=None)
            host = log["hosts"].get(host_of(target))
            if host:
                host.update(failures=0, next_try=None, last_failure=None)


def owed(log: dict, posts: list[Post], now: datetime, policy: Policy) -> list[Job]:
    """Every pair the log says is owed now, in a stable order."""
    linked_now = {post.source: post.targets for post in posts}
    jobs = []
    for source in sorted(log["sources"]):
        entry = log["sources"][source]
        if source not in linked_now and not entry.get("deleted"):
            continue  # no longer built and no tombstone: nothing can be said about it
        targets = linked_now.get(source, frozenset())
        for target in sorted(entry["targets"]):
            rec = entry["targets"][target]
            linked = target in targets
            if not _due(log, target, rec, now):
                continue  # the pair or its host waits
            if rec.get("hash") == entry["hash"]:
                if rec.get("status") != RETRY:
                    continue
                why = "retry"
            elif not (linked or rec.get("linked")):
                continue
            elif entry.get("deleted"):
                why = "deleted"
            elif rec.get("hash") is None and not rec.get("linked"):
                why = "new"
            else:
                why = "changed" if linked else "removed"
            jobs.append(Job(source, target, why))
    return jobs


def _due(log: dict, target: str, rec: dict, now: datetime) -> bool:
    """Nothing makes the pair wait now: its host's Retry-After, and for a pair that failed,
    its own next try and its host's backoff."""
    host_name = host_of(target)
    if not host_ready(log, host_name, now):
        return False
    if rec.get("status") != RETRY:
        return True
    host = log["hosts"].get(host_name, {})
    return not any(moment is not None and moment > now for moment in (
        parse_stamp(rec.get("next_try")), parse_stamp(host.get("next_try"))))


def host_ready(log: dict, host_name: str, now: datetime) -> bool:
    """False while the host's own request to wait (Retry-After) runs, whatever the pair."""
    asked = parse_stamp(log["hosts"].get(host_name, {}).get("asked_until"))
    return asked is None or asked <= now


def record(log: dict, job: Job, outcome: Outcome, now: datetime, policy: Policy,
           linked: bool) -> dict:
    """Write one result into the log; returns the pair's record."""
    entry = log["sources"][job.source]
    rec = entry["targets"].setdefault(job.target, {"hash": None, "linked": False, "tries": 0})
    rec.update(status=outcome.status, reason=outcome.reason, code=outcome.code,
               endpoint=outcome.endpoint, location=outcome.location, last_try=stamp(now))
    host_name = host_of(job.target)
    host = log["hosts"].setdefault(host_name, {"failures": 0, "next_try": None})
    if outcome.status == RETRY:
        rec["tries"] = rec.get("tries", 0) + 1
        if host.get("last_failure") != stamp(now):  # a host fails at most once a run
            host["failures"] = host.get("failures", 0) + 1
            host["last_failure"] = stamp(now)
        asked = timedelta(seconds=outcome.retry_after or 0)
        delay = max(asked, timedelta(seconds=policy.retry_delay * 2 ** (rec["tries"] - 1)))
        host_delay = timedelta(seconds=policy.retry_delay * 2 ** (host["failures"] - 1))
        rec["next_try"] = stamp(now + delay)
        host["next_try"] = stamp(now + host_delay)
        if outcome.retry_after:
            host["asked_until"] = max(host.get("asked_until") or "", stamp(now + asked))
        if rec["tries"] >= policy.max_tries or host["failures"] >= policy.max_tries:
            who = "this pair" if rec["tries"] >= policy.max_tries else f"host {host_name}"
            rec.update(status=GAVE_UP, hash=entry["hash"], next_try=None,
                       reason=f"{outcome.reason} (given up: {who} failed "
                              f"{max(rec['tries'], host['failures'])} times)")
    else:
        rec.update(hash=entry["hash"], linked=linked, tries=0, next_try=None)
        if outcome.status == SENT:
            host.clear()  # it answers again: its failures and waits are over
    if not host.get("failures") and not host.get("asked_until"):
        del log["hosts"][host_name]
    return rec


def merge(ours: dict, theirs: dict) -> dict:
    """Two sent logs of one site written apart (two runs, two machines) made one: every pair
    either knows, and for a pair both know, the record of the latest try (on a tie, ours).
    The posts' hashes and files are ours (the run that built last); a host keeps its most
    recent failure and the longest wait it asked for. Nothing either side sent is forgotten,
    so nothing is sent twice because of the merge."""
    merged = {"version": ours.get("version", VERSION), "sources": {}, "hosts": {}}
    for source in sorted(set(ours["sources"]) | set(theirs["sources"])):
        mine, other = ours["sources"].get(source), theirs["sources"].get(source)
        entry = dict(mine or other)
        targets = dict((other or {}).get("targets", {}))
        for target, rec in (mine or {}).get("targets", {}).items():
            known = targets.get(target)
            if known is None or (rec.get("last_try") or "") >= (known.get("last_try") or ""):
                targets[target] = rec
        entry["targets"] = targets
        merged["sources"][source] = entry
    for name in sorted(set(ours["hosts"]) | set(theirs["hosts"])):
        mine, other = ours["hosts"].get(name), theirs["hosts"].get(name)
        if mine is None or other is None:
            merged["hosts"][name] = dict(mine or other)
            continue
        latest = mine if (mine.get("last_failure") or "") >= (other.get("last_failure") or "") \
            else other
        host = dict(latest)
        asked = max(mine.get("asked_until") or "", other.get("asked_until") or "")
        if asked:
            host["asked_until"] = asked
        merged["hosts"][name] = host
    return merged
