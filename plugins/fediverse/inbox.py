"""The actor's inbox: a POSTed activity is checked (rate limit per address shared with the
Webmentions, size, HTTP Signature with the sender's key fetched through the one HTTP client
and its SSRF guard, the signer is the activity's actor, no replay, the domain not blocked by
moderation), then handled: Follow is stored and answered with a signed Accept, Undo(Follow)
forgets the follower; likes, reposts and replies to our posts (and their Undo and Delete, and
Delete of an actor) go to the received archive (`conversation`). Other activities are
acknowledged (202) and not kept."""

from __future__ import annotations

import asyncio
import hashlib
import json
from email.utils import parsedate_to_datetime

from relais.plugins.fediverse import signatures
from relais.plugins.fediverse.actor import ACTIVITY_JSON
from relais.plugins.fediverse.config import Config
from relais.plugins.fediverse.conversation import Conversation, Unusable, too_deep
from relais.plugins.fediverse.followers import Followers
from relais.plugins.fediverse.signatures import SignatureError
from relais.plugins.webmentions.incoming.inbox import domain_of

from relais import foreign
from relais.net.client import FetchError, HttpClient

MAX_ACTIVITY = 256 * 1024  # bytes of one POSTed activity
MAX_DOCUMENT = 1_000_000   # bytes of a fetched actor or key
ACCEPT = f'{ACTIVITY_JSON}, application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
KEYS_KEPT = 10_000


class Refused(Exception):
    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


