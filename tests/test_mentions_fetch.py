"""`relais mentions fetch` against a local server speaking webmention.io's API, and against
our own receiver: paging, since_id, errors that leave the archive as it was, avatars."""

from __future__ import annotations

import asyncio
import json
import struct
import zlib
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs

import pytest
from relais.plugins.webmentions.incoming import archive
from relais.plugins.webmentions.incoming.avatar_download import download_avatars
from relais.plugins.webmentions.incoming.avatars import read_index
from relais.plugins.webmentions.incoming.fetch import FetchFailed, fetch_into
from relais.plugins.webmentions.incoming.receiver import ReceiverConfig

from tests.conftest import run_relais
from tests.support.local_http import LocalServer
from tests.support.receivers import POST, TOKEN, Receiver, built_site


def png(size: int = 2) -> bytes:
    """A real, tiny PNG."""
    def chunk(kind, data):
        checksum = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + checksum
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def jf2_entry(n: int, photo: str = "") -> dict:
    return {
        "type": "entry", "wm-id": 1000 + n, "wm-source": f"https://friend{n % 7}.example/p/{n}",
        "wm-target": POST, "wm-property": ["like-of", "in-reply-to", "repost-of"][n % 3],
        "wm-received": "2026-04-01T10:00:00Z", "published": "2026-04-01T09:00:00+02:00",
        "url": f"https://friend{n % 7}.example/p/{n}",
        "author": {"type": "card", "name": f"Friend {n}", "url": f"https://friend{n % 7}.example/",
                   "photo": photo},
        "content": {"html": f"<p>Reply {n}</p>", "text": f"Reply {n}"},
    }


class FakeWebmentionIo:
    """webmention.io's /api/mentions.jf2: token, domain, since_id, page and per-page."""

    def __init__(self, server: LocalServer, entries: list[dict]):
        self.entries = entries
        self.failure = None
        self.seen = []
        server.routes["/api/mentions.jf2"] = self.answer
        self.url = server.url("/api/mentions.jf2")

    def answer(self, request, handler):
        query = {k: v[0] for k, v in parse_qs(request.query).items()}
        self.seen.append(query)
        if self.failure:
            return self.failure
        if query.get("token") != "io-token":
            return 401, [], b'{"error": "forbidden"}'
        since, per = int(query.get("since_id", 0)), int(query["per-page"])
        page = int(query.get("page", 0))
        chosen = [e for e in self.entries if e["wm-id"] > since]
        children = chosen[page * per:(page + 1) * per]
        body = json.dumps({"type": "feed", "name": "Webmentions", "children": children})
        return 200, [("Content-Type", "application/json")], body.encode()


@pytest.fixture
def api():
    server = LocalServer().start()
    yield server
    server.stop()


