"""The actor on the receiver: the routes `relais receiver serve` adds when FEDIVERSE_HANDLE is
set (WebFinger, the actor, its collections), as a receiver extension (see
`relais.signals.receiver_extensions`). Everything is answered as application/activity+json
(WebFinger as application/jrd+json)."""

from __future__ import annotations

import json

from relais.plugins.fediverse import actor as documents
from relais.plugins.fediverse.config import Config
from relais.plugins.fediverse.keys import load_or_create, public_pem
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


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
            Route("/actor/followers", self.followers),
            Route("/actor/following", self.following),
        ]

    async def start(self, context) -> None:
        self.context = context

    async def stop(self) -> None:
        pass

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
        return activity_json(documents.collection(f"{self.config.actor}/outbox", 0, []))

    async def followers(self, request: Request) -> Response:
        return activity_json(documents.collection(f"{self.config.actor}/followers", 0))

    async def following(self, request: Request) -> Response:
        return activity_json(documents.collection(f"{self.config.actor}/following", 0, []))


def extension(settings) -> Fediverse | None:
    """The receiver extension for these settings; None when the site is no actor."""
    from relais.plugins.fediverse.config import config

    fediverse = config(settings)
    return Fediverse(fediverse) if fediverse else None
