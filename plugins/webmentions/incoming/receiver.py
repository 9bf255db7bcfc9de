"""The self-hosted Webmention endpoint: a small starlette app.

POST / (or /webmention): the synchronous checks, rate limits per client
address and per source domain, and a body size limit; then the job is
committed to SQLite and the answer is 201 with the job's status URL in
`Location` — at once, before any fetch. GET /status/{id}: what verification
decided (why a fetch failed only with the token: the reason can name the
addresses a host resolves to, which strangers must not learn through us).
`Location` is built from the configured public address, never from the
request's `Host` header. GET /health: whether the verifier runs (it is watched and started
again when it dies). GET /api/mentions.jf2: the verified mentions in
webmention.io's JF2 shape and paging, behind a token, for `relais mentions
fetch`.
"""

from __future__ import annotations

import asyncio
import hmac
import time
from collections import defaultdict, deque
from collections.abc import Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from relais.plugins.webmentions.incoming.checks import Refused, Site, check_request
from relais.plugins.webmentions.incoming.inbox import Inbox, domain_of
from relais.plugins.webmentions.incoming.jf2 import deletion, to_jf2
from relais.plugins.webmentions.incoming.worker import Verifier
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route


@dataclass
class ReceiverConfig:
    db: Path
    site_dir: Path
    domains: list[str]
    site_url: str = ""
    token: str | None = None            # for the JF2 API; no token, no API
    moderation: bool = False            # new source domains wait for approval
    rate_limit: int = 30                # requests per source domain per minute (0: no limit)
    address_rate_limit: int = 60        # requests per client address per minute (0: no limit)
    max_body: int = 8192                # bytes
    allow_private: bool | None = None   # for the worker's fetches (tests, local sources)
    concurrency: int = 16
    source_timeout: float | None = None  # None: verify.SOURCE_LIMITS (5 s)
    blocklist_refresh: float = 5.0      # seconds a domain's moderation state is cached
    worker: str = "thread"              # thread | process (relais receiver serve) | none
    keep_jobs_days: float = 30.0        # finished jobs (their status pages) are kept this long
    public_url: str = ""                # where the receiver is reached ("": Location is a path)
    extensions: tuple = ()              # more routes on the same app (relais.signals)


@dataclass(frozen=True)
class ReceiverContext:
    """What the receiver shares with its extensions when it starts: its database (one SQLite
    file for everything it receives), the per-address rate limit, the SSRF choice."""

    db: Path
    address_limiter: RateLimiter
    allow_private: bool | None
    domain_state: Callable[[str], str | None]  # moderation: "approved", "blocked" or None
    moderation: bool = False                   # mentions from unapproved domains wait


FAILED_PUBLICLY = "failed: the source could not be fetched or read (the site's owner sees why)"


def public_outcome(outcome: str | None) -> str | None:
    """What a status page tells a caller without the token: why a fetch failed can name the
    addresses a host resolves to, or which internal ports answer; everything else (verified,
    deleted, rejected: about a source the sender controls) is said as it is."""
    if outcome and outcome.startswith("failed:"):
        return FAILED_PUBLICLY
    return outcome


class RateLimiter:
    """At most `limit` requests per key in any `window` seconds; keys that went quiet are
    forgotten (swept at most once a window), so the table stays as small as the traffic."""

    def __init__(self, limit: int, window: float = 60.0):
        self.limit = limit
        self.window = window
        self.seen: dict[str, deque] = defaultdict(deque)
        self.swept = time.monotonic()

    def retry_after(self, key: str) -> int:
        """0 when the request may go on, else the seconds to wait."""
        if self.limit <= 0:
            return 0
        now = time.monotonic()
        if now - self.swept >= self.window:
            self.sweep(now)
        times = self.seen[key]
        while times and now - times[0] >= self.window:
            times.popleft()
        if len(times) >= self.limit:
            return int(self.window - (now - times[0])) + 1
        times.append(now)
        return 0

    def sweep(self, now: float) -> None:
        self.seen = defaultdict(deque, {
            key: times for key, times in self.seen.items()
            if times and now - times[-1] < self.window})
        self.swept = now


class DomainStates:
    """Moderation states per domain, read from SQLite at most every few seconds per domain
    (the hot path stays at one statement; `receiver moderate --block` shows within that)."""

    def __init__(self, lookup, ttl: float = 5.0):
        self.lookup = lookup
        self.ttl = ttl
        self.cache: dict[str, tuple[float, str | None]] = {}

    def get(self, domain: str) -> str | None:
        now = time.monotonic()
        cached = self.cache.get(domain)
        if cached is None or now - cached[0] > self.ttl:
            if len(self.cache) > 10_000:
                self.cache.clear()
            cached = (now, self.lookup(domain))
            self.cache[domain] = cached
        return cached[1]


async def read_body(headers: dict, receive, limit: int) -> bytes:
    """The request body from raw ASGI messages, refused past `limit` bytes."""
    declared = headers.get(b"content-length", b"")
    if declared.isdigit() and int(declared) > limit:
        raise Refused(f"the body is larger than {limit} bytes", status=413)
    body = bytearray()
    while True:
        message = await receive()
        body.extend(message.get("body", b""))
        if len(body) > limit:
            raise Refused(f"the body is larger than {limit} bytes", status=413)
        if not message.get("more_body"):
            return bytes(body)


async def reply(send, status: int, text: str, headers=()) -> None:
    payload = text.encode("utf-8")
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(payload)).encode()), *headers]})
    await send({"type": "http.response.body", "body": payload})


