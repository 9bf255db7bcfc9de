"""A receiver world for the tests: a built site as the receiver sees it, the receiver on
127.0.0.1 (in a thread or as the real `relais receiver serve` process) with the helpers the
tests need, and source pages. The `sources` and `make_receiver` fixtures (tests/conftest.py)
are made of these."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from relais.plugins.webmentions.incoming.manifest import write_manifest
from relais.plugins.webmentions.incoming.receiver import ReceiverConfig, ReceiverThread

REPO = Path(__file__).resolve().parent.parent.parent

SITE = "https://atelier.example"
POST = f"{SITE}/2026/douze-tasses/"
OTHER_POST = f"{SITE}/2026/tests-email/"
TOKEN = "s3cret-token"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def built_site(root: Path) -> Path:
    """A built site as the receiver sees it: a folder of .html pages."""
    for page in ("index.html", "2026/douze-tasses/index.html", "2026/tests-email/index.html",
                 "a-propos/index.html"):
        (root / page).parent.mkdir(parents=True, exist_ok=True)
        (root / page).write_text("<!doctype html><title>x</title>", encoding="utf-8")
    write_manifest(root)
    return root


class Receiver(ReceiverThread):
    """The receiver on 127.0.0.1 with an HTTP client and the helpers the tests need."""

    def __enter__(self):
        super().__enter__()
        self.http = httpx.Client(base_url=self.url, timeout=10)
        return self

    def __exit__(self, *exc):
        self.http.close()
        super().__exit__(*exc)

    def send(self, source: str, target: str = POST) -> httpx.Response:
        return self.http.post("/", data={"source": source, "target": target})

    def settle(self, response: httpx.Response, timeout: float = 15) -> str:
        """Wait for the job behind a 201 to be verified; its outcome."""
        assert response.status_code == 201, response.text
        return wait_for_job(self.http, response.headers["location"], timeout)

    def mentions(self, since_id: int = 0) -> list[dict]:
        answer = self.http.get("/api/mentions.jf2", params={
            "token": TOKEN, "since_id": since_id, "per-page": 1000})
        assert answer.status_code == 200, answer.text
        return answer.json()["children"]


def wait_for_job(http: httpx.Client, location: str, timeout: float) -> str:
    """The outcome of a job, as the site's owner sees it (with the token)."""
    deadline = time.monotonic() + timeout
    while True:
        status = http.get(location, params={"token": TOKEN}).json()
        if status["state"] == "done":
            return status["outcome"]
        assert time.monotonic() < deadline, f"job {location} still {status['state']}"
        time.sleep(0.05)


def entry_page(inner: str, title: str = "Un billet") -> str:
    return (f"<!doctype html><html><head><title>{title}</title></head><body>"
            f'<article class="h-entry">{inner}</article></body></html>')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_receiver_process(db: Path, site: Path, port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "relais.cli", "receiver", "serve", "--db", str(db),
         "--site-dir", str(site), "--domain", "atelier.example", "--port", str(port),
         "--rate-limit", "0", "--address-rate-limit", "0", "--concurrency", "2",
         "--allow-private-network"],
        cwd=REPO, env={**os.environ, "RELAIS_RECEIVER_TOKEN": TOKEN},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            return process
        except httpx.TransportError:
            assert process.poll() is None, process.stderr.read().decode()
            assert time.monotonic() < deadline, "the receiver process did not start"
            time.sleep(0.1)


def receiver_factory(tmp_path: Path):
    """`make(**options)`: a Receiver (not started) for a built site in tmp_path/output."""
    site = built_site(tmp_path / "output")

    def make(**options) -> Receiver:
        settings = {"db": tmp_path / "wm.sqlite3", "site_dir": site, "domains": ["atelier.example"],
                    "token": TOKEN, "allow_private": True, "source_timeout": 1.0, **options}
        return Receiver(ReceiverConfig(**settings))

    return make
