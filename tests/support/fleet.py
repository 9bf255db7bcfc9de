"""A fleet of creator sites on loopback addresses: real HTTP servers for refresh and discovery.

Why not mocks: refresh is about HTTP behaviour (conditional requests, 301,
410, 429 with Retry-After, slow and broken servers, redirect loops), so the
tests, the benchmark and the script that produces the sample site's
`data/blogroll/` all talk to real sockets. One asyncio loop in a thread
serves every site, each on its own port (and, for the benchmark, its own
127.x address so that per-host limits apply as on the web). Every request
is logged with its headers so tests can see what the client sent.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import socket
import struct
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from xml.sax.saxutils import escape, quoteattr

LOOPBACK = re.compile(rb"http://127\.\d+\.\d+\.\d+:\d+/")
LAST_MODIFIED = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
REASONS = {
    200: "OK",
    301: "Moved Permanently",
    302: "Found",
    304: "Not Modified",
    308: "Permanent Redirect",
    404: "Not Found",
    410: "Gone",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


@dataclass
class Logged:
    method: str
    path: str
    headers: dict[str, str]
    status: int
    body_bytes: int
    request_body: bytes = b""


# A behaviour takes the request (method, path, headers) and returns (status, headers, body),
# or None to serve the file as usual.
Behaviour = Callable[[str, str, dict], "tuple[int, dict, bytes] | None"]


@dataclass
class Site:
    slug: str
    url: str = ""
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    behaviours: dict[str, Behaviour] = field(default_factory=dict)
    delay: float = 0.0
    log: list[Logged] = field(default_factory=list)
    connections: int = 0  # TCP connections accepted (keep-alive makes one serve many requests)

    def put(self, path: str, content_type: str, body: str | bytes) -> None:
        self.files[path] = (content_type, body.encode("utf-8") if isinstance(body, str) else body)

    def requests(self, path: str) -> list[Logged]:
        return [r for r in self.log if r.path == path]


class Fleet:
    """Start with `Fleet()`, add sites, then `close()` (or use as a context manager)."""

    def __init__(self):
        self.sites: dict[str, Site] = {}
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.servers = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def add(self, slug: str, host: str = "127.0.0.1", delay: float = 0.0) -> Site:
        """A new site listening now (so its URL is known before its pages are written)."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, 0))
        sock.listen(128)
        site = Site(slug, url=f"http://{host}:{sock.getsockname()[1]}/", delay=delay)
        self.sites[slug] = site

        async def start():
            return await asyncio.start_server(lambda r, w: self._serve(site, r, w), sock=sock)

        self.servers.append(asyncio.run_coroutine_threadsafe(start(), self.loop).result())
        return site

    def close(self) -> None:
        async def stop():
            for server in self.servers:
                server.close()
            current = asyncio.current_task()
            pending = [t for t in asyncio.all_tasks() if t is not current]
            for task in pending:  # connections still open (a slow answer, a keep-alive)
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

        try:
            asyncio.run_coroutine_threadsafe(stop(), self.loop).result(timeout=5)
        except Exception:  # noqa: BLE001 - closing must not hide a test's own failure
            pass
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)
        if not self.thread.is_alive():
            self.loop.close()

    def clear_logs(self) -> None:
        for site in self.sites.values():
            site.log.clear()
            site.connections = 0

    async def _serve(self, site: Site, reader, writer) -> None:
        site.connections += 1
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                method, path, _ = line.decode("latin-1").split(" ", 2)
                headers = {}
                while True:
                    header = await reader.readline()
                    if header in (b"\r\n", b"\n", b""):
                        break
                    name, _, value = header.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                received = b""
                if headers.get("content-length", "").isdigit():
                    received = await reader.readexactly(int(headers["content-length"]))
                if site.delay:
                    await asyncio.sleep(site.delay)
                status, extra, body = self._answer(site, method, path, headers)
                site.log.append(Logged(method, path, headers, status, len(body), received))
                head = [
                    f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}",
                    f"Content-Length: {len(body)}",
                ]
                head += [f"{k}: {v}" for k, v in extra.items()]
                writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    break
        except (ConnectionError, ValueError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass  # a client gone, a bad request line, or the fleet closing: end this connection
        finally:
            if not self.loop.is_closed():
                writer.close()

    @staticmethod
    def _answer(site: Site, method: str, path: str, headers: dict) -> tuple[int, dict, bytes]:
        behaviour = site.behaviours.get(path)
        if behaviour:
            answer = behaviour(method, path, headers)
            if answer is not None:
                return answer
        if path not in site.files:
            return 404, {"Content-Type": "text/plain"}, b"not found"
        content_type, body = site.files[path]
        # the same content gives the same ETag whatever ports the fleet got this time
        etag = '"' + hashlib.sha1(LOOPBACK.sub(b"", body)).hexdigest()[:16] + '"'
        validators = {"ETag": etag, "Last-Modified": format_datetime(LAST_MODIFIED, usegmt=True)}
        if headers.get("if-none-match") == etag:
            return 304, validators, b""
        since = headers.get("if-modified-since")
        if since and "if-none-match" not in headers:
            try:
                if parsedate_to_datetime(since) >= LAST_MODIFIED:
                    return 304, validators, b""
            except (TypeError, ValueError):
                pass
        return 200, {"Content-Type": content_type, **validators}, body


# --- behaviours ----------------------------------------------------------------


def redirect(status: int, location: str) -> Behaviour:
    return lambda method, path, headers: (status, {"Location": location}, b"")


def status(code: int, body: bytes = b"", extra: dict | None = None) -> Behaviour:
    return lambda method, path, headers: (
        code,
        {"Content-Type": "text/plain", **(extra or {})},
        body,
    )


def rate_limited_once(retry_after: str = "1") -> Behaviour:
    """429 with Retry-After on the first request, then the file as usual."""
    seen = []

    def behaviour(method, path, headers):
        if not seen:
            seen.append(path)
            return 429, {"Retry-After": retry_after, "Content-Type": "text/plain"}, b"slow down"
        return None

    return behaviour


# --- what a creator's site serves ----------------------------------------------


@dataclass
class Post:
    title: str
    date: str  # ISO date
    summary: str
    tags: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    slug: str = ""


def rss(site_url: str, title: str, posts: list[Post], blogroll: str | None = None) -> str:
    items = []
    for i, post in enumerate(posts):
        date = datetime.fromisoformat(post.date).replace(hour=9, tzinfo=UTC)
        body = f"<p>{escape(post.summary)}</p>" + "".join(
            f'<p><a href="{escape(link)}">{escape(link)}</a></p>' for link in post.links
        )
        items.append(
            f"<item><title>{escape(post.title)}</title>"
            f"<link>{site_url}{post.slug or f'posts/{i}'}/</link>"
            f"<guid>{site_url}{post.slug or f'posts/{i}'}/</guid>"
            f"<pubDate>{format_datetime(date, usegmt=True)}</pubDate>"
            f"<description>{escape(body)}</description>"
            + "".join(f"<category>{escape(t)}</category>" for t in post.tags)
            + "</item>"
        )
    source = f"<source:blogroll>{escape(blogroll)}</source:blogroll>" if blogroll else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:source="http://source.scripting.com/"><channel>'
        f"<title>{escape(title)}</title><link>{site_url}</link>"
        f"<description>{escape(title)}</description>{source}"
        + "".join(items)
        + "</channel></rss>\n"
    )


