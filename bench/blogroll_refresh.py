"""Benchmark: refresh 300 creators whose servers answer after 100 ms, 16 requests in flight.

Each creator is a real local site (tests/support/fleet.py) on its own loopback
address, so the shared client's per-host limit applies as on the web. A
refresh asks each creator for 4 things in turn (home page, feed, blogroll,
photo), so the bound set by 16 requests in flight is
    requests × 0.1 s / 16
and the goal is to stay within twice that. A second refresh with nothing
changed must transfer no feed bodies (every answer a 304).

    .venv/bin/python bench/blogroll_refresh.py [--creators 300] [--delay 0.1] [--in-flight 16]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from relais.plugins.blogroll.model import Creator as Entry  # noqa: E402
from relais.plugins.blogroll.refresh import refresh  # noqa: E402

from tests.support.fleet import Creator, Fleet, Post, publish  # noqa: E402


def loopback(index: int) -> str:
    return f"127.0.{1 + index // 250}.{1 + index % 250}"


def serve_fleet(connection, count: int, delay: float) -> None:
    """The fleet in its own process, so that servers and client do not share one GIL."""
    posts = [
        Post(f"Post {n}", f"2026-10-{n + 1:02d}", "Émail, grès et cuisson.", ["grès"])
        for n in range(10)
    ]
    with Fleet() as fleet:
        sites = [fleet.add(f"c{i}", host=loopback(i), delay=delay) for i in range(count)]
        known = {site.slug: (f"Creator {i}", site.url) for i, site in enumerate(sites)}
        for i, site in enumerate(sites):
            lists = [sites[(i + k) % len(sites)].slug for k in (1, 2, 3)]
            publish(
                site, Creator(site.slug, f"Creator {i}", "A maker.", posts, lists, "link"), known
            )
        connection.send([site.url for site in sites])
        while (command := connection.recv()) != "stop":
            if command == "clear":
                fleet.clear_logs()
                connection.send(None)
            elif command == "stats":
                log = [r for site in sites for r in site.log]
                connection.send(
                    (
                        len(log),
                        sum(r.status == 200 for r in log),
                        sum(r.status == 200 and r.path == "/feed.xml" for r in log),
                    )
                )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--creators", type=int, default=300)
    parser.add_argument("--delay", type=float, default=0.1)
    parser.add_argument("--in-flight", type=int, default=16)
    args = parser.parse_args()

    ours, theirs = multiprocessing.Pipe()
    server = multiprocessing.Process(target=serve_fleet, args=(theirs, args.creators, args.delay))
    server.start()
    rows = []
    try:
        urls = ours.recv()
        creators = [Entry(f"Creator {i}", url) for i, url in enumerate(urls)]
        with tempfile.TemporaryDirectory() as data:
            for label in ("first refresh", "second refresh (nothing changed)"):
                ours.send("clear")
                ours.recv()
                started, cpu = time.perf_counter(), time.process_time()
                outcomes = refresh(creators, Path(data), allow_private=True, total=args.in_flight)
                elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
                ours.send("stats")
                requests, bodies, feed_bodies = ours.recv()
                failing = [o for o in outcomes if o.result in ("failing", "gone")]
                bound = requests * max(args.delay, 1e-9) / args.in_flight
                rows.append(
                    (label, elapsed, bound, requests, bodies, feed_bodies, len(failing), cpu)
                )
    finally:
        ours.send("stop")
        server.join(timeout=10)
    print(
        f"{args.creators} creators, servers answer after {args.delay * 1000:.0f} ms, "
        f"{args.in_flight} requests in flight (client and servers in separate processes)"
    )
    print(
        f"{'run':<34}{'time':>8}{'bound':>8}{'ratio':>7}{'requests':>10}{'bodies':>8}"
        f"{'feed bodies':>13}{'failing':>9}{'client CPU':>12}"
    )
    for label, elapsed, bound, requests, bodies, feed_bodies, failing, cpu in rows:
        print(
            f"{label:<34}{elapsed:>7.2f}s{bound:>7.2f}s{elapsed / bound:>6.2f}×{requests:>10}"
            f"{bodies:>8}{feed_bodies:>13}{failing:>9}{cpu:>11.2f}s"
        )
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    first, second = rows
    ok = first[1] <= 2 * first[2] and second[5] == 0 and first[6] == 0 and second[6] == 0
    print("goal (within 2× the bound, no feed body the second time):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
