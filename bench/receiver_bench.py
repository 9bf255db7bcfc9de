"""Issue 5's receiver targets: accepted requests per second and p99 latency under concurrent
valid requests (goal: ≥ 500/s, p99 < 100 ms on a 2-core machine), and the time to verify
1,000 queued mentions against local sources.

    python bench/receiver_bench.py [--requests 5000] [--connections 32] [--verify 1000]

Everything runs on 127.0.0.1, each part in its own process so that none steals the
other's interpreter: the receiver (`relais receiver serve`, its verification worker on),
the source sites (8 servers on 127.0.0.1–127.0.0.8, in a second process), and the load
generator (this process: plain keep-alive HTTP/1.1 connections, so that the client is not
the bottleneck).
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

DOMAIN = "atelier.example"
SOURCE_HOSTS = [f"127.0.0.{n}" for n in range(1, 9)]
PAGES = 500


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve_sources(folder: str, port: int) -> None:
    """(In the sources process) the same folder of source pages on every source host."""
    for host in SOURCE_HOSTS:
        server = ThreadingHTTPServer((host, port), partial(Quiet, directory=folder))
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
    signal.pause()


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def make_site_and_sources(root: Path, count: int) -> tuple[Path, Path]:
    site, sources = root / "output", root / "sources"
    for n in range(PAGES):
        page = site / "2026" / f"post-{n}" / "index.html"
        page.parent.mkdir(parents=True)
        page.write_text("<!doctype html><title>post</title>")
    (site / "index.html").write_text("<!doctype html><title>home</title>")
    from relais.plugins.webmentions.incoming.manifest import write_manifest

    write_manifest(site)  # what `relais build` writes last: the receiver's list of pages
    sources.mkdir()
    for n in range(count):
        target = f"https://{DOMAIN}/2026/post-{n % PAGES}/"
        (sources / f"s{n}.html").write_text(
            f'<!doctype html><title>Source {n}</title><article class="h-entry">'
            f'<span class="p-author h-card"><a class="p-name u-url" href="/">Friend {n % 50}</a>'
            f'</span><a class="u-in-reply-to" href="{target}">re</a>'
            f'<div class="e-content"><p>Reply number {n}, with <b>some</b> words.</p></div>'
            f'<time class="dt-published" datetime="2026-03-01T10:00:00+01:00">1 mars</time>'
            f"</article>")
    return site, sources


def pair(n: int, sources_port: int) -> tuple[str, str]:
    host = SOURCE_HOSTS[n % len(SOURCE_HOSTS)]
    return (f"http://{host}:{sources_port}/s{n}.html", f"https://{DOMAIN}/2026/post-{n % PAGES}/")


def start_receiver(db: Path, site: Path, port: int, *more: str, cwd: Path = REPO,
                   env: dict | None = None) -> subprocess.Popen:
    """The real `relais receiver serve` (with `more` options, e.g. `-s SETTINGS`), once it
    answers."""
    process = subprocess.Popen(
        [sys.executable, "-m", "relais.cli", "receiver", "serve", "--db", str(db),
         "--site-dir", str(site), "--domain", DOMAIN, "--port", str(port), "--rate-limit", "0",
         "--address-rate-limit", "0", "--allow-private-network", *more], cwd=cwd, env=env,
        stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit("the receiver did not start") from None
            time.sleep(0.1)


def form_request(port: int, source: str, target: str) -> bytes:
    """A Webmention POST, as bytes on the wire."""
    body = urlencode({"source": source, "target": target}).encode()
    return (f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


async def one_connection(port: int, requests: list[bytes], latencies: list[float],
                         statuses: dict[int, int]) -> None:
    """Send the requests one after the other on one keep-alive connection."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for request in requests:
        started = time.perf_counter()
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        await reader.readexactly(length)
        latencies.append(time.perf_counter() - started)
        status = int(head.split(b" ", 2)[1])
        statuses[status] = statuses.get(status, 0) + 1
    writer.close()


async def load(port: int, requests: list[bytes], connections: int):
    """The requests spread over `connections` connections: (seconds, latencies, statuses)."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    shares = [requests[i::connections] for i in range(connections)]
    started = time.perf_counter()
    await asyncio.gather(*(one_connection(port, share, latencies, statuses) for share in shares))
    return time.perf_counter() - started, sorted(latencies), statuses


def percentile(values: list[float], fraction: float) -> float:
    return values[min(len(values) - 1, int(len(values) * fraction))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--verify", type=int, default=1000)
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="relais-receiver-bench-"))
    count = max(args.requests, args.verify)
    site, sources = make_site_and_sources(root, count)
    sources_port = free_port()
    sources_process = subprocess.Popen(
        [sys.executable, __file__, "--serve-sources", str(sources), str(sources_port)])
    try:
        # 1. acceptance under load (the worker verifies in the background meanwhile)
        port = free_port()
        receiver = start_receiver(root / "accept.sqlite3", site, port)
        try:
            warm = [form_request(port, *pair(n, sources_port)) for n in range(200)]
            asyncio.run(load(port, warm, args.connections))
            pairs = [form_request(port, *pair(n, sources_port)) for n in range(args.requests)]
            seconds, latencies, statuses = asyncio.run(load(port, pairs, args.connections))
        finally:
            receiver.terminate()
            receiver.wait(10)
        accepted = statuses.get(201, 0)
        print(f"receiver: {args.requests} requests over {args.connections} connections in "
              f"{seconds:.2f} s: {accepted / seconds:.0f} accepted/s "
              f"(statuses {dict(sorted(statuses.items()))})")
        print(f"latency: p50 {percentile(latencies, 0.50) * 1000:.1f} ms, "
              f"p99 {percentile(latencies, 0.99) * 1000:.1f} ms, "
              f"max {latencies[-1] * 1000:.1f} ms  (goal: ≥ 500/s, p99 < 100 ms)")

        # 2. verification of a full queue against local sources
        from relais.plugins.webmentions.incoming.inbox import Inbox
        from relais.plugins.webmentions.incoming.worker import drain

        db = root / "verify.sqlite3"
        inbox = Inbox(db)
        for n in range(args.verify):
            inbox.enqueue(*pair(n, sources_port))
        inbox.close()
        started = time.perf_counter()
        counts = drain(db, allow_private=True, concurrency=16, per_host=4)
        seconds = time.perf_counter() - started
        inbox = Inbox(db)
        verified = inbox.db.execute("SELECT count(*) FROM mentions WHERE record IS NOT NULL")
        verified = verified.fetchone()[0]
        inbox.close()
        print(f"verification: {args.verify} queued mentions verified in {seconds:.2f} s "
              f"({args.verify / seconds:.0f}/s; {verified} stored; jobs {counts}; "
              f"16 at once, 4 per source host, 8 source hosts)")
    finally:
        sources_process.terminate()
        sources_process.wait(10)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--serve-sources":
        serve_sources(sys.argv[2], int(sys.argv[3]))
    else:
        main()
