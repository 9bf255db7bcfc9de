"""The one conversation: what the fediverse says about our posts becomes entries of the same
received archive as the Webmentions (the receiver's `mentions` table, served by its JF2 API to
`relais mentions fetch`, shown by the same templates after a build).

- Like → a `like`, Announce → a `repost` of one of our posts; Create / Update of an object
  whose `inReplyTo` is one of our posts → a `reply`. The mention's source is the remote
  activity's id (Like, Announce) or the object's id (reply): what a later Delete or Undo
  names. Its `url` is the object's `url` (its page) when it has one.
- Delete of such an object, Undo of a Like or Announce → the mention is deleted (a tombstone
  the next fetch applies); Delete of an actor → everything from that actor.
- "Ours" means a post's page under SITEURL, or the id of the object we delivered for it
  (`SERVER/objects/...`, looked up in the delivery log), which is what Mastodon and its peers
  name in a Like, an Announce or an `inReplyTo` (`Conversation.ours`).

Trust: the inbox already checked that the signer is the activity's actor. Here an activity's
id must be on its actor's server (scheme, host and port), an embedded object is taken as sent
only from that server (else it is fetched by its id, signed, through the one HTTP client and
its SSRF guard), a reply must be attributed to the actor, and an actor can only change or
delete what it made itself (`fediverse_objects` remembers who made each source).
Everything stored goes through `record.clean` (relais.foreign: URLs, text, nh3 for HTML), the
Webmentions' one gate. Bounds: the activity's nesting depth (`MAX_DEPTH`), the HTML and text
read (`record.MAX_HTML_CHARS`, `MAX_TEXT_CHARS`), the size of what is fetched (the client's cap).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from html import escape
from urllib.parse import urlsplit

from relais.plugins.blogroll.parse import plain_text
from relais.plugins.fediverse.config import Config
from relais.plugins.webmentions.incoming.inbox import Inbox, domain_of
from relais.plugins.webmentions.incoming.record import (
    MAX_HTML_CHARS,
    MAX_TEXT_CHARS,
    clean,
    now_iso,
    pair_url,
)

from relais import foreign
from relais.net.client import FetchError

MAX_DEPTH = 16            # nesting of an activity or a fetched object (Mastodon's are ~5 deep)
PROFILES_KEPT = 2_000     # actors' names and pictures kept in memory
PROFILE_SECONDS = 3600.0  # how long one is kept before it is fetched again
VIA = "fediverse"

SCHEMA = """
CREATE TABLE IF NOT EXISTS fediverse_objects (
    source TEXT PRIMARY KEY,               -- the mention's source (an activity or object id)
    target TEXT NOT NULL,                  -- our post it is about
    actor TEXT NOT NULL                    -- who made it: only they may change or delete it
);
CREATE INDEX IF NOT EXISTS fediverse_objects_by_actor ON fediverse_objects(actor);
"""

KINDS = {"Like": "like", "Announce": "repost"}


class Unusable(Exception):
    """An activity about our posts that cannot be taken (said in the 400)."""


def too_deep(value, limit: int = MAX_DEPTH) -> bool:
    """Whether a parsed JSON value nests deeper than `limit` (walked without recursion)."""
    level = [value]
    for _ in range(limit + 1):
        level = [child for item in level if isinstance(item, dict | list)
                 for child in (item.values() if isinstance(item, dict) else item)]
        if not level:
            return False
    return True


def id_of(value) -> str | None:
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) else None


def first(value):
    """The first item of a value that may be a list (`to`, `attributedTo`, `url`, `icon`)."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def link_of(value) -> str | None:
    """A URL given as a string, a Link (`href`) or an object (`url`, `id`), or a list of them:
    the first http(s) one that passes the gate."""
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict):
            item = item.get("href") or item.get("url") or item.get("id")
        found = foreign.url(first(item) if isinstance(item, list) else item)
        if found:
            return found
    return None


def origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def under_site(config: Config, url) -> str | None:
    """The URL as the archive spells it, when it is under SITEURL."""
    found = foreign.url(url)
    if found is None or not config.site_url:
        return None
    post = pair_url(found)
    return post if post.startswith(pair_url(config.site_url + "/")) else None


