"""The actor on the receiver: the routes `relais receiver serve` adds when FEDIVERSE_HANDLE is
set (WebFinger, the actor, its collections, the inboxes), as a receiver extension (see
`relais.signals.receiver_extensions`). Everything is answered as application/activity+json
(WebFinger as application/jrd+json)."""

from __future__ import annotations

import asyncio
import json
import logging

from relais.plugins.fediverse import actor as documents
from relais.plugins.fediverse.config import Config
from relais.plugins.fediverse.conversation import Conversation
from relais.plugins.fediverse.delivery import Deliverer, Limits, client_for
from relais.plugins.fediverse.deliverylog import DeliveryLog
from relais.plugins.fediverse.followers import Followers
from relais.plugins.fediverse.inbox import MAX_ACTIVITY, MAX_DOCUMENT, ActorInbox, Refused
from relais.plugins.fediverse.keys import load_or_create, public_pem
from relais.plugins.webmentions.incoming import checks
from relais.plugins.webmentions.incoming.receiver import read_body
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from relais.net.client import HttpClient

log = logging.getLogger(__name__)

OUTBOX_ITEMS = 50     # the newest Creates the outbox lists
RETRY_EVERY = 60.0    # seconds between two looks at the deliveries owed


def activity_json(document: dict, status: int = 200, media: str = documents.ACTIVITY_JSON):
    return Response(json.dumps(document, ensure_ascii=False), status_code=status,
                    media_type=media, headers={"access-control-allow-origin": "*"})


class Fediverse:
    """The receiver extension: `routes` to add, `start(context)` / `stop()` with the
    receiver's lifespan."""

    def __init__(self, config: Config):
        self.config = config
        self.key = load_or_create(config.key)
        self.public_pem = public_pem(self.key)
        self.actor = documents.actor(config, self.public_pem)
        self.routes = [
            Route("/.well-known/webfinger", self.webfinger),
            Route("/actor", self.serve_actor),
            Route("/actor/outbox", self.outbox),
            Route("/objects/{path:path}", self.serve_object),
            Route("/actor/followers", self.followers),
            Route("/actor/following", self.following),
            Route("/inbox", self.receive, methods=["POST"]),
            Route("/actor/inbox", self.receive, methods=["POST"]),
        ]

    async def start(self, context) -> None:
        """With the receiver: its database, rate limit and moderation; the Accepts still
        owed (the receiver stopped before they were delivered) are sent again."""
        self.context = context
        self.followers = Followers(context.db)
        self.client = HttpClient(site_url=self.config.site_url, allow_private=context.allow_private,
                                 max_bytes=MAX_DOCUMENT)
        self.inbox = ActorInbox(self.config, self.key, self.followers, self.client,
                                context.domain_state)
        self.log = DeliveryLog(context.db)
        self.conversation = Conversation(self.config, context.db, self.inbox.fetch,
                                         moderation=context.moderation,
                                         domain_state=context.domain_state,
                                         post_of=self.post_of)
        self.inbox.conversation = self.conversation
        self.inbox.send_owed_accepts()
        self.delivery_client = client_for(self.config, context.allow_private, Limits())
        self.inbox.later(self.deliver_owed())

    def post_of(self, object_id: str) -> str | None:
        """The page of a post we delivered, from its object's id (what remote servers name
        in a Like or an inReplyTo)."""
        found = self.log.object(object_id)
        return found[0].get("url") if found else None

    async def deliver_owed(self) -> None:
        """Deliveries owed (retries whose time came, those a killed `relais fediverse deliver`
        left in flight) are sent from here too, once a minute, while the receiver runs."""
        deliverer = Deliverer(self.log, self.key, self.config.key_id, self.delivery_client)
        while True:
            try:
                await deliverer.deliver_due()
            except Exception:  # noqa: BLE001 - the loop must outlive one bad round
                log.exception("fediverse: delivering what is owed failed; trying again later")
            await asyncio.sleep(RETRY_EVERY)

    async def stop(self) -> None:
        await self.inbox.close()
        await self.client.aclose()
        await self.delivery_client.aclose()
        self.log.close()
        self.followers.close()
        self.conversation.close()

    async def receive(self, request: Request) -> Response:
        address = request.client.host if request.client else "unknown"
        wait = self.context.address_limiter.retry_after(address)
        if wait:
            return PlainTextResponse("too many requests from this address; try again later\n",
                                     429, headers={"retry-after": str(wait)})
        try:
            body = await read_body(dict(request.scope["headers"]), request.receive, MAX_ACTIVITY)
        except checks.Refused as refused:
            return PlainTextResponse(refused.reason + "\n", refused.status)
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        try:
            activity = await self.inbox.authenticate("POST", path, request.headers, body)
            outcome = await self.inbox.handle(activity)
        except Refused as refused:
            log.info("inbox: refused a POST from %s: %s", address, refused.reason)
            return PlainTextResponse(refused.reason + "\n", refused.status)
        return PlainTextResponse(outcome + "\n", 202)

    async def webfinger(self, request: Request) -> Response:
        resource = request.query_params.get("resource", "")
        if not resource:
            return activity_json({"error": "the resource parameter is required"}, 400,
                                 "application/json")
        if not documents.resource_matches(self.config, resource):
            return activity_json({"error": "no such account here"}, 404, "application/json")
        return activity_json(documents.webfinger(self.config), media="application/jrd+json")

    async def serve_actor(self, request: Request) -> Response:
        return activity_json(self.actor)

    async def outbox(self, request: Request) -> Response:
        """The Creates of the posts still published, newest first (the last OUTBOX_ITEMS)."""
        total, items = self.log.creates(OUTBOX_ITEMS)
        return activity_json(documents.collection(f"{self.config.actor}/outbox", total, items))

    async def serve_object(self, request: Request) -> Response:
        """A post's object as published last; a deleted one as a Tombstone, with 410."""
        found = self.log.object(f"{self.config.server}/objects/{request.path_params['path']}")
        if found is None:
            return activity_json({"error": "no such object"}, 404, "application/json")
        document, deleted = found
        return activity_json({"@context": documents.CONTEXT[0], **document},
                             410 if deleted else 200)

    async def followers(self, request: Request) -> Response:
        return activity_json(documents.collection(f"{self.config.actor}/followers",
                                                  self.followers.count()))

    async def following(self, request: Request) -> Response:
        return activity_json(documents.collection(f"{self.config.actor}/following", 0, []))


def extension(settings) -> Fediverse | None:
    """The receiver extension for these settings; None when the site is no actor."""
    from relais.plugins.fediverse.config import config

    fediverse = config(settings)
    return Fediverse(fediverse) if fediverse else None
