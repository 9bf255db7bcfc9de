"""The bomb suite: no input can exhaust the machine that reads it.

Each bomb is served by a local server on 127.0.0.1 (or handed to the
command as a file) and taken in by the real command, run as its own
process through `tests.support.peak`, which reports the most memory the
process held (`resource.getrusage`, children included): under 300 MB for
every one. Each is stopped with one clear line, and a calm creator or
source beside the bombs is still refreshed or verified: nothing else is
held up.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

from relais.store import read_json
from tests.conftest import REPO, write_tiny_site
from tests.support.bombs import (
    MB,
    billion_laughs_feed,
    billion_laughs_opml,
    gzip_bomb,
    huge_opml,
    nested_gzip,
    xxe_feed,
    xxe_opml,
)
from tests.support.local_http import LocalServer
from tests.support.peak import peak_mb

PEAK_LIMIT_MB = 300
SECRET = "the-owner's-secret-4417"
TOKEN = "bomb-suite-token"
CALM_FEED = ('<?xml version="1.0"?><rss version="2.0"><channel><title>Calme</title>'
             "<link>https://x.example/</link><item><title>Un bol calme</title>"
             "<link>{web}/calm/bol</link><pubDate>Thu, 12 Nov 2026 10:00:00 GMT</pubDate></item>"
             "</channel></rss>")


def measured(*args: str, cwd, timeout: float = 240) -> tuple[subprocess.CompletedProcess, float]:
    """Run `relais ARGS` as a process of its own; what it did, and its peak memory in MB."""
    done = subprocess.run([sys.executable, "-m", "tests.support.peak", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "PYTHONPATH": str(REPO),
                               "RELAIS_ALLOW_PRIVATE_NETWORK": "1"})
    return done, peak_mb(done.stderr)


def endless(request, handler):
    """A body that never ends (no Content-Length, bytes until the client hangs up)."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/rss+xml")
    handler.send_header("Connection", "close")
    handler.end_headers()
    try:
        while True:
            handler.wfile.write(b"<item>" * 10_000)
    except OSError:
        pass
    handler.close_connection = True


BOMBS = {
    # creator: (what is served where, the line that must say why it stopped)
    "nested": ("feed", "refused: 2 content codings (gzip, gzip); at most one is accepted"),
    "gzip": ("feed", "response is over the 5,000,000-byte limit once decoded"),
    "declared": ("feed", "response of 50,000,000 bytes is over the 5,000,000-byte limit"),
    "endless": ("feed", "response is over the 5,000,000-byte limit"),
    "deep": ("home", "refused: elements nested more than 256 deep"),
    "outlines": ("blogroll", "refused: 100,000 outlines, more than the 5,000 read"),
    "laughs": ("feed", "refused: declares XML entities (<!ENTITY>)"),
    "xxe": ("feed", "refused: declares XML entities (<!ENTITY>)"),
}


def serve_bombs(server: LocalServer, secret_file) -> str:
    web = server.base
    rss = ("application/rss+xml", "text/xml")
    for name in BOMBS:
        server.html(f"/{name}/", f'<link rel="alternate" type="application/rss+xml" '
                                 f'href="/{name}/feed.xml"><div class="h-card">'
                                 f'<a class="p-name u-url" href="/{name}/">{name}</a></div>')
        server.add(f"/{name}/feed.xml", 200, [("Content-Type", rss[0])],
                   CALM_FEED.format(web=web).replace("calm", name))
    server.add("/nested/feed.xml", 200, [("Content-Encoding", "gzip, gzip")],
               nested_gzip(1024 * MB))
    server.add("/gzip/feed.xml", 200, [("Content-Encoding", "gzip")], gzip_bomb(1024 * MB))
    server.add("/declared/feed.xml", 200, [("Content-Length", str(50_000_000))], b"")
    server.routes["/endless/feed.xml"] = endless
    server.html("/deep/", "<html><body>" + "<b>" * 900_000 + "deep")
    server.html("/outlines/", '<link rel="blogroll" href="/outlines/blogroll.opml">'
                              '<link rel="alternate" type="application/rss+xml" '
                              'href="/outlines/feed.xml">')
    server.add("/outlines/blogroll.opml", 200, [("Content-Type", "text/x-opml")],
               huge_opml(100_000, host="c{n}.e", short=True))
    server.add("/laughs/feed.xml", 200, [("Content-Type", rss[1])], billion_laughs_feed())
    server.add("/xxe/feed.xml", 200, [("Content-Type", rss[1])], xxe_feed(str(secret_file)))
    server.html("/calm/", '<link rel="alternate" type="application/rss+xml" href="/calm/feed.xml">')
    server.add("/calm/feed.xml", 200, [("Content-Type", rss[0])], CALM_FEED.format(web=web))
    return web


