"""The shared HTTP client against real servers on 127.0.0.x: limits, retries, the SSRF guard."""

from __future__ import annotations

import asyncio
import gzip
import json
import re
import socket
import time
import tracemalloc

import pytest

import relais.net.client as http_client
from relais.net.client import (
    REFUSED_NETWORKS,
    BadUrl,
    Blocked,
    ConnectFailed,
    FetchError,
    HttpClient,
    Timeout,
    TooLarge,
    TooManyRedirects,
    blocked_reason,
    retry_after_seconds,
)
from tests.conftest import REPO
from tests.support.bombs import MB, deflated, gzip_bomb, nested_gzip
from tests.support.local_http import LocalServer


@pytest.fixture
def server():
    started = LocalServer().start()
    yield started
    started.stop()


@pytest.fixture
def second_server():
    started = LocalServer(host="127.0.0.2").start()
    yield started
    started.stop()


def fetch(url, method="GET", **options):
    """Run one request with a fresh client (private network allowed unless told otherwise)."""
    options.setdefault("allow_private", True)
    data = options.pop("data", None)
    headers = options.pop("headers", None)

    async def go():
        async with HttpClient(**options) as client:
            return await client.request(method, url, headers=headers, data=data)

    return asyncio.run(go())


# --- basics -------------------------------------------------------------------


def test_get_reads_status_headers_text_and_sends_a_user_agent(server):
    url = server.add("/page", 200, [("Content-Type", "text/html; charset=iso-8859-1"),
                                    ("X-Thing", "yes")], "café".encode("latin-1"))
    response = fetch(url, site_url="https://atelier.example")
    assert response.status == 200
    assert response.url == url
    assert response.headers["x-thing"] == response.headers["X-THING"] == "yes"
    assert response.text == "café"
    assert response.redirects == [] and response.permanent_url is None
    agent = server.hits("/page")[0].headers["user-agent"]
    assert "Relais" in agent and "https://atelier.example" in agent


def test_gzip_bodies_are_decoded(server):
    body = gzip.compress(b"<p>hello</p>" * 100)
    url = server.add("/z", 200, [("Content-Encoding", "gzip"), ("Content-Type", "text/html")], body)
    response = fetch(url)
    assert response.content == b"<p>hello</p>" * 100
    assert "gzip" in server.hits("/z")[0].headers["accept-encoding"]


def test_post_is_form_encoded(server):
    url = server.add("/endpoint?token=1", 202)
    server.add("/endpoint", 202)
    response = fetch(server.url("/endpoint?token=1"), "POST",
                     data={"source": "https://a.example/", "target": "https://b.example/"})
    assert response.status == 202
    hit = server.hits("/endpoint")[0]
    assert hit.query == "token=1"
    assert hit.headers["content-type"] == "application/x-www-form-urlencoded"
    assert hit.form == {"source": ["https://a.example/"], "target": ["https://b.example/"]}
    assert url  # the route with a query string is never matched: routes are paths


def test_given_headers_replace_the_defaults_whatever_their_case(server):
    def echo(request, handler):  # every value of each header as sent, duplicates included
        sent = {name: handler.headers.get_all(name) for name in ("Accept", "User-Agent")}
        return 200, [("Content-Type", "application/json")], json.dumps(sent).encode()

    server.routes["/echo"] = echo
    response = fetch(server.url("/echo"), headers={"accept": "application/activity+json",
                                                    "USER-AGENT": "Tester/1"})
    assert json.loads(response.content) == {"Accept": ["application/activity+json"],
                                            "User-Agent": ["Tester/1"]}


def test_http_error_statuses_are_not_exceptions(server):
    url = server.add("/gone", 410, body="gone")
    assert fetch(url).status == 410


@pytest.mark.parametrize("url", ["ftp://example.com/", "not a url", "http:///nohost",
                                 "http://example.com:99999/"])
def test_bad_urls_are_refused_with_their_reason(url):
    with pytest.raises(BadUrl) as caught:
        fetch(url)
    assert caught.value.url == url and caught.value.reason


# --- timeouts and size ------------------------------------------------------------


