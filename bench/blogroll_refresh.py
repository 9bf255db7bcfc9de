"""Benchmark: refresh 300 creators whose servers answer after 100 ms, 16 requests in flight.

Each creator is a real local site (tests/support/fleet.py) on its own loopback
address, so the shared client's per-host limit applies as on the web. A
refresh asks each creator for 4 things in turn (home page, feed, blogroll,
photo), so the bound set by 16 requests in flight is
    requests × 0.1 s / 16
and the goal is to stay within twice that. A second refresh with nothing
changed must transfer no feed bodies (every answer a 304) and keep one
connection per host (keep-alive past 256 hosts). Each round refreshes twice
into a fresh data folder; the medians of `--rounds` rounds (5) are printed,
with the load average.

    .venv/bin/python bench/blogroll_refresh.py [--creators 300] [--delay 0.1] [--in-flight 16]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
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
                        max(site.connections for site in sites),
                        sum(site.connections for site in sites),
                    )
                )


RUNS = ("first refresh", "second refresh (nothing changed)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--creators", type=int, default=300)
    parser.add_argument("--delay", type=float, default=0.1)
    parser.add_argument("--in-flight", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    ours, theirs = multiprocessing.Pipe()
    server = multiprocessing.Process(target=serve_fleet, args=(theirs, args.creators, args.delay))
    server.start()
    rows: dict[str, list[dict]] = {label: [] for label in RUNS}
    load_before = os.getloadavg()
    try:
        urls = ours.recv()
        creators = [Entry(f"Creator {i}", url) for i, url in enumerate(urls)]
        for _ in range(args.rounds):
            with tempfile.TemporaryDirectory() as data:
                for label in RUNS:
                    ours.send("clear")
                    ours.recv()
                    started, cpu = time.perf_counter(), time.process_time()
                    outcomes = refresh(creators, Path(data), allow_private=True,
                                       total=args.in_flight)
                    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
                    ours.send("stats")
                    requests, bodies, feed_bodies, host_connections, connections = ours.recv()
                    bound = requests * max(args.delay, 1e-9) / args.in_flight
                    rows[label].append({
                        "elapsed": elapsed, "bound": bound, "ratio": elapsed / bound,
                        "requests": requests, "bodies": bodies, "feed_bodies": feed_bodies,
                        "host_connections": host_connections, "connections": connections,
                        "failing": sum(o.result in ("failing", "gone") for o in outcomes),
                        "cpu": cpu})
    finally:
        ours.send("stop")
        server.join(timeout=10)
    load_after = os.getloadavg()
    print(
        f"{args.creators} creators, servers answer after {args.delay * 1000:.0f} ms, "
        f"{args.in_flight} requests in flight (client and servers in separate processes); "
        f"medians of {args.rounds} rounds"
    )
    print(f"load average {load_before[0]:.1f} at the start, {load_after[0]:.1f} at the end, "
          f"on {os.cpu_count()} cores")
    print(
        f"{'run':<34}{'time':>8}{'bound':>8}{'ratio':>7}{'requests':>10}{'bodies':>8}"
        f"{'feed bodies':>13}{'conns':>7}{'max/host':>9}{'failing':>9}{'client CPU':>12}"
    )
    median = {}
    for label, runs in rows.items():
        m = median[label] = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
        worst = max(r["host_connections"] for r in runs)
        print(
            f"{label:<34}{m['elapsed']:>7.2f}s{m['bound']:>7.2f}s{m['ratio']:>6.2f}×"
            f"{m['requests']:>10.0f}{m['bodies']:>8.0f}{m['feed_bodies']:>13.0f}"
            f"{m['connections']:>7.0f}{worst:>9}{m['failing']:>9.0f}{m['cpu']:>11.2f}s"
        )
        ratios = ", ".join(f"{r['ratio']:.2f}" for r in runs)
        print(f"  ratios of the rounds: {ratios}")
    first, second = median[RUNS[0]], rows[RUNS[1]]
    ok = (
        first["ratio"] <= 2
        and all(r["feed_bodies"] == 0 and r["host_connections"] <= 1 for r in second)
        and all(r["failing"] == 0 for runs in rows.values() for r in runs)
    )
    print("goal (first within 2× the bound; second: no feed body, ≤ 1 connection per host):",
          "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