def home_page(
    site_url: str,
    name: str,
    note: str,
    *,
    photo: str | None,
    feed: str | None,
    blogroll_link: str | None,
    rel_me: list[str] = (),
    webmention: str | None = None,
) -> str:
    links = []
    if webmention:
        links.append(f'<link rel="webmention" href="{webmention}">')
    if feed:
        links.append(f'<link rel="alternate" type="application/rss+xml" href="{feed}">')
    if blogroll_link:
        links.append(f'<link rel="blogroll" type="text/xml" href="{blogroll_link}">')
    photo_html = f'<img class="u-photo" src="{photo}" alt="">' if photo else ""
    me = "".join(f'<a rel="me" href="{escape(u)}">{escape(u)}</a>' for u in rel_me)
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(name)}</title>'
        + "".join(links)
        + "</head><body>"
        f'<div class="h-card">{photo_html}<a class="u-url p-name" href="{site_url}">'
        f'{escape(name)}</a><p class="p-note">{escape(note)}</p></div>{me}</body></html>\n'
    )


def opml(title: str, members: list[tuple[str, str, str]]) -> str:
    """members: (name, site URL, feed URL)."""
    outlines = "".join(
        f'<outline text={quoteattr(name)} type="rss" xmlUrl={quoteattr(feed)} '
        f"htmlUrl={quoteattr(site)}/>"
        for name, site, feed in members
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><opml version="2.0"><head>'
        f"<title>{escape(title)}</title></head><body>{outlines}</body></opml>\n"
    )


def solid_png(rgb: tuple[int, int, int], size: int = 48) -> bytes:
    """A plain square PNG of one colour: an avatar that needs no image file in the repo."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))
    row = b"\x00" + bytes(rgb) * size
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * size, 9)) + chunk(b"IEND", b""))


def avatar_png(colour: str) -> bytes:
    """A creator's avatar: a square of their colour (`#a65` or `#aa6655`)."""
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return solid_png(tuple(bytes.fromhex(digits)), 64)


@dataclass
class Creator:
    """A fleet creator: who they are, what they write, whom they list and how."""

    slug: str
    name: str
    note: str
    posts: list[Post]
    lists: list[str] = field(default_factory=list)  # slugs of the creators they list
    blogroll_form: str | None = "link"  # link, rss, wellknown or None
    colour: str = "#a65"
    advertise_feed: bool = True


def publish(
    site: Site, creator: Creator, known: dict[str, tuple[str, str]], extra_lists=()
) -> None:
    """Write a creator's home page, feed, avatar and blogroll into their site;
    `known` maps a slug to (name, site URL) for the creators they list."""
    base = site.url
    feed = f"{base}feed.xml"
    opml_path = {
        "link": "blogroll.opml",
        "rss": "links.opml",
        "wellknown": ".well-known/recommendations.opml",
    }.get(creator.blogroll_form or "")
    members = [
        (known[slug][0], known[slug][1], f"{known[slug][1]}feed.xml")
        for slug in creator.lists
        if slug in known
    ]
    members += list(extra_lists)
    site.put(
        "/",
        "text/html; charset=utf-8",
        home_page(
            base,
            creator.name,
            creator.note,
            photo=f"{base}avatar.png",
            feed=feed if creator.advertise_feed else None,
            blogroll_link=f"{base}{opml_path}" if creator.blogroll_form == "link" else None,
        ),
    )
    site.put(
        "/feed.xml",
        "application/rss+xml; charset=utf-8",
        rss(
            base,
            creator.name,
            creator.posts,
            blogroll=f"{base}{opml_path}" if creator.blogroll_form == "rss" else None,
        ),
    )
    site.put("/avatar.png", "image/png", avatar_png(creator.colour))
    if opml_path:
        site.put(
            f"/{opml_path}",
            "text/x-opml; charset=utf-8",
            opml(f"{creator.name}: blogroll", members),
        )