def test_a_server_that_hangs_times_out(server):
    url = server.add("/hang", delay=3)
    with pytest.raises(Timeout) as caught:
        fetch(url, timeout=0.3, retries=0)
    assert "0.3 s" in str(caught.value)


def test_a_server_that_drips_hits_the_total_timeout(server):
    def drip(request, handler):
        handler.send_response(200)
        handler.send_header("Content-Length", "100")
        handler.end_headers()
        try:
            for _ in range(100):  # one byte every 0.1 s: each read is quick, the whole is not
                handler.wfile.write(b"x")
                handler.wfile.flush()
                time.sleep(0.1)
        except OSError:
            pass

    server.routes["/drip"] = drip
    with pytest.raises(Timeout):
        fetch(server.url("/drip"), timeout=0.5, retries=0)


def test_a_declared_huge_body_is_refused(server):
    url = server.add("/big", body=b"x" * 5000)
    with pytest.raises(TooLarge) as caught:
        fetch(url, max_bytes=1000)
    assert "1,000-byte limit" in caught.value.reason


def test_an_undeclared_huge_body_is_cut(server):
    def endless(request, handler):
        handler.send_response(200)
        handler.send_header("Connection", "close")
        handler.end_headers()
        try:
            for _ in range(100):
                handler.wfile.write(b"y" * 1000)
        except OSError:
            pass
        handler.close_connection = True

    server.routes["/stream"] = endless
    with pytest.raises(TooLarge):
        fetch(server.url("/stream"), max_bytes=5000)


def peak_allocated(work) -> int:
    """The most memory Python held at once (tracemalloc) while `work()` ran, in bytes."""
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_gzip_bomb_is_stopped_while_it_is_decoded(server):
    """200 MB of zeros in 200 kB of gzip: the cap is enforced on the decoded bytes as zlib
    produces them, so the client never holds much more than the cap."""
    url = server.add("/bomb", 200, [("Content-Encoding", "gzip")], gzip_bomb(200 * MB))

    def get():
        with pytest.raises(TooLarge) as caught:
            fetch(url, max_bytes=MB)
        assert caught.value.reason == "response is over the 1,048,576-byte limit once decoded"

    assert peak_allocated(get) < 8 * MB


@pytest.mark.parametrize("coding", ["gzip, gzip", "gzip,deflate", "deflate, gzip, identity"])
def test_more_than_one_content_coding_is_refused(server, coding):
    """`gzip, gzip` was 2.5 kB on the wire and 2 GB in memory: one coding at most."""
    url = server.add("/nested", 200, [("Content-Encoding", coding)], nested_gzip(200 * MB))
    with pytest.raises(FetchError) as caught:
        fetch(url)
    assert caught.value.reason.startswith("refused: ") and "at most one" in caught.value.reason


@pytest.mark.parametrize("coding", ["br", "zstd", "compress"])
def test_an_unknown_content_coding_is_refused(server, coding):
    url = server.add("/odd", 200, [("Content-Encoding", coding)], b"\x00" * 100)
    with pytest.raises(FetchError) as caught:
        fetch(url)
    assert caught.value.reason == (f"refused: unsupported content coding {coding!r} "
                                   "(gzip or deflate only)")
    assert server.hits("/odd")[0].headers["accept-encoding"] == "gzip, deflate"


@pytest.mark.parametrize("wbits", [15, -15], ids=["zlib", "raw"])
def test_deflate_is_decoded_and_bounded_both_ways(server, wbits):
    small = server.add("/small", 200, [("Content-Encoding", "deflate")],
                       deflated(3 * MB + 5, wbits, b"a"))
    assert fetch(small, max_bytes=4 * MB).content == b"a" * (3 * MB + 5)
    bomb = server.add("/bomb", 200, [("Content-Encoding", "deflate")], deflated(100 * MB, wbits))
    with pytest.raises(TooLarge):
        fetch(bomb, max_bytes=MB)


def test_a_corrupt_gzip_body_is_one_clear_error(server):
    url = server.add("/bad", 200, [("Content-Encoding", "gzip")],
                     b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + b"\xff" * 8)
    with pytest.raises(FetchError) as caught:
        fetch(url)
    assert caught.value.reason.startswith("undecodable gzip body")


