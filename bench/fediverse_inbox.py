"""Benchmark: signed activities per second taken by the actor's inbox (goal: ≥ 300/s).

The real `relais receiver serve -s pelicanconf.py` (with FEDIVERSE_HANDLE: the fediverse
extension on) runs in its own process. 20 remote actors, each with its own RSA key, are served
by a local server in this process (127.0.0.9); the receiver fetches each key and profile once
(a warm-up round) and keeps them. Each round POSTs `--activities` Likes of the site's posts
(every one a new id, so none is a replay), each signed by its actor beforehand (draft-cavage,
rsa-sha256, as Mastodon sends them), over `--connections` keep-alive connections
(bench/receiver_bench.py's load generator): the receiver checks each signature, its date and
digest, the signer, the replay table, and stores the like in the received archive. The
baseline, in the same rounds, taking turns: as many GETs of the actor document over the same
connections (the HTTP stack alone). Medians of `--rounds` rounds (5), the load average printed.

    .venv/bin/python bench/fediverse_inbox.py [--activities 1000] [--connections 16] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402
from receiver_bench import PAGES, free_port, load, start_receiver  # noqa: E402
from relais.plugins.fediverse import signatures  # noqa: E402
from relais.plugins.fediverse.keys import public_pem  # noqa: E402
from relais.plugins.webmentions.incoming.manifest import write_manifest  # noqa: E402

ACTORS = 20
ACTOR_HOST = "127.0.0.9"
CONF = """\
PATH = "content"
TIMEZONE = "UTC"
SITENAME = "Atelier"
SITEURL = "http://127.0.0.1:{port}"
FEDIVERSE_HANDLE = "atelier"
FEDIVERSE_KEY = {key!r}
"""


def serve_actors(keys: list) -> str:
    """The remote actors' documents (with their public keys), in a thread; their base URL."""
    documents = {}

    class Actors(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            body = documents.get(self.path.split("#")[0], b"")
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "application/activity+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer((ACTOR_HOST, 0), Actors)
    server.daemon_threads = True
    base = f"http://{ACTOR_HOST}:{server.server_address[1]}"
    for n, key in enumerate(keys):
        actor = f"{base}/actors/{n}"
        documents[f"/actors/{n}"] = json.dumps({
            "id": actor, "type": "Person", "name": f"Friend {n}", "inbox": f"{actor}/inbox",
            "publicKey": {"id": f"{actor}#key", "owner": actor,
                          "publicKeyPem": public_pem(key)}}).encode()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return base


def likes(port: int, keys: list, base: str, first: int, count: int) -> list[bytes]:
    """`count` Likes of the site's posts, each signed by its actor, as bytes on the wire."""
    inbox = f"http://127.0.0.1:{port}/inbox"
    requests = []
    for n in range(first, first + count):
        actor = f"{base}/actors/{n % ACTORS}"
        body = json.dumps({"@context": "https://www.w3.org/ns/activitystreams",
                           "id": f"{actor}/likes/{n}", "type": "Like", "actor": actor,
                           "object": f"http://127.0.0.1:{port}/2026/post-{n % PAGES}/"}).encode()
        headers = signatures.sign("POST", inbox, keys[n % ACTORS], f"{actor}#key", body=body,
                                  headers={"content-type": "application/activity+json"})
        head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        requests.append(f"POST /inbox HTTP/1.1\r\n{head}Content-Length: {len(body)}\r\n\r\n"
                        .encode() + body)
    return requests


def actor_gets(port: int, count: int) -> list[bytes]:
    return [f"GET /actor HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()] * count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=1000)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    keys = [rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in range(ACTORS)]
    base = serve_actors(keys)
    with tempfile.TemporaryDirectory(prefix="relais-inbox-bench-") as folder:
        root = Path(folder)
        project, site = root / "site", root / "site" / "output"
        for n in range(PAGES):
            page = site / "2026" / f"post-{n}" / "index.html"
            page.parent.mkdir(parents=True)
            page.write_text("<!doctype html><title>post</title>")
        write_manifest(site)
        (project / "content").mkdir()
        port = free_port()
        (project / "pelicanconf.py").write_text(
            CONF.format(port=port, key=str(root / "key.pem")), encoding="utf-8")
        receiver = start_receiver(root / "receiver.sqlite3", site, port, "-s", "pelicanconf.py",
                                  cwd=project, env={**os.environ, "PYTHONPATH": str(
                                      Path(__file__).resolve().parent.parent)})
        try:
            warm = likes(port, keys, base, 0, 2 * ACTORS)  # each key and profile fetched once
            _, _, statuses = asyncio.run(load(port, warm, args.connections))
            if statuses != {202: len(warm)}:
                sys.exit(f"the warm-up was not taken: statuses {statuses}")
            load_before = os.getloadavg()
            rates: dict[str, list[float]] = {"signed Likes to the inbox": [],
                                             "GETs of the actor (baseline)": []}
            for round_number in range(args.rounds):
                first = (round_number + 1) * args.activities
                batches = {"signed Likes to the inbox":
                           (likes(port, keys, base, first, args.activities), 202),
                           "GETs of the actor (baseline)":
                           (actor_gets(port, args.activities), 200)}
                for name, (requests, expected) in batches.items():
                    seconds, _, statuses = asyncio.run(load(port, requests, args.connections))
                    if statuses != {expected: len(requests)}:
                        sys.exit(f"{name}: statuses {statuses}")
                    rates[name].append(len(requests) / seconds)
            load_after = os.getloadavg()
        finally:
            receiver.terminate()
            receiver.wait(10)
        with sqlite3.connect(root / "receiver.sqlite3") as db:
            stored = db.execute("SELECT count(*) FROM mentions WHERE record IS NOT NULL "
                                "AND record LIKE '%\"like\"%'").fetchone()[0]

    print(f"{args.activities} signed activities a round over {args.connections} connections, "
          f"{ACTORS} remote actors (keys fetched once); medians of {args.rounds} rounds")
    print(f"load average {load_before[0]:.1f} at the start, {load_after[0]:.1f} at the end, "
          f"on {os.cpu_count()} CPUs")
    for name, found in rates.items():
        print(f"  {name:30} median {statistics.median(found):7.0f}/s  "
              f"(rounds: {', '.join(f'{r:.0f}' for r in found)})")
    inbox = statistics.median(rates["signed Likes to the inbox"])
    baseline = statistics.median(rates["GETs of the actor (baseline)"])
    print(f"ratio inbox/baseline: {inbox / baseline:.2f}; likes stored in the received "
          f"archive: {stored} of {len(warm) + args.rounds * args.activities}")
    print(f"goal (≥ 300 signed activities/s): {'met' if inbox >= 300 else 'NOT met'} "
          f"({inbox:.0f}/s)")
    sys.exit(0 if inbox >= 300 else 1)


if __name__ == "__main__":
    main()
