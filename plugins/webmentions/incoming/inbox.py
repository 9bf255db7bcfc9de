"""The receiver's durable state in SQLite (WAL): the verification queue, the verified
mentions (with tombstones for deletions), and the moderation list of domains.

Why SQLite: a 202 must mean "this will be verified" even if the process is
killed a millisecond later. A job is committed before the answer is sent;
the worker claims jobs in a transaction and, on start, puts back any job a
dead worker had claimed. A pair already waiting in the queue is not queued
twice. Every change to a mention takes the next sequence number, which the
JF2 API serves as `wm-id` (so `since_id` also sees updates and deletions).
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'queued',      -- queued | working | done
    outcome TEXT,                              -- what verification decided, for the status page
    attempts INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs(state, id);
CREATE INDEX IF NOT EXISTS jobs_by_update ON jobs(state, updated);
CREATE UNIQUE INDEX IF NOT EXISTS one_queued_job_per_pair ON jobs(source, target)
    WHERE state = 'queued';
CREATE TABLE IF NOT EXISTS mentions (
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    domain TEXT NOT NULL,
    record TEXT,                               -- the mention as JSON; NULL for a deletion
    seq INTEGER NOT NULL,
    pending INTEGER NOT NULL DEFAULT 0,        -- 1: waits for moderation
    media TEXT,                                -- html | text | json: what it was verified from
    PRIMARY KEY (source, target)
);
CREATE INDEX IF NOT EXISTS mentions_by_seq ON mentions(seq);
CREATE TABLE IF NOT EXISTS domains (
    domain TEXT PRIMARY KEY,
    state TEXT NOT NULL                        -- approved | blocked
);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""


def domain_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().rstrip(".")


@dataclass
class Job:
    id: int
    source: str
    target: str
    state: str
    outcome: str | None
    attempts: int


class Inbox:
    """One connection to the receiver's database; use one per thread."""

    def __init__(self, path: Path | str, *, checkpoints: bool = True):
        """`checkpoints=False` for the receiver's answering connection: copying the WAL
        back into the database (with its fsyncs) is left to the worker's connection, off
        the path of the answers."""
        self.path = str(path)
        self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                                  check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")  # durable against a killed process
        self.db.execute("PRAGMA busy_timeout=30000")
        if not checkpoints:
            self.db.execute("PRAGMA wal_autocheckpoint=0")
        self.db.executescript(SCHEMA)
        columns = {row[1] for row in self.db.execute("PRAGMA table_info(mentions)")}
        if "media" not in columns:  # a database from before sources other than HTML
            try:
                self.db.execute("ALTER TABLE mentions ADD COLUMN media TEXT")
            except sqlite3.OperationalError:  # another connection added it meanwhile
                pass

    def close(self):
        self.db.close()

    # --- the queue -------------------------------------------------------

    def enqueue(self, source: str, target: str) -> int:
        """Queue a verification; the id of the waiting job for this pair if there is one.

        One statement, committed on its own (the receiver's hot path): a unique index
        on queued pairs turns a duplicate into a no-op.
        """
        now = time.time()
        cursor = self.db.execute(
            "INSERT INTO jobs (source, target, created, updated) VALUES (?, ?, ?, ?) "
            "ON CONFLICT DO NOTHING", (source, target, now, now))
        if cursor.rowcount == 1:
            return cursor.lastrowid
        row = self.db.execute("SELECT id FROM jobs WHERE source=? AND target=? AND state='queued'",
                              (source, target)).fetchone()
        return row[0] if row else self.enqueue(source, target)  # claimed meanwhile: queue anew

    def requeue_abandoned(self) -> int:
        """Put back the jobs a worker had claimed when it died; how many."""
        with self._write():
            return self.db.execute(
                "UPDATE jobs SET state='queued' WHERE state='working'").rowcount

    def claim(self, limit: int) -> list[Job]:
        with self._write():
            rows = self.db.execute(
                "UPDATE jobs SET state='working', attempts=attempts+1, updated=? "
                "WHERE id IN (SELECT id FROM jobs WHERE state='queued' ORDER BY id LIMIT ?) "
                "RETURNING id, source, target, state, outcome, attempts",
                (time.time(), limit)).fetchall()
        return sorted((Job(*row) for row in rows), key=lambda job: job.id)

    def finish(self, job_id: int, outcome: str) -> None:
        with self._write():
            self.db.execute("UPDATE jobs SET state='done', outcome=?, updated=? WHERE id=?",
                            (outcome, time.time(), job_id))

    def job(self, job_id: int) -> Job | None:
        row = self.db.execute(
            "SELECT id, source, target, state, outcome, attempts FROM jobs WHERE id=?",
            (job_id,)).fetchone()
        return Job(*row) if row else None

    def counts(self) -> dict[str, int]:
        return dict(self.db.execute("SELECT state, count(*) FROM jobs GROUP BY state").fetchall())

    def prune_jobs(self, older_than: float) -> int:
        """Forget finished jobs last changed before `older_than` (a time.time()); how many.
        Their status pages answer 404 from then on; the mentions they made stay."""
        with self._write():
            return self.db.execute("DELETE FROM jobs WHERE state='done' AND updated < ?",
                                   (older_than,)).rowcount

    # --- mentions --------------------------------------------------------

    def _next_seq(self) -> int:
        self.db.execute("INSERT INTO counters VALUES ('seq', 1) "
                        "ON CONFLICT(name) DO UPDATE SET value = value + 1")
        return self.db.execute("SELECT value FROM counters WHERE name='seq'").fetchone()[0]

    def has_mention(self, source: str, target: str) -> bool:
        row = self.db.execute("SELECT record FROM mentions WHERE source=? AND target=?",
                              (source, target)).fetchone()
        return bool(row and row[0])

    def verified_from(self, source: str, target: str) -> str | None:
        """The kind of document (html, text, json) a stored mention was verified from."""
        row = self.db.execute("SELECT record, media FROM mentions WHERE source=? AND target=?",
                              (source, target)).fetchone()
        if not row or not row[0]:
            return None
        return row[1] or "html"  # stored before other kinds were read: HTML was the only one

    def store(self, mention: dict, *, pending: bool, media: str = "html") -> str:
        """Add or update a verified mention; 'added', 'updated' or 'unchanged'."""
        record = json.dumps(mention, sort_keys=True, ensure_ascii=False)
        pair = (mention["source"], mention["target"])
        with self._write():
            row = self.db.execute(
                "SELECT record, pending FROM mentions WHERE source=? AND target=?", pair).fetchone()
            if row and row[0]:
                old = json.loads(row[0])
                first_seen = old.get("received") or mention["received"]
                record = json.dumps({**mention, "received": first_seen},
                                    sort_keys=True, ensure_ascii=False)
                if record == row[0]:
                    return "unchanged"
                pending = bool(row[1]) and pending
            self.db.execute(
                "INSERT INTO mentions (source, target, domain, record, seq, pending, media) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(source, target) DO UPDATE SET "
                "record=excluded.record, seq=excluded.seq, pending=excluded.pending, "
                "media=excluded.media",
                (*pair, domain_of(pair[0]), record, self._next_seq(), int(pending), media))
            return "updated" if row and row[0] else "added"

    def delete(self, source: str, target: str) -> bool:
        """Turn a mention into a tombstone (so that fetchers learn of it); True if it existed."""
        with self._write():
            row = self.db.execute(
                "SELECT record, pending FROM mentions WHERE source=? AND target=?",
                (source, target)).fetchone()
            if not row or not row[0]:
                return False
            self.db.execute("UPDATE mentions SET record=NULL, seq=? WHERE source=? AND target=?",
                            (self._next_seq(), source, target))
            return True

    def changes(self, since_id: int, limit: int, offset: int, targets=(), domain=None):
        """(seq, source, target, record-or-None) of visible mentions in sequence order.

        Without `since_id`, tombstones are left out: a full listing is the current state.
        """
        sql = "SELECT seq, source, target, record FROM mentions WHERE pending=0 AND seq > ?"
        args: list = [since_id]
        if not since_id:
            sql += " AND record IS NOT NULL"
        if targets:
            sql += f" AND target IN ({','.join('?' * len(targets))})"
            args.extend(targets)
        if domain:
            sql += " AND (target LIKE ? OR target LIKE ?)"
            args.extend([f"http://{domain}/%", f"https://{domain}/%"])
        sql += " ORDER BY seq LIMIT ? OFFSET ?"
        args.extend([limit, offset])
        return [(seq, s, t, json.loads(r) if r else None)
                for seq, s, t, r in self.db.execute(sql, args).fetchall()]

    # --- moderation ------------------------------------------------------

    def domain_state(self, domain: str) -> str | None:
        """'approved', 'blocked' or None; a parent domain's block covers its subdomains."""
        parts = domain.split(".")
        candidates = [".".join(parts[i:]) for i in range(len(parts))]
        marks = ",".join("?" * len(candidates))
        rows = dict(self.db.execute(
            f"SELECT domain, state FROM domains WHERE domain IN ({marks})", candidates).fetchall())
        if any(rows.get(c) == "blocked" for c in candidates):
            return "blocked"
        return rows.get(domain)

    def set_domain(self, domain: str, state: str) -> int:
        """Approve or block a domain; approving publishes its waiting mentions, blocking
        drops them. Returns how many waiting mentions were affected."""
        with self._write():
            self.db.execute("INSERT INTO domains VALUES (?, ?) ON CONFLICT(domain) "
                            "DO UPDATE SET state=excluded.state", (domain, state))
            rows = self.db.execute(
                "SELECT source, target FROM mentions WHERE domain=? AND pending=1",
                (domain,)).fetchall()
            for source, target in rows:
                if state == "approved":
                    self.db.execute(
                        "UPDATE mentions SET pending=0, seq=? WHERE source=? AND target=?",
                        (self._next_seq(), source, target))
                else:
                    self.db.execute("DELETE FROM mentions WHERE source=? AND target=?",
                                    (source, target))
            return len(rows)

    def reject(self, domain: str) -> int:
        """Drop a domain's waiting mentions without blocking it."""
        with self._write():
            return self.db.execute("DELETE FROM mentions WHERE domain=? AND pending=1",
                                   (domain,)).rowcount

    def pending(self) -> list[dict]:
        return [json.loads(r) for (r,) in self.db.execute(
            "SELECT record FROM mentions WHERE pending=1 AND record IS NOT NULL "
            "ORDER BY domain, seq").fetchall()]

    def domains(self) -> list[tuple[str, str]]:
        return self.db.execute("SELECT domain, state FROM domains ORDER BY domain").fetchall()

    # --- transactions ----------------------------------------------------

    def _write(self):
        return _Transaction(self.db)


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT, so that two processes never interleave a read-modify-write."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, kind, value, traceback):
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")
        return False