# --- redirects --------------------------------------------------------------------


def chain(server, length, status=302):
    for n in range(length):
        server.add(f"/r{n}", status, [("Location", f"/r{n + 1}")])
    server.add(f"/r{length}", 200, body="end")


def test_redirects_are_followed_and_recorded(server):
    server.add("/old", 301, [("Location", "/moved")])
    server.add("/moved", 302, [("Location", server.url("/final"))])
    server.add("/final", body="here")
    response = fetch(server.url("/old"))
    assert response.url == server.url("/final") and response.text == "here"
    assert response.redirects == [(301, server.url("/moved")), (302, server.url("/final"))]
    assert response.permanent_url == server.url("/moved")


def test_ten_redirects_are_fine_eleven_are_too_many(server):
    chain(server, 10)
    assert fetch(server.url("/r0")).text == "end"
    chain(server, 11)
    with pytest.raises(TooManyRedirects):
        fetch(server.url("/r0"))


def test_a_redirect_loop_ends(server):
    server.add("/a", 302, [("Location", "/b")])
    server.add("/b", 302, [("Location", "/a")])
    with pytest.raises(TooManyRedirects):
        fetch(server.url("/a"), max_redirects=4)


def test_post_redirected_by_303_becomes_get_and_307_keeps_the_body(server):
    server.add("/see-other", 303, [("Location", "/landing")])
    server.add("/temporary", 307, [("Location", "/landing")])
    server.add("/landing", 200)
    fetch(server.url("/see-other"), "POST", data={"a": "1"})
    fetch(server.url("/temporary"), "POST", data={"a": "2"})
    assert [(r.method, r.body) for r in server.hits("/landing")] == [("GET", b""), ("POST", b"a=2")]


# --- retries ------------------------------------------------------------------------


def busy_then_ok(server, path, status, retry_after):
    def reply(request, handler):
        if len(server.hits(path)) == 1:
            return status, [("Retry-After", retry_after)], b"busy"
        return 200, [], b"ok"

    server.routes[path] = reply
    return server.url(path)


@pytest.mark.parametrize("status", [429, 503])
def test_429_and_503_are_retried_after_retry_after(server, status):
    url = busy_then_ok(server, "/busy", status, "1")
    response = fetch(url, retries=2)
    assert response.status == 200 and len(server.hits("/busy")) == 2


def test_a_retry_after_over_the_cap_is_returned_not_awaited(server):
    url = busy_then_ok(server, "/later", 429, "3600")
    response = fetch(url, retries=2, max_retry_after=5)
    assert response.status == 429 and len(server.hits("/later")) == 1


def test_retries_run_out(server):
    url = server.add("/down", 503, [("Retry-After", "0")])
    assert fetch(url, retries=2).status == 503
    assert len(server.hits("/down")) == 3


def test_retry_after_as_an_http_date():
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480 - 30) == 30
    assert retry_after_seconds("120") == 120
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_a_dropped_connection_is_retried(server):
    def drop_first(request, handler):
        if len(server.hits("/flaky")) == 1:
            handler.close_connection = True
            handler.connection.shutdown(socket.SHUT_RDWR)
            return None
        return 200, [], b"ok"

    server.routes["/flaky"] = drop_first
    assert fetch(server.url("/flaky"), retries=1).text == "ok"
    assert len(server.hits("/flaky")) == 2


def test_a_refused_connection_is_a_typed_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ConnectFailed) as caught:
        fetch(f"http://127.0.0.1:{port}/", retries=0)
    assert "cannot connect" in caught.value.reason


# --- concurrency ----------------------------------------------------------------------


def test_per_host_and_total_limits(server, second_server):
    for each in (server, second_server):
        each.add("/slow", delay=0.15)

    async def go():
        async with HttpClient(allow_private=True, per_host=2, total=3) as client:
            urls = [server.url("/slow")] * 6 + [second_server.url("/slow")] * 6
            return await asyncio.gather(*(client.get(u) for u in urls))

    assert all(r.status == 200 for r in asyncio.run(go()))
    assert server.max_in_flight == 2 and second_server.max_in_flight == 2
    assert len(server.requests) == len(second_server.requests) == 6


