"""The actor's state in the receiver's SQLite database (the same file as the Webmentions):
followers, and the signatures already seen (a replayed request is refused even after a
restart, for as long as its Date is inside the window)."""

from __future__ import annotations

import hashlib
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS fediverse_followers (
    actor TEXT PRIMARY KEY,                -- the follower's actor id
    inbox TEXT NOT NULL,
    shared_inbox TEXT,
    follow_id TEXT NOT NULL,               -- the Follow activity, which our Accept names
    accepted INTEGER NOT NULL DEFAULT 0,   -- 1: the Accept was delivered
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS fediverse_seen_signatures (
    digest TEXT PRIMARY KEY,
    expires REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS fediverse_seen_by_expiry ON fediverse_seen_signatures(expires);
"""


@dataclass(frozen=True)
class Follower:
    actor: str
    inbox: str
    shared_inbox: str | None
    follow_id: str
    accepted: bool


class Followers:
    """One connection to the receiver's database for the actor's tables."""

    def __init__(self, path: Path | str):
        self.db = sqlite3.connect(str(path), timeout=30, isolation_level=None,
                                  check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    def add(self, actor: str, inbox: str, shared_inbox: str | None, follow_id: str) -> None:
        """Store (or renew) a follower; its Accept is owed until `accepted`."""
        self.db.execute(
            "INSERT INTO fediverse_followers (actor, inbox, shared_inbox, follow_id, created) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (actor) DO UPDATE SET inbox=excluded.inbox, "
            "shared_inbox=excluded.shared_inbox, follow_id=excluded.follow_id, accepted=0",
            (actor, inbox, shared_inbox, follow_id, time.time()))

    def accepted(self, actor: str, follow_id: str) -> None:
        self.db.execute("UPDATE fediverse_followers SET accepted=1 WHERE actor=? AND follow_id=?",
                        (actor, follow_id))

    def remove(self, actor: str, follow_id: str | None = None) -> bool:
        """Forget a follower (only if it followed with `follow_id`, when given)."""
        if follow_id is None:
            cursor = self.db.execute("DELETE FROM fediverse_followers WHERE actor=?", (actor,))
        else:
            cursor = self.db.execute(
                "DELETE FROM fediverse_followers WHERE actor=? AND follow_id=?", (actor, follow_id))
        return cursor.rowcount > 0

    def all(self) -> list[Follower]:
        rows = self.db.execute("SELECT actor, inbox, shared_inbox, follow_id, accepted "
                               "FROM fediverse_followers ORDER BY created").fetchall()
        return [Follower(*row[:4], bool(row[4])) for row in rows]

    def owed_accepts(self) -> list[Follower]:
        return [follower for follower in self.all() if not follower.accepted]

    def count(self) -> int:
        return self.db.execute("SELECT count(*) FROM fediverse_followers").fetchone()[0]

    def first_sight(self, signature: str, expires: float) -> bool:
        """True the first time a signature is seen (remembered until `expires`), else False."""
        now = time.time()
        key = hashlib.sha256(signature.encode()).hexdigest()
        self.db.execute("DELETE FROM fediverse_seen_signatures WHERE expires < ?", (now,))
        cursor = self.db.execute(
            "INSERT INTO fediverse_seen_signatures (digest, expires) VALUES (?, ?) "
            "ON CONFLICT DO NOTHING", (key, expires))
        return cursor.rowcount == 1