@pytest.fixture(scope="module")
def bombed(tmp_path_factory):
    """One `relais blogroll refresh` of eight bomb creators and a calm one, all at once."""
    root = tmp_path_factory.mktemp("bombs")
    secret = root / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    server = LocalServer().start()
    try:
        web = serve_bombs(server, secret)
        write_tiny_site(root, {})
        (root / "content" / "blogroll.yaml").write_text("creators:\n" + "".join(
            f"  - name: {name}\n    site: {web}/{name}/\n" for name in [*BOMBS, "calm"]),
            encoding="utf-8")
        done, peak = measured("blogroll", "refresh", "-s", "site.py", cwd=root)
    finally:
        server.stop()
    return root, web, done, peak


def state_of(root, web, name) -> dict:
    from relais.plugins.blogroll.model import site_key

    return read_json(root / "data" / "blogroll" / f"{site_key(f'{web}/{name}/')}.json")


def test_a_refresh_full_of_bombs_stays_small_and_says_why(bombed):
    root, web, done, peak = bombed
    assert done.returncode == 0, done.stderr
    assert peak < PEAK_LIMIT_MB, f"peak {peak:.0f} MB"
    for name, (where, reason) in BOMBS.items():
        error = state_of(root, web, name)["last_error"]
        assert reason in error, (name, error)
        assert where in error  # the line names what was refused
    print(f"blogroll refresh with {len(BOMBS)} bombs: peak {peak:.0f} MB")


def test_the_calm_creator_beside_the_bombs_is_refreshed(bombed):
    root, web, done, _peak = bombed
    calm = state_of(root, web, "calm")
    assert calm["last_error"] is None and calm["entries"][0]["title"] == "Un bol calme"


def test_xxe_never_reads_a_local_file(bombed):
    root, _web, _done, _peak = bombed
    for path in (root / "data").rglob("*.json"):
        assert SECRET not in path.read_text(encoding="utf-8"), path


