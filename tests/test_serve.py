"""`relais serve`: the site answers on localhost and an edit shows up without a restart."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from tests.conftest import write_tiny_site

POST = """Title: {title}
Date: 2026-03-01 10:00
Category: Atelier
Slug: pot

Un texte.
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch_until(url: str, wanted: str, seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    body = ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                body = response.read().decode("utf-8")
            if wanted in body:
                return body
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} never showed {wanted!r}; last body: {body[:200]!r}")


def test_serve_answers_and_rebuilds_on_change(tmp_path):
    settings = write_tiny_site(tmp_path, {"pot.md": POST.format(title="Premier pot")})
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "relais.cli", "serve", "-s", str(settings), "--port", str(port)],
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/2026/pot/"
        fetch_until(url, "Premier pot")
        # Pelican starts watching once its first build is written: an edit made in
        # that instant can go unseen, so the edit is saved again until it shows.
        for _attempt in range(10):
            (tmp_path / "content" / "posts" / "pot.md").write_text(
                POST.format(title="Second pot"), encoding="utf-8")
            try:
                fetch_until(url, "Second pot", seconds=6)
                break
            except AssertionError:
                continue
        fetch_until(url, "Second pot", seconds=1)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