def id_of(value) -> str | None:
    """An object's id, whether it is given as a URL or embedded."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) else None


class ActorInbox:
    def __init__(self, config: Config, key, followers: Followers, client: HttpClient,
                 domain_state, conversation: Conversation | None = None):
        self.config = config
        self.conversation = conversation
        self.key = key
        self.followers = followers
        self.client = client
        self.domain_state = domain_state
        self.keys: dict[str, tuple[str, str]] = {}  # keyId -> (publicKeyPem, owner)
        self.tasks: set[asyncio.Task] = set()

    # --- fetching, signed (servers in authorized-fetch mode refuse unsigned GETs) -----

    async def fetch(self, url: str) -> dict:
        safe = foreign.url(url)
        if safe is None:
            raise FetchError(str(url)[:200], "not an absolute http(s) URL")
        headers = signatures.sign("GET", safe, self.key, self.config.key_id,
                                  headers={"accept": ACCEPT})
        response = await self.client.get(safe, headers=headers)
        if response.status != 200:
            raise FetchError(safe, f"answered {response.status}")
        try:
            document = json.loads(response.content)
        except (ValueError, RecursionError):
            raise FetchError(safe, "did not answer JSON") from None
        if not isinstance(document, dict):
            raise FetchError(safe, "did not answer a JSON object")
        return document

    async def actor_is_gone(self, activity: dict) -> bool:
        """Whether an activity is the Delete of its own actor, and that actor's document is
        gone (404 or 410, fetched by us): a deleted actor's key cannot be fetched any more,
        and its deletion needs no signature to be true."""
        actor = foreign.url(id_of(activity.get("actor")))
        if activity.get("type") != "Delete" or actor is None \
                or id_of(activity.get("object")) != actor:
            return False
        headers = signatures.sign("GET", actor, self.key, self.config.key_id,
                                  headers={"accept": ACCEPT})
        try:
            return (await self.client.get(actor, headers=headers)).status in (404, 410)
        except FetchError:
            return False

    async def public_key(self, key_id: str, *, fresh: bool = False) -> tuple[str, str]:
        """(publicKeyPem, owner) of a key id, fetched once and kept (again when `fresh`)."""
        if not fresh and key_id in self.keys:
            return self.keys[key_id]
        document = await self.fetch(key_id.split("#", 1)[0])
        found = document.get("publicKey", document)
        candidates = found if isinstance(found, list) else [found]
        key = next((k for k in candidates if isinstance(k, dict) and k.get("id") == key_id), None)
        if key is None and len(candidates) == 1 and isinstance(candidates[0], dict):
            key = candidates[0]
        pem = key.get("publicKeyPem") if key else None
        owner = id_of(key.get("owner")) if key else None
        if not isinstance(pem, str) or not owner:
            raise FetchError(key_id, "no publicKeyPem with an owner for this key id")
        if len(self.keys) >= KEYS_KEPT:
            self.keys.clear()
        self.keys[key_id] = (pem, owner)
        return pem, owner

    # --- receiving ---------------------------------------------------------------

    async def authenticate(self, method: str, path: str, headers, body: bytes) -> dict:
        """The activity, once its signature, signer and freshness are checked; Refused."""
        try:
            signature = signatures.parse(headers.get("signature"))
            try:
                activity = json.loads(body)
            except (ValueError, RecursionError):
                raise Refused(400, "the body is not JSON (or is nested too deeply)") from None
            if not isinstance(activity, dict):
                raise Refused(400, "the body is not an activity (a JSON object)")
            if too_deep(activity):
                raise Refused(400, "the activity is nested too deeply")
            actor = foreign.url(id_of(activity.get("actor")))
            if actor is None:
                raise Refused(400, "the activity has no usable actor")
            pem, owner = await self.public_key(signature.key_id)
            try:
                signatures.verify(signature, method, path, headers, body, pem)
            except SignatureError:  # the sender may have a new key: fetch it once more
                pem, owner = await self.public_key(signature.key_id, fresh=True)
                signatures.verify(signature, method, path, headers, body, pem)
            if owner != actor:
                raise Refused(401, "the request is signed with a key of another actor")
            sent = parsedate_to_datetime(headers["date"]).timestamp()
            if not self.followers.first_sight(signature.raw, sent + 2 * signatures.WINDOW):
                raise Refused(401, "this signature was already used (a replay)")
        except SignatureError as error:
            raise Refused(401, str(error)) from None
        except FetchError as error:
            if not await self.actor_is_gone(activity):
                raise Refused(401, f"the sender's key could not be fetched: {error}") from None
        if self.domain_state(domain_of(actor)) == "blocked":
            raise Refused(403, "the sender's domain is blocked on this site")
        activity["actor"] = actor
        return activity

    async def handle(self, activity: dict) -> str:
        kind = activity.get("type")
        actor = activity["actor"]
        if kind == "Follow" and id_of(activity.get("object")) == self.config.actor:
            follow_id = foreign.url(id_of(activity)) or f"{actor}#follow"
            await self.follow(actor, follow_id, activity)
            return "following"
        if kind == "Undo":
            undone = activity.get("object")
            if (isinstance(undone, dict) and undone.get("type") == "Follow"
                    or isinstance(undone, str)) and self.followers.remove(actor, id_of(undone)):
                return "unfollowed"
        if kind == "Delete" and id_of(activity.get("object")) == actor:
            self.followers.remove(actor)
        if self.conversation is not None:
            try:
                outcome = await self.conversation.handle(activity)
            except Unusable as error:
                raise Refused(400, str(error)) from None
            if outcome:
                return outcome
        return "nothing to undo" if kind == "Undo" else "acknowledged"

    async def follow(self, actor: str, follow_id: str, activity: dict) -> None:
        try:
            profile = await self.fetch(actor)
        except FetchError as error:
            raise Refused(400, f"the follower's actor could not be fetched: {error}") from None
        inbox = foreign.url(profile.get("inbox"))
        if inbox is None or id_of(profile) != actor:
            raise Refused(400, "the follower's actor has no usable inbox")
        endpoints = profile.get("endpoints") if isinstance(profile.get("endpoints"), dict) else {}
        self.followers.add(actor, inbox, foreign.url(endpoints.get("sharedInbox")), follow_id)
        self.later(self.accept(actor, inbox, follow_id))

    # --- answering ---------------------------------------------------------------

    def later(self, coroutine) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def deliver(self, inbox: str, activity: dict) -> int:
        """POST an activity, signed, to an inbox; the status (FetchError when unreachable)."""
        body = json.dumps(activity).encode()
        headers = signatures.sign("POST", inbox, self.key, self.config.key_id, body=body,
                                  headers={"content-type": ACTIVITY_JSON})
        return (await self.client.post(inbox, data=body, headers=headers)).status

    async def accept(self, actor: str, inbox: str, follow_id: str) -> None:
        """Send the Accept a Follow is owed; it stays owed (sent again at the next start)
        when the follower's server cannot take it now."""
        tag = hashlib.sha256(follow_id.encode()).hexdigest()[:16]
        accept = {"@context": "https://www.w3.org/ns/activitystreams",
                  "id": f"{self.config.actor}#accepts/{tag}", "type": "Accept",
                  "actor": self.config.actor, "to": [actor],
                  "object": {"id": follow_id, "type": "Follow", "actor": actor,
                             "object": self.config.actor}}
        try:
            status = await self.deliver(inbox, accept)
        except FetchError:
            return
        if 200 <= status < 300:
            self.followers.accepted(actor, follow_id)

    def send_owed_accepts(self) -> None:
        for follower in self.followers.owed_accepts():
            self.later(self.accept(follower.actor, follower.inbox, follower.follow_id))

    async def close(self) -> None:
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