@pytest.mark.parametrize("document, reason", [
    (huge_opml(100_000, short=True), "refused: 100,000 outlines, more than the 5,000 read"),
    (billion_laughs_opml(), "refused: declares XML entities (<!ENTITY>), which feeds and OPML "
                            "never need"),
    ("xxe", "refused: declares XML entities (<!ENTITY>), which feeds and OPML never need"),
], ids=["100k-outlines", "billion-laughs", "xxe"])
def test_importing_a_bomb_is_refused_in_one_line(tmp_path, document, reason):
    """Importing 100,000 outlines ran for 271 s and took 843 MB."""
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    if document == "xxe":
        document = xxe_opml(str(secret))
    write_tiny_site(tmp_path, {})
    (tmp_path / "content" / "blogroll.yaml").write_text("creators: []\n", encoding="utf-8")
    (tmp_path / "bomb.opml").write_text(document, encoding="utf-8")
    done, peak = measured("blogroll", "import", "bomb.opml", "-s", "site.py", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.splitlines()[0] == f"error: bomb.opml: {reason}"
    assert peak < PEAK_LIMIT_MB, f"peak {peak:.0f} MB"
    assert (tmp_path / "content" / "blogroll.yaml").read_text() == "creators: []\n"


def test_importing_the_most_outlines_read_is_quick_and_small(tmp_path):
    write_tiny_site(tmp_path, {})
    (tmp_path / "big.opml").write_text(huge_opml(5_000), encoding="utf-8")
    done, peak = measured("blogroll", "import", "big.opml", "-s", "site.py", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1].startswith("5000 added, 0 already in")
    assert peak < PEAK_LIMIT_MB, f"peak {peak:.0f} MB"


# --- the receiver: one anonymous POST each -------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_receiver_verifies_bombs_without_growing_and_still_verifies_the_rest(tmp_path):
    """`gzip, gzip` once made one anonymous POST cost the receiver about 2 GB."""
    from relais.build import build, load_settings

    server = LocalServer().start()
    target = "https://atelier.example/2026/tasses/"
    web = server.base
    server.add("/nested", 200, [("Content-Type", "text/html"), ("Content-Encoding", "gzip, gzip")],
               nested_gzip(1024 * MB))
    server.add("/gzip", 200, [("Content-Type", "text/html"), ("Content-Encoding", "gzip")],
               gzip_bomb(512 * MB))  # 0.5 MB on the wire: under the source's 1 MB
    server.html("/deep", f'<a href="{target}">x</a>' + "<b>" * 300_000)
    server.routes["/endless"] = endless
    server.html("/calm", f'<p>Voir <a href="{target}">ce billet</a></p>')
    settings = write_tiny_site(tmp_path, {"tasses.md": (
        "Title: Des tasses\nDate: 2026-03-01 10:00\nSlug: tasses\n\nDes tasses.\n")})
    settings.write_text(settings.read_text() + "WEBMENTIONS_DOMAINS = ['atelier.example']\n")
    build(load_settings(str(settings), str(tmp_path / "output")))
    port = free_port()
    receiver = subprocess.Popen(
        [sys.executable, "-m", "tests.support.peak", "receiver", "serve", "-s", "site.py",
         "--port", str(port), "--db", "wm.sqlite3", "--site-dir", "output"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(REPO), "RELAIS_ALLOW_PRIVATE_NETWORK": "1",
             "RELAIS_RECEIVER_TOKEN": TOKEN})
    outcomes = {}
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=10) as http:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if http.get("/health").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline and receiver.poll() is None
                time.sleep(0.2)
            locations = {}
            for name in ("nested", "gzip", "deep", "endless", "calm"):
                answer = http.post("/", data={"source": f"{web}/{name}", "target": target})
                assert answer.status_code == 201, answer.text
                locations[name] = answer.headers["location"]
            deadline = time.monotonic() + 120
            while len(outcomes) < len(locations):
                for name, location in locations.items():
                    status = http.get(location, params={"token": TOKEN}).json()
                    if status["state"] == "done":
                        outcomes[name] = status["outcome"]
                assert time.monotonic() < deadline, outcomes
                time.sleep(0.2)
    finally:
        receiver.send_signal(signal.SIGINT)
        _, stderr = receiver.communicate(timeout=60)
        server.stop()
    peak = peak_mb(stderr)
    assert peak < PEAK_LIMIT_MB, f"peak {peak:.0f} MB"
    assert outcomes["nested"] == ("failed: source not fetched: refused: 2 content codings "
                                  "(gzip, gzip); at most one is accepted")
    assert outcomes["gzip"] == ("failed: source not fetched: response is over the "
                                "1,000,000-byte limit once decoded")
    assert outcomes["deep"] == "failed: source not read: elements nested more than 256 deep"
    assert outcomes["endless"].startswith("failed: source not fetched: ")
    assert outcomes["calm"].startswith("verified mention")
    print(f"receiver with 4 bombs: peak {peak:.0f} MB")
