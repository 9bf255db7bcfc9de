"""Real HTTP servers on 127.0.0.x for the network tests: routes, recorded requests, misbehaviour.

A route answers with (status, headers, body) or, for misbehaving servers
(hang, drip, drop the connection), writes to the socket itself and returns
None. Headers are a list of pairs so that a test can send a header twice.
"""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: str
    headers: dict
    body: bytes

    @property
    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode("utf-8"), keep_blank_values=True)


Reply = tuple[int, list[tuple[str, str]], bytes]


@dataclass
class LocalServer:
    host: str = "127.0.0.1"
    routes: dict[str, Callable] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    tls: tuple[str, str] | None = None  # (certificate, key) files: serve https

    def start(self) -> LocalServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def handle_any(self):
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Request(self.command, parts.path, parts.query,
                                  {k.lower(): v for k, v in self.headers.items()}, body)
                with server.lock:
                    server.requests.append(request)
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                try:
                    route = server.routes.get(parts.path)
                    reply = route(request, self) if route else (404, [], b"not found")
                    if reply is not None:
                        status, headers, payload = reply
                        self.send_response(status)
                        names = {name.lower() for name, _ in headers}
                        for name, value in headers:
                            self.send_header(name, value)
                        if "content-length" not in names:
                            self.send_header("Content-Length", str(len(payload)))
                        self.end_headers()
                        if self.command != "HEAD":
                            self.wfile.write(payload)
                finally:
                    with server.lock:
                        server.in_flight -= 1

            do_GET = do_POST = do_HEAD = handle_any

        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer((self.host, 0), Handler)
        self.httpd.daemon_threads = True
        if self.tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*self.tls)
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def base(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.base + path

    def add(self, path: str, status: int = 200, headers=(), body: bytes | str = b"",
            delay: float = 0.0) -> str:
        """A route with a fixed answer (after `delay` seconds); returns its URL."""
        payload = body.encode("utf-8") if isinstance(body, str) else body

        def reply(request, handler):
            if delay:
                time.sleep(delay)
            return status, list(headers), payload

        self.routes[path] = reply
        return self.url(path)

    def html(self, path: str, body: str, headers=()) -> str:
        return self.add(path, 200, [("Content-Type", "text/html; charset=utf-8"), *headers], body)

    def hits(self, path: str, method: str | None = None) -> list[Request]:
        return [r for r in self.requests
                if r.path == path and (method is None or r.method == method)]