def run(coroutine):
    """asyncio.run in a thread of its own: the session's Playwright browser keeps an event
    loop running in the main thread once a browser test has started it."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def fetch(path, url, token="io-token", **options):
    return run(fetch_into(path, api=url, token=token, domains=["atelier.example"],
                                  allow_private=True, **options))


def test_paging_and_since_id_make_fetching_incremental_and_idempotent(api, tmp_path):
    fake = FakeWebmentionIo(api, [jf2_entry(n) for n in range(250)])
    path = tmp_path / "received.json"
    report = fetch(path, fake.url)
    assert report.changes.added == 250 and report.written
    # each page asks for what follows the last id read: no page offsets
    assert [q.get("since_id") for q in fake.seen] == [None, "1099", "1199"]
    assert all("page" not in q for q in fake.seen)
    assert {q["domain"] for q in fake.seen} == {"atelier.example"}
    before = path.read_bytes()
    fake.seen.clear()
    again = fetch(path, fake.url)
    assert not again.changes and not again.written and path.read_bytes() == before
    assert fake.seen[0]["since_id"] == "1249"
    fake.entries.append(jf2_entry(250))
    assert fetch(path, fake.url).changes.added == 1
    assert len(archive.load(path).mentions) == 251


@pytest.mark.parametrize("failure, message", [
    ((500, [], b"oops"), "HTTP 500"),
    ((200, [("Content-Type", "application/json")], b"<html>maintenance</html>"), "not JSON"),
    ((200, [("Content-Type", "application/json")], b'{"type": "feed", "children": [{"wm-'),
     "not JSON or is cut off"),
    ((200, [("Content-Type", "application/json")], b'{"links": []}'), "not a JF2 feed"),
    ((401, [], b'{"error": "forbidden"}'), "HTTP 401"),
])
def test_a_failing_api_changes_nothing_in_the_archive(api, tmp_path, failure, message):
    fake = FakeWebmentionIo(api, [jf2_entry(n) for n in range(3)])
    path = tmp_path / "received.json"
    fetch(path, fake.url)
    before = path.read_bytes()
    fake.failure = failure
    with pytest.raises(FetchFailed, match=message) as caught:
        fetch(path, fake.url, full=True)
    assert "io-token" not in str(caught.value)  # the token never reaches a log
    assert path.read_bytes() == before


def test_the_command_says_one_line_and_leaves_a_corrupt_archive_alone(api, tmp_path):
    settings = tmp_path / "site.py"
    settings.write_text(f"PATH = {str(tmp_path / 'content')!r}\nWEBMENTIONS_ARCHIVE = 'wm.json'\n"
                        "SITEURL = 'https://atelier.example'\nTIMEZONE = 'Europe/Paris'\n")
    (tmp_path / "content").mkdir()
    (tmp_path / "wm.json").write_text('{"mentions": [{"source": 1}]}')
    fake = FakeWebmentionIo(api, [jf2_entry(1)])
    result = run_relais("mentions", "fetch", "-s", str(settings), "--api", fake.url,
                        "--allow-private-network", env={"RELAIS_MENTIONS_TOKEN": "io-token"})
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "wm.json: mentions[0]" in result.stderr
    assert (tmp_path / "wm.json").read_text() == '{"mentions": [{"source": 1}]}'
    assert fake.seen == []  # stopped before any request


def test_the_same_code_reads_our_receiver_including_deletions(api, tmp_path):
    site = built_site(tmp_path / "output")
    source = api.html("/reply", f'<div class="h-entry"><a class="u-in-reply-to" href="{POST}">re'
                                '</a><p class="e-content">Joli !</p></div>')
    config = ReceiverConfig(db=tmp_path / "wm.sqlite3", site_dir=site, domains=["atelier.example"],
                            token=TOKEN, allow_private=True)
    path = tmp_path / "received.json"
    with Receiver(config) as receiver:
        receiver.settle(receiver.send(source))
        api_url = receiver.url + "/api/mentions.jf2"
        assert fetch(path, api_url, token=TOKEN).changes.added == 1
        [kept] = archive.load(path).mentions.values()
        assert kept["type"] == "reply" and kept["via"] == "receiver"
        assert kept["content"]["text"] == "Joli !"
        api.add("/reply", 410, [], "gone")
        receiver.settle(receiver.send(source))
        assert fetch(path, api_url, token=TOKEN).changes.removed == 1
    assert archive.load(path).mentions == {}


def test_avatars_are_downloaded_once_type_checked_and_size_capped(api, tmp_path):
    good = api.add("/a.png", 200, [("Content-Type", "image/png")], png())
    svg = api.add("/b.svg", 200, [("Content-Type", "image/svg+xml")],
                  '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>')
    lying = api.add("/c.png", 200, [("Content-Type", "image/png")], "<script>alert(1)</script>")
    huge = api.add("/d.png", 200, [("Content-Type", "image/png")], png(400) + b"\0" * 300_000)
    folder = tmp_path / "avatars"
    urls = [good, svg, lying, huge, "javascript:alert(1)"]
    assert run(download_avatars(urls, folder, allow_private=True)) == (1, 3)
    index = read_index(folder)
    assert index[svg] is None and index[lying] is None and index[huge] is None
    assert (folder / index[good]).read_bytes() == png()
    hits = len(api.requests)
    assert run(download_avatars(urls, folder, allow_private=True)) == (0, 0)
    assert len(api.requests) == hits  # once
