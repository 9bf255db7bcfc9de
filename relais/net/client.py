"""The one HTTP client every outbound request of Relais goes through.

Why one client: politeness and safety are easy to forget one call at a
time. Here they are decided once: timeouts, a size cap, a redirect limit
followed by hand (so that every hop is checked), a User-Agent naming Relais
and the site, gzip and deflate decoded within the size cap (`decoding`),
per-host and global concurrency limits, retries with
backoff for connection errors and for 429/503 honouring `Retry-After`, and
an SSRF guard. The guard lives in the network backend, so it judges the
address the socket really connects to (after DNS resolution, on every hop,
no window for DNS rebinding). The contract is docs/http-client.md.
"""

from __future__ import annotations

import asyncio
import email.utils
import ipaddress
import os
import re
import socket
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from relais.net.decoding import ACCEPT_ENCODING, BoundedDecoder, DecodeRefused, OverLimit
from relais.net.streams import AsyncioBackend

__all__ = [
    "HttpClient", "Response", "FetchError", "Blocked", "TooLarge", "TooManyRedirects",
    "Timeout", "ConnectFailed", "BadUrl", "blocked_reason", "private_allowed_by_env",
]

VERSION = "0.1"
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
PERMANENT_REDIRECTS = {301, 308}
RETRY_STATUSES = {429, 503}
ENV_ALLOW_PRIVATE = "RELAIS_ALLOW_PRIVATE_NETWORK"


# --- errors ------------------------------------------------------------------


class FetchError(Exception):
    """A request did not give a response; `url` and a one-line `reason` say why."""

    def __init__(self, url: str, reason: str):
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


class Blocked(FetchError):
    """The SSRF guard refused the address the URL resolves or redirects to."""


class TooLarge(FetchError):
    """The response body is bigger than the size cap."""


class TooManyRedirects(FetchError):
    """More redirects than allowed (or a loop)."""


class Timeout(FetchError):
    """Connecting, reading or the whole request took too long."""


class ConnectFailed(FetchError):
    """The host could not be resolved or reached, or dropped the connection."""


class BadUrl(FetchError):
    """Not an absolute http(s) URL."""


# --- the SSRF guard ----------------------------------------------------------


# Every address range the guard refuses, with the words its refusal uses (docs/http-client.md
# lists the same table; a test keeps them equal). Beyond the table, anything Python's
# ipaddress does not call global is refused too ("not a public address").
REFUSED_NETWORKS = tuple((ipaddress.ip_network(net), label) for net, label in (
    ("0.0.0.0/8", "an unspecified"),
    ("10.0.0.0/8", "a private"),
    ("100.64.0.0/10", "a shared (carrier-grade NAT)"),
    ("127.0.0.0/8", "a loopback"),
    ("169.254.0.0/16", "a link-local"),
    ("172.16.0.0/12", "a private"),
    ("192.0.0.0/24", "an IETF protocol"),
    ("192.0.2.0/24", "a documentation"),
    ("192.88.99.0/24", "a 6to4 relay"),
    ("192.168.0.0/16", "a private"),
    ("198.18.0.0/15", "a benchmarking"),
    ("198.51.100.0/24", "a documentation"),
    ("203.0.113.0/24", "a documentation"),
    ("224.0.0.0/4", "a multicast"),
    ("255.255.255.255/32", "a broadcast"),
    ("240.0.0.0/4", "a reserved"),
    ("::/128", "an unspecified"),
    ("::1/128", "a loopback"),
    ("::ffff:0:0/96", "an IPv4-mapped"),
    ("::/96", "an IPv4-compatible (deprecated)"),
    ("64:ff9b::/96", "a NAT64"),
    ("64:ff9b:1::/48", "a local-use NAT64"),
    ("100::/64", "a discard-only"),
    ("2001::/23", "an IETF protocol"),
    ("2001:db8::/32", "a documentation"),
    ("3fff::/20", "a documentation"),
    ("5f00::/16", "a segment-routing"),
    ("fc00::/7", "a unique local (private)"),
    ("fe80::/10", "a link-local"),
    ("fec0::/10", "a site-local (deprecated)"),
    ("ff00::/8", "a multicast"),
))