# --- the SSRF guard ------------------------------------------------------------------------


@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
    "0.0.0.0", "224.0.0.1", "255.255.255.255", "100.64.0.1", "::1", "::", "fe80::1",
    "fc00::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::ffff:10.0.0.1",
    "2002:7f00:1::", "fec0::1", "fec0:1234::5", "feff::1", "64:ff9b::7f00:1", "3fff::1",
    "192.0.2.1", "198.18.0.1", "240.0.0.1", "::1.2.3.4",
])
def test_unsafe_addresses_have_a_reason(address):
    assert blocked_reason(address)


def test_site_local_ipv6_is_refused_by_name():
    assert blocked_reason("fec0::1") == "fec0::1 is a site-local (deprecated) address"


def test_the_documented_list_is_the_guards_list():
    """docs/http-client.md lists every range the guard refuses, as the code does."""
    doc = (REPO / "docs" / "http-client.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([0-9a-f.:/]+)` \| (.+?) \|$", doc, re.M)
    assert rows == [(str(net), label.split(" ", 1)[1]) for net, label in REFUSED_NETWORKS]


@pytest.mark.parametrize("address", ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"])
def test_public_addresses_pass(address):
    assert blocked_reason(address) is None


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "169.254.169.254",
                                  "[::ffff:127.0.0.1]", "[::1]", "0.0.0.0"])
def test_private_targets_are_blocked_by_default(server, host, monkeypatch):
    monkeypatch.delenv("RELAIS_ALLOW_PRIVATE_NETWORK", raising=False)
    url = f"http://{host}:{server.port}/"
    with pytest.raises(Blocked) as caught:
        fetch(url, allow_private=None, retries=0)
    assert caught.value.url == url and "refused" in caught.value.reason
    assert server.requests == []


def test_the_environment_allows_private_networks(server, monkeypatch):
    monkeypatch.setenv("RELAIS_ALLOW_PRIVATE_NETWORK", "1")
    server.add("/", body="ok")
    assert fetch(server.url("/"), allow_private=None).text == "ok"


def test_a_redirect_to_loopback_is_blocked_after_the_redirect(server, second_server, monkeypatch):
    """127.0.0.2 stands for a public host (the guard is told so); it redirects to 127.0.0.1."""
    real = http_client.blocked_reason
    monkeypatch.setattr(http_client, "blocked_reason",
                        lambda address: None if address == "127.0.0.2" else real(address))
    server.add("/internal", body="secret")
    second_server.add("/go", 302, [("Location", server.url("/internal"))])
    with pytest.raises(Blocked) as caught:
        fetch(second_server.url("/go"), allow_private=False, retries=0)
    assert "127.0.0.1 is a loopback address" in caught.value.reason
    assert len(second_server.hits("/go")) == 1 and server.requests == []


def test_run_works_inside_a_running_event_loop(server):
    """As under Playwright's synchronous API: the work moves to a thread of its own."""
    server.add("/", body="ok")

    async def get():
        async with HttpClient(allow_private=True) as client:
            return (await client.get(server.url("/"))).text

    async def outer():
        return http_client.run(get())

    assert asyncio.run(outer()) == "ok"


# --- TLS ---------------------------------------------------------------------------------------


@pytest.fixture
def tls_server(tmp_path):
    import shutil
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    started = LocalServer(tls=(str(cert), str(key))).start()
    started.add("/secure", body="over TLS")
    yield started, cert
    started.stop()


def test_https_works_when_the_certificate_is_trusted(tls_server, monkeypatch):
    server, cert = tls_server
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    assert fetch(server.url("/secure")).text == "over TLS"


def test_an_untrusted_certificate_is_a_clear_connect_failure(tls_server, monkeypatch):
    server, _ = tls_server
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    with pytest.raises(ConnectFailed) as caught:
        fetch(server.url("/secure"), retries=0)
    assert "certificate verify failed" in caught.value.reason