def content_of(thing: dict) -> str:
    """An object's HTML: `content`, else the first of `contentMap`; cut before it is cleaned."""
    html = thing.get("content")
    if not isinstance(html, str):
        languages = thing.get("contentMap")
        html = next((v for v in languages.values() if isinstance(v, str)), "") \
            if isinstance(languages, dict) else ""
    return html[:MAX_HTML_CHARS]


def mention(kind: str, source: str, target: str, author: dict, thing: dict | None = None,
            url: str | None = None) -> dict:
    """The archive's record for a fediverse like, repost or reply, through the one gate."""
    thing = thing or {}
    html = content_of(thing)
    summary = foreign.text(thing.get("summary"), MAX_TEXT_CHARS)
    if summary:  # a content warning: said first, as the sender's server shows it
        html = f"<p><strong>{escape(summary)}</strong></p>{html}"
    return clean({
        "source": source, "target": target, "type": kind,
        "url": url or link_of(thing.get("url")) or source,
        "author": author,
        "published": thing.get("published") if isinstance(thing.get("published"), str) else None,
        "name": thing.get("name") if isinstance(thing.get("name"), str) else None,
        "content": {"html": html, "text": plain_text(html, MAX_TEXT_CHARS)} if html else None,
        "received": now_iso(), "via": VIA,
    })


def author_of(profile: dict, actor: str) -> dict:
    """The author as the archive keeps it, from the actor's document."""
    name = profile.get("name") if isinstance(profile.get("name"), str) else None
    name = foreign.text(name) or foreign.text(profile.get("preferredUsername")) or None
    return {"name": name, "url": link_of(profile.get("url")) or actor,
            "photo": link_of(profile.get("icon"))}