def create_app(config: ReceiverConfig):
    site = Site(config.domains, config.site_dir)
    limiter = RateLimiter(config.rate_limit)
    address_limiter = RateLimiter(config.address_rate_limit)
    state: dict = {}
    blocked = DomainStates(lambda domain: state["inbox"].domain_state(domain),
                           config.blocklist_refresh)
    options = {"site_url": config.site_url, "allow_private": config.allow_private,
               "moderation": config.moderation, "concurrency": config.concurrency,
               "timeout": config.source_timeout, "keep_jobs_days": config.keep_jobs_days}
    verifier = Verifier(config.db, config.worker, options)

    async def watch() -> None:
        while True:
            await asyncio.sleep(0.5)
            verifier.check()

    @asynccontextmanager
    async def lifespan(app):
        state["inbox"] = Inbox(config.db, checkpoints=config.worker == "none")
        verifier.start()
        watcher = asyncio.create_task(watch())
        context = ReceiverContext(config.db, address_limiter, config.allow_private,
                                  blocked.get, config.moderation)
        for extension in config.extensions:
            await extension.start(context)
        yield
        for extension in config.extensions:
            await extension.stop()
        watcher.cancel()
        verifier.stop()
        state["inbox"].close()

    async def accept(scope, receive, send) -> None:
        """POST: the hot path, in plain ASGI (no framework work for the most frequent request)."""
        headers = dict(scope["headers"])
        try:
            body = await read_body(headers, receive, config.max_body)
            content_type = headers.get(b"content-type", b"").decode("latin-1")
            source, target = check_request(content_type, body, site)
            if blocked.get(domain_of(source)) == "blocked":
                raise Refused("the source's domain is blocked on this site", status=403)
            client = (scope.get("client") or ("unknown", 0))[0]
            for kind, counter, key in (("address", address_limiter, client),
                                       ("source's domain", limiter, domain_of(source))):
                wait = counter.retry_after(key)  # a request refused by one is not counted next
                if wait:
                    raise Refused(f"too many webmentions from this {kind}; try again later",
                                  status=429, headers=[(b"retry-after", str(wait).encode())])
        except Refused as refused:
            await reply(send, refused.status, refused.reason + "\n", refused.headers)
            return
        job_id = state["inbox"].enqueue(source, target)
        verifier.wake()
        # the configured address, else a path the sender resolves against the URL it posted
        # to; never the Host header, which the client writes
        base = config.public_url.rstrip("/") or scope.get("root_path", "")
        location = f"{base}/status/{job_id}"
        await reply(send, 201, "accepted: the source will be verified shortly\n",
                    [(b"location", location.encode("latin-1"))])

    async def describe(request: Request) -> Response:
        return PlainTextResponse(
            "This is a Webmention endpoint (https://www.w3.org/TR/webmention/): "
            "POST a form-encoded source and target.\n")

    async def health(request: Request) -> Response:
        """200 while the verifier runs, 503 while it is being started again (or is off)."""
        running = verifier.check()
        body = {"status": "ok" if running else "degraded", "verifier": verifier.health(),
                "jobs": state["inbox"].counts()}
        return JSONResponse(body, status_code=200 if running else 503)

    def authorized(request: Request) -> bool:
        given = request.query_params.get("token") or request.headers.get(
            "authorization", "").removeprefix("Bearer ").strip()
        return bool(config.token and given
                    and hmac.compare_digest(given.encode(), config.token.encode()))

    async def status(request: Request) -> Response:
        job = state["inbox"].job(request.path_params["job_id"])
        if job is None:
            return JSONResponse({"error": "no such job"}, status_code=404)
        outcome = job.outcome if authorized(request) else public_outcome(job.outcome)
        return JSONResponse({"id": job.id, "state": job.state, "outcome": outcome})

    async def api(request: Request) -> Response:
        if not config.token:
            return JSONResponse({"error": "the API is off: start the receiver with a token"},
                                status_code=403)
        if not authorized(request):
            return JSONResponse({"error": "a valid token is required"}, status_code=401)
        query = request.query_params
        try:
            since_id = int(query.get("since_id") or 0)
            per_page = min(max(int(query.get("per-page") or 20), 1), 1000)
            page = max(int(query.get("page") or 0), 0)
        except ValueError:
            return JSONResponse({"error": "since_id, per-page and page are whole numbers"},
                                status_code=400)
        targets = query.getlist("target[]") + query.getlist("target")
        rows = state["inbox"].changes(since_id, per_page, page * per_page, targets,
                                      query.get("domain"))
        children = [to_jf2(record, seq) if record else deletion(source, target, seq)
                    for seq, source, target, record in rows]
        return JSONResponse({"type": "feed", "name": "Webmentions", "children": children})

    framework = Starlette(
        routes=[
            Route("/", describe, methods=["GET", "HEAD"]),
            Route("/health", health),
            Route("/status/{job_id:int}", status, name="status"),
            Route("/api/mentions.jf2", api),
            *(route for extension in config.extensions for route in extension.routes),
        ],
        lifespan=lifespan,
    )

    async def app(scope, receive, send):
        if scope["type"] == "http" and scope["method"] == "POST" \
                and scope["path"] in ("/", "/webmention"):
            await accept(scope, receive, send)
        else:
            await framework(scope, receive, send)

    return app


class ReceiverThread:
    """The receiver served by uvicorn in a thread on a free port (tests, bench, sample data).

    `with ReceiverThread(config) as running:` → `running.url` is its base URL.
    """

    def __init__(self, config: ReceiverConfig, host: str = "127.0.0.1", port: int = 0):
        import threading

        import uvicorn

        self.server = uvicorn.Server(uvicorn.Config(
            create_app(config), host=host, port=port, log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.host = host
        self.url = ""

    def __enter__(self) -> ReceiverThread:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the receiver did not start")
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://{self.host}:{port}"
        return self

    def __exit__(self, *exc_info) -> None:
        self.server.should_exit = True
        self.thread.join(15)
