"""Benchmark: send Webmentions to 2,000 targets on 200 local hosts, within the client's limits.

Each host (127.0.0.1 … 127.0.0.200, one port) answers every request, the
target page and the endpoint alike, after 50 ms. Each Webmention is two
requests (discovery GET, then POST). With at most 50 requests in flight
(2 per host), the lower bound is requests × 50 ms ÷ 50; the goal is to
finish within twice that with the journal on. The servers run in a child
process (their own event loop and CPU), and count the requests in flight,
overall and per host, so the limits are checked, not assumed.

Two pipelines run alternately, `--rounds` times each (5): the bare sender
(discovery and POST, nothing written), the baseline, and the whole `relais
mentions send` pipeline (sent log, every result journaled before the next
request starts). The medians are printed, with the load average.

    .venv/bin/python bench/webmention_send.py [--targets 2000] [--hosts 200] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from relais.plugins.webmentions import dispatch, sentlog  # noqa: E402
from relais.plugins.webmentions.sending import send_webmention  # noqa: E402

from relais.net.client import HttpClient, run  # noqa: E402

DELAY = 0.050
PAGE = b'<!doctype html><html><head><link rel="webmention" href="/wm"></head><body>t</body></html>'


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- the servers (child process) ------------------------------------------------------------


def serve(hosts: int, port: int, ready, control) -> None:
    """Every host answers after DELAY; reports the peak requests in flight when told to stop."""
    stats = {"requests": 0, "in_flight": 0, "peak": 0, "host_peak": 0, "connections": 0}
    per_host: dict[str, int] = {}

    class Http(asyncio.Protocol):
        def connection_made(self, transport):
            self.transport, self.buffer = transport, b""
            self.host = transport.get_extra_info("sockname")[0]
            stats["connections"] += 1

        def data_received(self, data):
            self.buffer += data
            while b"\r\n\r\n" in self.buffer:
                head, _, rest = self.buffer.partition(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                if len(rest) < length:
                    return
                self.buffer = rest[length:]
                post = head.startswith(b"POST")
                stats["requests"] += 1
                stats["in_flight"] += 1
                stats["peak"] = max(stats["peak"], stats["in_flight"])
                per_host[self.host] = per_host.get(self.host, 0) + 1
                stats["host_peak"] = max(stats["host_peak"], per_host[self.host])
                asyncio.get_running_loop().call_later(DELAY, self.answer, post)

        def answer(self, post):
            stats["in_flight"] -= 1
            per_host[self.host] -= 1
            if self.transport.is_closing():
                return
            if post:
                self.transport.write(b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n")
            else:
                self.transport.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                                     b"Content-Length: %d\r\n\r\n%s" % (len(PAGE), PAGE))

    async def main():
        loop = asyncio.get_running_loop()
        servers = [await loop.create_server(Http, f"127.0.0.{n}", port, backlog=256)
                   for n in range(1, hosts + 1)]
        ready.set()
        while await loop.run_in_executor(None, control.recv) == "stats":
            control.send(dict(stats))
            stats.update(requests=0, peak=0, host_peak=0, connections=0)
        for server in servers:
            server.close()

    run(main())  # uvloop when installed: the servers should not be the bottleneck


# --- the sender -------------------------------------------------------------------------------


SOURCE = "https://atelier.example/2026/bench/"


def targets(hosts: int, count: int, port: int) -> list[str]:
    return [f"http://127.0.0.{n % hosts + 1}:{port}/t/{n}" for n in range(count)]


async def send_bare(urls: list[str], total: int, per_host: int) -> list[str]:
    async with HttpClient(allow_private=True, total=total, per_host=per_host,
                          site_url="https://atelier.example") as client:
        outcomes = await asyncio.gather(*(send_webmention(client, SOURCE, u) for u in urls))
    return [o.status for o in outcomes]


def send_with_log(urls: list[str], total: int, per_host: int) -> list[str]:
    with tempfile.TemporaryDirectory() as scratch:
        post = sentlog.Post(SOURCE, "h1", frozenset(urls), "2026/bench/index.html")
        report = run(dispatch.send_all(
            Path(scratch) / "sent.json", [post], set(), policy=sentlog.Policy(),
            client_options={"allow_private": True, "total": total, "per_host": per_host,
                            "site_url": "https://atelier.example"}))
        return [r.outcome.status for r in report.results]


# --- shared with bench/fediverse_delivery.py: the servers, the rounds, the table ---------------


class Servers:
    """`serve` in a child process: `hosts` servers on 127.0.0.1 … 127.0.0.N, one port."""

    def __init__(self, hosts: int):
        self.port = free_port()
        ready = multiprocessing.Event()
        self.pipe, there = multiprocessing.Pipe()
        self.child = multiprocessing.Process(target=serve, args=(hosts, self.port, ready, there),
                                             daemon=True)
        self.child.start()
        if not ready.wait(30):
            sys.exit("the servers did not start")

    def stats(self) -> dict:
        """The requests, connections and peaks in flight since the last call."""
        self.pipe.send("stats")
        return self.pipe.recv()

    def stop(self) -> None:
        self.pipe.send("stop")
        self.child.join(5)


def alternate(pipelines: dict, rounds: int, servers: Servers, total: int) -> dict[str, list[dict]]:
    """Each pipeline (a function returning how many requests succeeded) `rounds` times, taking
    turns so that both see the same machine: time, CPU, the bound (requests × DELAY ÷ total)."""
    runs: dict[str, list[dict]] = {name: [] for name in pipelines}
    for _ in range(rounds):
        for name, pipeline in pipelines.items():
            cpu_started = time.process_time()
            started = time.perf_counter()
            done = pipeline()
            elapsed = time.perf_counter() - started
            cpu = time.process_time() - cpu_started
            stats = servers.stats()
            bound = stats["requests"] * DELAY / total
            runs[name].append({"elapsed": elapsed, "cpu": cpu, "bound": bound,
                               "ratio": elapsed / bound, "done": done, **stats})
    return runs


def print_runs(runs: dict[str, list[dict]], load_before, load_after) -> None:
    print(f"load average {load_before[0]:.1f} at the start, {load_after[0]:.1f} at the end, "
          f"on {os.cpu_count()} CPUs")
    print(f"{'pipeline':36}{'time':>8}{'bound':>8}{'ratio':>7}{'requests':>10}{'conns':>7}"
          f"{'peak':>6}{'/host':>6}{'CPU':>7}")
    for name, rounds in runs.items():
        m = {key: statistics.median(r[key] for r in rounds)
             for key in ("elapsed", "bound", "ratio", "requests", "connections", "peak",
                         "host_peak", "cpu")}
        print(f"{name:36}{m['elapsed']:7.2f}s{m['bound']:7.2f}s{m['ratio']:7.2f}"
              f"{m['requests']:10.0f}{m['connections']:7.0f}{m['peak']:6.0f}"
              f"{m['host_peak']:6.0f}{m['cpu']:6.2f}s")
        ratios = ", ".join(f"{r['ratio']:.2f}" for r in rounds)
        print(f"  ratios of the rounds: {ratios}")


def judge(runs: dict[str, list[dict]], expected: int, subject: str, what: str) -> None:
    """Exit 1 unless every round did all its requests and the subject's median ratio ≤ 2."""
    short = [r for rounds in runs.values() for r in rounds if r["done"] != expected]
    if short:
        sys.exit(f"{expected - short[0]['done']} {what} not sent in a round")
    ratio = statistics.median(r["ratio"] for r in runs[subject])
    print(f"goal ({subject}: median ratio ≤ 2.00): {'met' if ratio <= 2 else 'NOT met'} "
          f"({ratio:.2f})")
    sys.exit(0 if ratio <= 2 else 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=2000)
    parser.add_argument("--hosts", type=int, default=200)
    parser.add_argument("--total", type=int, default=50)
    parser.add_argument("--per-host", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    servers = Servers(args.hosts)
    urls = targets(args.hosts, args.targets, servers.port)
    load_before = os.getloadavg()
    runs = alternate({
        "bare sender": lambda: run(send_bare(urls, args.total, args.per_host)).count("sent"),
        "journal on (relais mentions send)":
            lambda: send_with_log(urls, args.total, args.per_host).count("sent"),
    }, args.rounds, servers, args.total)
    load_after = os.getloadavg()
    servers.stop()

    print(f"{args.targets} Webmentions to {args.hosts} hosts (each answers after "
          f"{DELAY * 1000:.0f} ms), at most {args.total} requests in flight, {args.per_host} "
          f"per host; medians of {args.rounds} alternating rounds")
    print_runs(runs, load_before, load_after)
    judge(runs, len(urls), "journal on (relais mentions send)", "webmention(s)")


if __name__ == "__main__":
    main()