class Conversation:
    """The inbox's handler for likes, reposts and replies (`handle`), on the receiver's
    database. `fetch(url)` is the inbox's signed GET through the one client."""

    def __init__(self, config: Config, db, fetch: Callable[[str], Awaitable[dict]], *,
                 moderation: bool = False, domain_state=lambda domain: None,
                 post_of: Callable[[str], str | None] = lambda object_id: None):
        self.config = config
        self.fetch = fetch
        self.post_of = post_of
        self.moderation = moderation
        self.domain_state = domain_state
        self.archive = Inbox(db)
        self.archive.db.executescript(SCHEMA)
        self.profiles: dict[str, tuple[float, dict]] = {}

    def close(self) -> None:
        self.archive.close()

    def ours(self, url) -> str | None:
        """The post a URL names (its page, or the object we delivered for it), as the
        archive spells it; None when it is not one of ours."""
        if not isinstance(url, str):
            return None
        objects = f"{self.config.server}/objects/"
        if url.startswith(objects):
            return under_site(self.config, self.post_of(url))
        return under_site(self.config, url)

    # --- what was stored, and by whom ---------------------------------------------

    def made_by(self, source: str) -> tuple[str, str] | None:
        """(target, actor) of a source we stored."""
        return self.archive.db.execute(
            "SELECT target, actor FROM fediverse_objects WHERE source=?", (source,)).fetchone()

    def store(self, record: dict, actor: str) -> str:
        pending = self.moderation and self.domain_state(domain_of(actor)) != "approved"
        made = self.made_by(record["source"])
        if made and made[0] != record["target"]:  # an edit now answers another post
            self.archive.delete(record["source"], made[0])
        change = self.archive.store(record, pending=pending, media="activity")
        self.archive.db.execute(
            "INSERT INTO fediverse_objects (source, target, actor) VALUES (?, ?, ?) "
            "ON CONFLICT (source) DO UPDATE SET target=excluded.target",
            (record["source"], record["target"], actor))
        return f"{record['type']} {change}" + (" (waits for moderation)" if pending else "")

    def forget(self, source: str, actor: str) -> bool:
        """Delete a mention `actor` made; False when there is none of theirs."""
        source = pair_url(source)
        made = self.made_by(source)
        if not made or made[1] != actor:
            return False
        self.archive.delete(source, made[0])
        self.archive.db.execute("DELETE FROM fediverse_objects WHERE source=?", (source,))
        return True

    def forget_actor(self, actor: str) -> int:
        sources = [row[0] for row in self.archive.db.execute(
            "SELECT source FROM fediverse_objects WHERE actor=?", (actor,)).fetchall()]
        return sum(self.forget(source, actor) for source in sources)

    # --- reading what was sent ----------------------------------------------------

    async def author(self, actor: str) -> dict:
        kept = self.profiles.get(actor)
        if kept and time.monotonic() - kept[0] < PROFILE_SECONDS:
            return kept[1]
        try:
            profile = await self.fetch(actor)
        except FetchError:
            profile = {}
        found = author_of(profile if id_of(profile) == actor else {}, actor)
        if len(self.profiles) >= PROFILES_KEPT:
            self.profiles.clear()
        self.profiles[actor] = (time.monotonic(), found)
        return found

    async def object(self, value, actor: str) -> dict | None:
        """The object an activity names: embedded and taken as sent when it comes from the
        actor's own server, else fetched by its id (signed, through the one client)."""
        object_id = foreign.url(id_of(value))
        if object_id is None:
            return None
        if isinstance(value, dict) and origin(object_id) == origin(actor):
            return value
        try:
            fetched = await self.fetch(object_id)
        except FetchError as error:
            raise Unusable(f"the object could not be fetched: {error}") from None
        if too_deep(fetched):
            raise Unusable("the object is nested too deeply")
        if id_of(fetched) != object_id:
            raise Unusable("the fetched object does not have the id it was fetched by")
        return fetched

    # --- the activities -------------------------------------------------------------

    async def handle(self, activity: dict) -> str | None:
        """What was done with an activity; None when it is not one this module takes."""
        kind = activity.get("type")
        actor = activity["actor"]
        if kind in KINDS:
            return await self.reaction(activity, KINDS[kind], actor)
        if kind in ("Create", "Update"):
            return await self.reply(activity.get("object"), actor)
        if kind == "Delete":
            gone = id_of(activity.get("object"))
            if gone == actor:
                return f"removed {self.forget_actor(actor)} from a deleted actor"
            return "deleted" if gone and self.forget(gone, actor) else None
        if kind == "Undo":
            undone = id_of(activity.get("object"))
            return "undone" if undone and self.forget(undone, actor) else None
        return None

    def own_id(self, activity: dict, actor: str) -> str:
        source = foreign.url(id_of(activity))
        if source is None or origin(source) != origin(actor):
            raise Unusable("the activity's id is not on its actor's server")
        return source

    async def reaction(self, activity: dict, kind: str, actor: str) -> str | None:
        target = self.ours(id_of(activity.get("object")))
        if target is None:
            return None
        source = self.own_id(activity, actor)
        made = self.made_by(pair_url(source))
        if made and made[1] != actor:
            raise Unusable("this id was used by another actor")
        published = activity.get("published")
        return self.store(mention(kind, source, target, await self.author(actor),
                                  {"published": published}), actor)

    async def reply(self, value, actor: str) -> str | None:
        known = self.made_by(pair_url(foreign.url(id_of(value)) or ""))
        if isinstance(value, dict) and not known \
                and self.ours(id_of(first(value.get("inReplyTo")))) is None:
            return None  # an embedded object about something else: nothing to fetch
        thing = await self.object(value, actor)
        if thing is None:
            return None
        source = foreign.url(id_of(thing))
        if id_of(first(thing.get("attributedTo"))) != actor or origin(source) != origin(actor):
            raise Unusable("the object is not the actor's own")
        if known and known[1] != actor:
            raise Unusable("this id was used by another actor")
        target = self.ours(id_of(first(thing.get("inReplyTo"))))
        if target is None:  # edited to answer something else: no longer part of ours
            return "no longer a reply" if self.forget(source, actor) else None
        return self.store(mention("reply", source, target, await self.author(actor), thing),
                          actor)