def blocked_reason(address: str) -> str | None:
    """Why an IP address must not be contacted, or None when it is a public address."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return f"{address!r} is not an IP address"
    if isinstance(ip, ipaddress.IPv6Address):
        for embedded in (ip.ipv4_mapped, ip.sixtofour, ip.teredo and ip.teredo[1]):
            if embedded is not None:
                inner = blocked_reason(str(embedded))
                if inner:
                    return f"{inner} (embedded in IPv6 {ip})"
    for network, label in REFUSED_NETWORKS:
        if ip.version == network.version and ip in network:
            return f"{ip} is {label} address"
    if not ip.is_global:
        return f"{ip} is not a public address"
    return None


def private_allowed_by_env() -> bool:
    return os.environ.get(ENV_ALLOW_PRIVATE, "").strip().lower() in {"1", "true", "yes"}


class _HostBlocked(Exception):
    """Raised inside the network backend; the client turns it into Blocked with the URL."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves the host itself, refuses unsafe addresses, and connects to the checked one."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend):
        self._inner = inner

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as error:
            raise httpcore.ConnectError(f"cannot resolve {host}: {error.strerror}") from error
        addresses = list(dict.fromkeys(info[4][0] for info in infos))
        for address in addresses:
            reason = blocked_reason(address)
            if reason:
                if host.strip("[]") == address:
                    raise _HostBlocked(f"refused: {reason}")
                raise _HostBlocked(f"refused: {host} resolves to a non-public address ({reason})")
        last: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address,
                    socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                last = error
        raise last or httpcore.ConnectError(f"no address for {host}")

    async def connect_unix_socket(self, *args, **kwargs):  # pragma: no cover - never used
        raise _HostBlocked("refused: unix sockets are not allowed")

    async def sleep(self, seconds):
        await self._inner.sleep(seconds)


KEEPALIVE_SECONDS = 5.0


