"""The private local page (`relais relays serve`): the weekly view, everyone, a person's
timeline and the reach, with forms to set a stage, add a note or mark a mention answered.

Private by construction, three locks:
- it listens on a loopback address only (the CLI refuses any other);
- it answers nothing but a bare 403 to a client that is not on this computer, or to a
  request whose Host is not a loopback name (a DNS-rebinding page cannot read it);
- it needs the random token printed at start: opening `/?token=...` sets a cookie
  (HttpOnly, SameSite=Strict), every form carries the token too (no cross-site writes).
Plain HTML forms, no JavaScript.
"""

from __future__ import annotations

import hmac
import ipaddress
import threading
import time
from collections.abc import Callable
from datetime import datetime
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from relais.plugins.relays import render
from relais.plugins.relays.config import STAGES
from relais.plugins.relays.desk import Desk
from relais.plugins.relays.reach import closeness
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

COOKIE = "relais_relays"
LOOPBACK_NAMES = ("localhost",)
HEADERS = {"Cache-Control": "no-store", "X-Frame-Options": "DENY",
           "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                                      "form-action 'self'; frame-ancestors 'none'",
           "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff"}


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _host_name(header: str) -> str:
    if header.startswith("["):
        return header[1:].partition("]")[0]
    return header.rpartition(":")[0] if header.count(":") == 1 else header


class Guard:
    """ASGI middleware: loopback clients with a loopback Host and the token, or a bare 403."""

    def __init__(self, app, token: str):
        self.app, self.token = app, token

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        client = (scope.get("client") or (None,))[0]
        if not is_loopback(client) or not is_loopback(_host_name(headers.get("host", ""))):
            return await PlainTextResponse("", status_code=403)(scope, receive, send)
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        given = (query.get("token") or [""])[0]
        if given:
            if not hmac.compare_digest(given, self.token):
                return await self._refuse(scope, receive, send)
            response = RedirectResponse("/", status_code=303, headers=HEADERS)
            response.set_cookie(COOKIE, self.token, httponly=True, samesite="strict")
            return await response(scope, receive, send)
        cookie = SimpleCookie(headers.get("cookie", ""))
        held = cookie[COOKIE].value if COOKIE in cookie else ""
        if not hmac.compare_digest(held, self.token):
            return await self._refuse(scope, receive, send)
        return await self.app(scope, receive, send)

    @staticmethod
    async def _refuse(scope, receive, send):
        body = render.page("refused.html", message="Open the address that `relais relays serve` "
                           "printed (it carries the key to this page).")
        await HTMLResponse(body, status_code=403, headers=HEADERS)(scope, receive, send)


def create_app(open_desk: Callable[[], Desk], *, token: str,
               now: Callable[[], datetime]) -> Guard:
    """The page over a desk opened afresh for every request (the sources may have changed)."""
    lock = threading.Lock()

    def show(template: str, desk: Desk, **context) -> HTMLResponse:
        body = render.page(template, csrf=token, now=now(), ledger_path=str(desk.config.ledger),
                           people_count=len(desk.book.people), stages=STAGES, **context)
        return HTMLResponse(body, headers=HEADERS)

    def opened() -> Desk:
        with lock:
            desk = open_desk()
            desk.save()
            return desk

    def home(request: Request):
        desk = opened()
        return show("weekly.html", desk, view=desk.weekly(now()),
                    thank_days=desk.config.thank_days)

    def people(request: Request):
        desk = opened()
        ordered = sorted(desk.book.people.values(),
                         key=lambda p: (-closeness(p)[0], p.name.lower()))
        return show("people.html", desk, people=ordered)

    def person(request: Request):
        desk = opened()
        found = desk.book.people.get(request.path_params["key"])
        if found is None:
            return PlainTextResponse("No such person in the ledger.", status_code=404,
                                     headers=HEADERS)
        proposals = [(p, desk.qualification(p, now())) for p in desk.book.proposals
                     if p.person == found.key]
        return show("person.html", desk, person=found, proposals=proposals)

    def reach(request: Request):
        desk = opened()
        result = desk.reach()
        return show("reach.html", desk, reach=result, table=result.by_relay())

    async def change(request: Request):
        form = await request.form()
        if not hmac.compare_digest(str(form.get("csrf") or ""), token):
            return PlainTextResponse("This form is not from your page.", status_code=403,
                                     headers=HEADERS)
        with lock:
            desk = open_desk()
            answer = apply_change(desk, request.url.path, request.path_params, form, now())
            if answer is None:
                return PlainTextResponse("Nothing to change: check the form.", status_code=400,
                                         headers=HEADERS)
            desk.save()
        return RedirectResponse(answer, status_code=303, headers=HEADERS)

    routes = [
        Route("/", home),
        Route("/people", people),
        Route("/reach", reach),
        Route("/favicon.ico", lambda request: Response(status_code=204, headers=HEADERS)),
        Route("/answered", change, methods=["POST"]),
        Route("/people/{key:path}/stage", change, methods=["POST"]),
        Route("/people/{key:path}/note", change, methods=["POST"]),
        Route("/people/{key:path}", person),
    ]
    return Guard(Starlette(routes=routes), token)


def apply_change(desk: Desk, path: str, params: dict, form, when: datetime) -> str | None:
    """Apply one form to the ledger; the page to go back to, or None when it made no sense."""
    book, stamp = desk.book, when.isoformat(timespec="seconds")
    if path == "/answered":
        url = str(form.get("url") or "")
        person = book.find(url) if url else None
        if person is None:
            return None
        if url not in person.answered:
            person.answered.append(url)
        return "/"
    person = book.people.get(params.get("key", ""))
    if person is None:
        return None
    if path.endswith("/stage"):
        stage = str(form.get("stage") or "")
        if stage not in STAGES:
            return None
        person.stage, person.stage_since = stage, stamp
    else:
        text = str(form.get("text") or "").strip()
        if not text:
            return None
        person.notes.append({"date": stamp, "text": text})
    return f"/people/{person.key}"


class PageThread:
    """The page served by uvicorn in a thread (tests); `with PageThread(app) as running:`."""

    def __init__(self, app, host: str = "127.0.0.1", port: int = 0):
        import uvicorn

        self.server = uvicorn.Server(uvicorn.Config(app, host=host, port=port,
                                                    log_level="warning", lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.host, self.port = host, 0

    def __enter__(self) -> PageThread:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the page did not start")
            time.sleep(0.02)
        self.port = self.server.servers[0].sockets[0].getsockname()[1]
        return self

    def __exit__(self, *exc_info) -> None:
        self.server.should_exit = True
        self.thread.join(15)
