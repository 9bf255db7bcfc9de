"""The delivery log: what the actor published, and each activity's delivery to each inbox, in
the receiver's SQLite database (the same file as the followers and the Webmentions).

Three tables:

- `fediverse_posts`: each post's object as last published (served at its id) and its
  digest; a deleted post keeps its row as a Tombstone.
- `fediverse_activities`: every Create, Update and Delete, as POSTed (the outbox lists the
  Creates).
- `fediverse_deliveries`: one row per (activity, inbox): `pending` (with the time of its next
  try), `in-flight` (with the process sending it), `sent`, or `failed` (a permanent refusal,
  or given up after `MAX_ATTEMPTS`), with its attempts and last error.

Every state change is one statement, committed before the next step: a delivery is marked
in-flight just before its POST and sent just after, so a killed process leaves in flight only
the POSTs it was making; those (and only those) are sent again. `reconcile` plans a build's
changes (activities and their deliveries) in one transaction: all of it or none.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from relais.plugins.fediverse.followers import Followers
from relais.plugins.fediverse.objects import CONTEXT, PUBLIC, PostList, SitePost

SCHEMA = """
CREATE TABLE IF NOT EXISTS fediverse_posts (
    object_id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    digest TEXT NOT NULL,
    object TEXT NOT NULL,               -- JSON, as served at object_id
    deleted INTEGER NOT NULL DEFAULT 0,
    changed REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS fediverse_activities (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,                 -- Create, Update, Delete
    object_id TEXT NOT NULL,
    body TEXT NOT NULL,                 -- JSON, as POSTed
    created REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS fediverse_activities_by_type ON fediverse_activities(type, created);
CREATE TABLE IF NOT EXISTS fediverse_deliveries (
    activity TEXT NOT NULL,
    inbox TEXT NOT NULL,
    state TEXT NOT NULL,                -- pending, in-flight, sent, failed
    attempts INTEGER NOT NULL DEFAULT 0,
    next_try REAL NOT NULL,
    last_try REAL,
    last_status INTEGER,
    last_error TEXT,
    owner INTEGER,                      -- the process sending it (in-flight)
    lease REAL,                         -- in-flight until then at most
    PRIMARY KEY (activity, inbox)
);
CREATE INDEX IF NOT EXISTS fediverse_deliveries_due ON fediverse_deliveries(state, next_try);
"""

PENDING, IN_FLIGHT, SENT, FAILED = "pending", "in-flight", "sent", "failed"
LEASE = 600.0  # seconds a delivery may stay in flight before another process takes it over


def iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Due:
    activity: str
    inbox: str
    attempts: int


@dataclass(frozen=True)
class Plan:
    """What a reconcile recorded: the activities made, by type, and the deliveries owed."""

    created: list[str]
    updated: list[str]
    deleted: list[str]
    known: int         # posts recorded as already published (the first run)
    deliveries: int


@dataclass(frozen=True)
class Row:
    activity: str
    type: str
    inbox: str
    state: str
    attempts: int
    next_try: float
    last_try: float | None
    last_status: int | None
    last_error: str | None


def alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class DeliveryLog:
    def __init__(self, path: Path | str):
        self.followers = Followers(path)  # makes the followers' tables too
        self.db = self.followers.db
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.followers.close()

    # --- planning --------------------------------------------------------------------

    def targets(self) -> list[str]:
        """Where an activity goes: one inbox per follower's server (its shared inbox), else
        the follower's own."""
        rows = self.db.execute("SELECT DISTINCT coalesce(shared_inbox, inbox) "
                               "FROM fediverse_followers ORDER BY 1").fetchall()
        return [row[0] for row in rows]

    def reconcile(self, site: PostList, now: float | None = None, dry_run: bool = False) -> Plan:
        """Record what the built site changed since the last run: a Create for each new post,
        an Update for each changed one, a Delete for each post of this site no longer built;
        each with a pending delivery to every follower's inbox. The first run (no post known
        yet) records the posts as already published, delivering nothing: followers' timelines
        are not flooded with the back catalogue. A dry run records nothing."""
        now = time.time() if now is None else now
        created, updated, deleted = [], [], []
        known = 0
        inboxes = self.targets()
        self.db.execute("BEGIN IMMEDIATE")
        try:
            rows = {row[0]: row for row in self.db.execute(
                "SELECT object_id, digest, deleted, url FROM fediverse_posts")}
            first = not rows
            for post in site.posts:
                row = rows.get(post.object_id)
                if row is None or row[2]:
                    if first:
                        self._keep_post(post, post.object, now)
                        self._record(self._activity("Create", post.object, now), now, ())
                        known += 1
                    else:
                        self._keep_post(post, post.object, now)
                        created.append(self._record(self._activity("Create", post.object, now),
                                                    now, inboxes))
                elif row[1] != post.digest:
                    # `updated` the time of this run: Mastodon takes an Update only when its
                    # `updated` is later than the version it has
                    document = {**post.object, "updated": iso(now)}
                    self._keep_post(post, document, now)
                    update = self._activity("Update", document, now, tag=post.digest)
                    updated.append(self._record(update, now, inboxes))
            built = {post.object_id for post in site.posts}
            prefix = site.site_url.rstrip("/") + "/"
            for object_id, (_, _, gone, url) in sorted(rows.items()):
                if object_id not in built and not gone and url.startswith(prefix):
                    tombstone = {"id": object_id, "type": "Tombstone", "deleted": iso(now)}
                    self.db.execute("UPDATE fediverse_posts SET deleted=1, object=?, changed=? "
                                    "WHERE object_id=?", (json.dumps(tombstone), now, object_id))
                    deleted.append(self._record(self._activity("Delete", tombstone, now), now,
                                                inboxes))
            self.db.execute("ROLLBACK" if dry_run else "COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        count = len(created) + len(updated) + len(deleted)
        return Plan(created, updated, deleted, known, count * len(inboxes))

    def _keep_post(self, post: SitePost, document: dict, now: float) -> None:
        self.db.execute(
            "INSERT INTO fediverse_posts (object_id, url, digest, object, deleted, changed) "
            "VALUES (?, ?, ?, ?, 0, ?) ON CONFLICT (object_id) DO UPDATE SET url=excluded.url, "
            "digest=excluded.digest, object=excluded.object, deleted=0, changed=excluded.changed",
            (post.object_id, post.url, post.digest, json.dumps(document, ensure_ascii=False), now))

    def _activity(self, kind: str, document: dict, now: float, tag: str = "") -> dict:
        object_id = document["id"]
        base = f"{object_id}#{kind.lower()}" + (f"/{tag[:16]}" if tag else "")
        activity_id, n = base, 1
        while self.db.execute("SELECT 1 FROM fediverse_activities WHERE id=?",
                              (activity_id,)).fetchone():
            n += 1
            activity_id = f"{base}/{n}"
        actor = document.get("attributedTo") or self.actor_of(object_id)
        return {"@context": CONTEXT, "id": activity_id, "type": kind, "actor": actor,
                "published": document.get("published") if kind == "Create" else iso(now),
                "to": [PUBLIC], "cc": [f"{actor}/followers"], "object": document}

    def actor_of(self, object_id: str) -> str:
        return object_id.split("/objects/", 1)[0] + "/actor"

    def _record(self, activity: dict, now: float, inboxes) -> str:
        self.db.execute("INSERT INTO fediverse_activities (id, type, object_id, body, created) "
                        "VALUES (?, ?, ?, ?, ?)",
                        (activity["id"], activity["type"], activity["object"]["id"],
                         json.dumps(activity, ensure_ascii=False), now))
        self.db.executemany(
            "INSERT INTO fediverse_deliveries (activity, inbox, state, next_try) "
            "VALUES (?, ?, 'pending', ?)", [(activity["id"], inbox, now) for inbox in inboxes])
        return activity["id"]

    # --- delivering ------------------------------------------------------------------

    def due(self, now: float | None = None) -> list[Due]:
        """The deliveries to make now: pending and due, and those left in flight by a process
        that is gone (killed) or whose lease ran out."""
        now = time.time() if now is None else now
        for owner, lease in self.db.execute(
                "SELECT DISTINCT owner, max(lease) FROM fediverse_deliveries "
                "WHERE state='in-flight' GROUP BY owner").fetchall():
            if (owner != os.getpid() and not alive(owner)) or (lease or 0) < now:
                self.db.execute("UPDATE fediverse_deliveries SET state='pending', owner=NULL, "
                                "lease=NULL WHERE state='in-flight' AND owner IS ?", (owner,))
        rows = self.db.execute(
            "SELECT activity, inbox, attempts FROM fediverse_deliveries "
            "WHERE state='pending' AND next_try <= ? ORDER BY next_try, rowid", (now,))
        return [Due(*row) for row in rows]

    def body(self, activity_id: str) -> bytes:
        return self.db.execute("SELECT body FROM fediverse_activities WHERE id=?",
                               (activity_id,)).fetchone()[0].encode()

    def start(self, due: Due, now: float | None = None) -> bool:
        """Mark one delivery in flight (this process), just before its POST; False when
        another process took it meanwhile."""
        now = time.time() if now is None else now
        cursor = self.db.execute(
            "UPDATE fediverse_deliveries SET state='in-flight', owner=?, lease=?, "
            "attempts=attempts+1, last_try=? WHERE activity=? AND inbox=? AND state='pending'",
            (os.getpid(), now + LEASE, now, due.activity, due.inbox))
        return cursor.rowcount == 1

    def finish(self, due: Due, state: str, next_try: float, status: int | None,
               error: str | None) -> None:
        self.db.execute(
            "UPDATE fediverse_deliveries SET state=?, next_try=?, last_status=?, last_error=?, "
            "owner=NULL, lease=NULL WHERE activity=? AND inbox=? AND state='in-flight'",
            (state, next_try, status, error, due.activity, due.inbox))

    def drop_followers_at(self, inbox: str) -> int:
        """Forget the followers whose inbox (or shared inbox) answered 410 Gone."""
        return self.db.execute("DELETE FROM fediverse_followers WHERE inbox=? OR shared_inbox=?",
                               (inbox, inbox)).rowcount

    # --- reading ---------------------------------------------------------------------

    def rows(self, limit: int = 20, states: tuple[str, ...] | None = None) -> list[Row]:
        where = f"WHERE d.state IN ({', '.join('?' * len(states))})" if states else ""
        found = self.db.execute(
            "SELECT d.activity, a.type, d.inbox, d.state, d.attempts, d.next_try, d.last_try, "
            "d.last_status, d.last_error FROM fediverse_deliveries d "
            f"JOIN fediverse_activities a ON a.id = d.activity {where} "
            "ORDER BY coalesce(d.last_try, a.created) DESC, d.rowid DESC LIMIT ?",
            (*(states or ()), limit))
        return [Row(*row) for row in found]

    def counts(self) -> dict[str, int]:
        return dict(self.db.execute(
            "SELECT state, count(*) FROM fediverse_deliveries GROUP BY state").fetchall())

    def owed_retries(self) -> int:
        return self.db.execute("SELECT count(*) FROM fediverse_deliveries "
                               "WHERE state='pending' AND attempts > 0").fetchone()[0]

    def creates(self, limit: int) -> tuple[int, list[dict]]:
        """The Create activities of the posts still published, newest first, at most `limit`
        (and how many there are)."""
        query = ("FROM fediverse_activities a JOIN fediverse_posts p ON p.object_id = a.object_id "
                 "WHERE a.type='Create' AND p.deleted=0")
        total = self.db.execute(f"SELECT count(*) {query}").fetchone()[0]
        rows = self.db.execute(f"SELECT a.body, p.object {query} ORDER BY "
                               "json_extract(p.object, '$.published') DESC, a.rowid DESC LIMIT ?",
                               (limit,))
        activities = []
        for body, current in rows:
            activity = json.loads(body)
            activity["object"] = json.loads(current)  # the post as it is now (after Updates)
            activity.pop("@context", None)
            activities.append(activity)
        return total, activities

    def object(self, object_id: str) -> tuple[dict, bool] | None:
        """A post's object as published last (a Tombstone when deleted), and whether deleted."""
        row = self.db.execute("SELECT object, deleted FROM fediverse_posts WHERE object_id=?",
                              (object_id,)).fetchone()
        return (json.loads(row[0]), bool(row[1])) if row else None