def _open_files_allowance() -> int:
    """How many pools may stay open at most: half the process's open-file limit, kept
    between 256 and 4096 (each pool holds at least one socket)."""
    try:
        import resource

        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    except (ImportError, ValueError, OSError):
        return 256
    if soft == resource.RLIM_INFINITY:
        return 4096
    return max(256, min(4096, soft // 2))


class _PerHostTransport(httpx.AsyncBaseTransport):
    """One small connection pool per origin; pools nobody used for a while are closed.

    httpcore's pool scans all its connections on every request and closes
    idle ones as soon as it holds more connections than its keep-alive
    allowance, so one pool shared by hundreds of hosts reconnects for nearly
    every request and spends more time scanning than sending. A pool per
    origin (as many connections as the per-host limit) keeps each
    connection alive for the next request to the same host (a discovery GET
    then its POST; a home page, then the feed, then the blogroll).

    Past `max_pools` pools, only the pools unused for longer than the keep-alive
    delay are closed: a refresh of 300 creators asks every home page before the
    first feed, so closing the least recently used pool at once (as a fixed cap
    did) reconnected for every request past 256 hosts. The open-files allowance
    is the hard limit, where even recently used idle pools are closed.
    """

    def __init__(self, allow_private: bool, per_origin: int, max_pools: int = 256,
                 hard_limit: int | None = None):
        self._ssl_context = httpx.create_ssl_context()  # loading the CA bundle is slow: once
        backend = AsyncioBackend()
        self._network = backend if allow_private else _GuardedBackend(backend)
        self._per_origin = per_origin
        self._max_pools = max_pools
        self._hard_limit = max(max_pools, hard_limit or _open_files_allowance())
        self._pools: OrderedDict[tuple, httpx.AsyncHTTPTransport] = OrderedDict()
        self._used: dict[tuple, float] = {}

    def _pool_for(self, key: tuple) -> httpx.AsyncHTTPTransport:
        transport = self._pools.get(key)
        if transport is None:
            transport = httpx.AsyncHTTPTransport(verify=self._ssl_context, retries=0,
                                                 trust_env=False)
            # httpx has no parameter for the network backend: swap in a pool that has ours
            transport._pool = httpcore.AsyncConnectionPool(
                ssl_context=self._ssl_context,
                max_connections=self._per_origin,
                max_keepalive_connections=self._per_origin,
                keepalive_expiry=KEEPALIVE_SECONDS,
                network_backend=self._network,
            )
            self._pools[key] = transport
        self._pools.move_to_end(key)
        self._used[key] = time.monotonic()
        return transport

    async def _close_surplus(self) -> None:
        """Close idle pools, least recently used first: the ones whose connections have
        expired anyway, and, past the hard limit, any idle one."""
        stale = time.monotonic() - KEEPALIVE_SECONDS
        for key in list(self._pools):
            if len(self._pools) <= self._max_pools:
                return
            if self._used[key] > stale and len(self._pools) <= self._hard_limit:
                return  # the rest is more recent still: keep their connections alive
            transport = self._pools[key]
            if all(c.is_idle() or c.is_closed() for c in transport._pool.connections):
                del self._pools[key]
                del self._used[key]
                await transport.aclose()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        key = (request.url.scheme, request.url.host, request.url.port)
        transport = self._pool_for(key)
        if len(self._pools) > self._max_pools:
            await self._close_surplus()
        return await transport.handle_async_request(request)

    async def aclose(self) -> None:
        for transport in self._pools.values():
            await transport.aclose()
        self._pools.clear()
        self._used.clear()


# --- responses ---------------------------------------------------------------


@dataclass
class Response:
    url: str
    status: int
    headers: httpx.Headers
    content: bytes
    text: str
    redirects: list[tuple[int, str]] = field(default_factory=list)
    permanent_url: str | None = None
    elapsed: float = 0.0


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def decode(content: bytes, content_type: str) -> str:
    """Text from the Content-Type charset, else an HTML meta charset, else UTF-8."""
    charset = None
    match = re.search(r"charset\s*=\s*\"?([A-Za-z0-9_.:-]+)", content_type or "", re.I)
    if match:
        charset = match.group(1)
    else:
        meta = _META_CHARSET.search(content[:2048])
        if meta:
            charset = meta.group(1).decode("ascii")
    try:
        return content.decode(charset or "utf-8", errors="replace")
    except LookupError:
        return content.decode("utf-8", errors="replace")


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or HTTP date), None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


# --- the client --------------------------------------------------------------


def run(coroutine):
    """Run network work to completion, on uvloop when it is installed (less CPU per request).

    Called where an event loop already runs in this thread (a notebook, a
    synchronous Playwright session), it runs the work in a thread of its own.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _run_here(coroutine)
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(_run_here, coroutine).result()


def _run_here(coroutine):
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(coroutine)


class HttpClient:
    """Async client with Relais's limits; use as `async with HttpClient(...) as client`."""

    def __init__(self, *, site_url: str = "", allow_private: bool | None = None,
                 timeout: float = 10.0, max_bytes: int = 5_000_000, max_redirects: int = 10,
                 per_host: int = 2, total: int = 16, retries: int = 2,
                 max_retry_after: float = 60.0):
        self.allow_private = private_allowed_by_env() if allow_private is None else allow_private
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.per_host = per_host
        self.retries = retries
        self.max_retry_after = max_retry_after
        agent = f"Relais/{VERSION}"
        if site_url:
            agent += f" (Pelican site kit; +{site_url})"
        self.user_agent = agent
        self._total = asyncio.Semaphore(total)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        # The transport is used directly: redirects, cookies and auth are not wanted here,
        # and httpx.AsyncClient's layers for them cost more CPU than the request itself.
        self._transport = _PerHostTransport(self.allow_private, max(per_host, 1))
        self._headers = {"User-Agent": agent, "Accept": "*/*",
                         "Accept-Encoding": ACCEPT_ENCODING, "Connection": "keep-alive"}
        self._timeouts = {"timeout": httpx.Timeout(timeout).as_dict()}

    async def __aenter__(self) -> HttpClient:
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._transport.aclose()

    async def get(self, url: str, *, headers: dict | None = None) -> Response:
        return await self.request("GET", url, headers=headers)

    async def post(self, url: str, *, data: dict | bytes | None = None,
                   headers: dict | None = None) -> Response:
        """POST `data`: a dict is sent form-encoded, bytes as they are (say the type in
        `headers`)."""
        return await self.request("POST", url, headers=headers, data=data)

    async def request(self, method: str, url: str, *, headers: dict | None = None,
                      data: dict | bytes | None = None) -> Response:
        """One request, redirects followed; retried on connection errors and on 429/503."""
        attempt = 0
        while True:
            try:
                response = await self._follow(method, url, headers or {}, data)
            except ConnectFailed:
                if attempt >= self.retries:
                    raise
                await asyncio.sleep(0.5 * 2**attempt)
                attempt += 1
                continue
            if response.status in RETRY_STATUSES and attempt < self.retries:
                delay = retry_after_seconds(response.headers.get("retry-after"))
                if delay is None:
                    delay = 0.5 * 2**attempt
                if delay > self.max_retry_after:
                    return response  # asked to wait longer than we may: the caller decides
                await asyncio.sleep(delay)
                attempt += 1
                continue
            return response

    def _host_slots(self, host: str) -> asyncio.Semaphore:
        slots = self._hosts.get(host)
        if slots is None:
            slots = self._hosts[host] = asyncio.Semaphore(self.per_host)
        return slots

    async def _follow(self, method: str, url: str, headers: dict, data: dict | None) -> Response:
        started = time.perf_counter()
        redirects: list[tuple[int, str]] = []
        permanent_url = None
        current = url
        seen = set()
        while True:
            host = _check_url(current)
            seen.add(current)
            status, response_headers, content = await self._one_hop(
                method, current, host, headers, data)
            location = response_headers.get("location")
            if status in REDIRECT_STATUSES and location is not None:
                target = urljoin(current, location.strip())
                if len(redirects) >= self.max_redirects:
                    raise TooManyRedirects(url, f"more than {self.max_redirects} redirects")
                redirects.append((status, target))
                if status in PERMANENT_REDIRECTS and permanent_url is None:
                    permanent_url = target
                if status == 303 or (status in (301, 302) and method == "POST"):
                    method, data = "GET", None
                if urlsplit(target).netloc != urlsplit(current).netloc:
                    headers = {k: v for k, v in headers.items()
                               if k.lower() not in ("authorization", "cookie")}
                current = target
                continue
            return Response(
                url=current, status=status, headers=response_headers, content=content,
                text=decode(content, response_headers.get("content-type", "")),
                redirects=redirects, permanent_url=permanent_url,
                elapsed=time.perf_counter() - started,
            )

    async def _one_hop(self, method, url, host, headers, data):
        """Send one request and read the body within the cap and the total timeout."""
        async with self._host_slots(host), self._total:
            try:
                async with asyncio.timeout(self.timeout):
                    raw = data if isinstance(data, bytes) else None
                    request = httpx.Request(method, url, headers=self._merged(headers),
                                            data=None if raw is not None else data,
                                            content=raw, extensions=self._timeouts)
                    response = await self._transport.handle_async_request(request)
                    try:
                        status = response.status_code
                        if status in REDIRECT_STATUSES and "location" in response.headers:
                            return status, response.headers, b""
                        declared = response.headers.get("content-length", "")
                        if declared.isdigit() and int(declared) > self.max_bytes:
                            raise TooLarge(url, f"response of {int(declared):,} bytes is over "
                                                f"the {self.max_bytes:,}-byte limit")
                        return status, response.headers, await self._read_body(url, response)
                    finally:
                        await response.aclose()
            except FetchError:
                raise
            except _HostBlocked as error:
                raise Blocked(url, error.reason) from None
            except (TimeoutError, httpx.TimeoutException):
                raise Timeout(url, f"no complete answer within {self.timeout:g} s") from None
            except (httpx.InvalidURL, httpx.UnsupportedProtocol) as error:
                raise BadUrl(url, f"not a usable URL ({error})") from None
            except httpx.ConnectError as error:
                raise ConnectFailed(url, f"cannot connect ({_short(error)})") from None
            except DecodeRefused as error:
                raise FetchError(url, str(error)) from None
            except httpx.HTTPError as error:
                raise ConnectFailed(url, f"connection failed ({_short(error)})") from None

    def _merged(self, headers: dict) -> dict:
        """Our default headers, each replaced by a given one of the same name in any case
        (`accept` replaces `Accept`: a header is never sent twice)."""
        if not headers:
            return self._headers
        given = {name.lower() for name in headers}
        return {**{name: value for name, value in self._headers.items()
                   if name.lower() not in given}, **headers}

    async def _read_body(self, url: str, response: httpx.Response) -> bytes:
        """The body, decoded as it arrives (one content coding at most); TooLarge as soon as
        the bytes received or the bytes decoded pass the cap."""
        decoder = BoundedDecoder(response.headers.get("content-encoding"), self.max_bytes)
        chunks, received = [], 0
        try:
            async for chunk in response.aiter_raw():
                received += len(chunk)
                if received > self.max_bytes:
                    raise OverLimit()
                chunks.append(decoder.feed(chunk))
            chunks.append(decoder.finish())
        except OverLimit:
            once = " once decoded" if decoder.coding and received <= self.max_bytes else ""
            raise TooLarge(url, f"response is over the {self.max_bytes:,}-byte limit{once}") from None
        return b"".join(chunks)


def _check_url(url: str) -> str:
    """The host of an absolute http(s) URL; BadUrl otherwise."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError as error:
        raise BadUrl(url, f"malformed URL ({error})") from None
    if parts.scheme not in ("http", "https"):
        raise BadUrl(url, "only http and https URLs can be fetched")
    if not parts.hostname:
        raise BadUrl(url, "the URL has no host")
    return parts.hostname.lower()


def _short(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
