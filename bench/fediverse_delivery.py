"""Benchmark: deliver one new post to 1,000 fediverse followers on 100 local servers.

The servers (127.0.0.1 … 127.0.0.100, one port, in a child process: bench/webmention_send.py's)
answer every POST with 202 after 50 ms and count the requests in flight, overall and per host.
By default no follower has a shared inbox, so the post is 1,000 signed POSTs (the worst case;
`--shared` gives each server a shared inbox: 100 POSTs). With at most `--total` POSTs in flight
(16, the `relais fediverse deliver` default; 2 per host), the lower bound is POSTs × 50 ms ÷
16; the goal is to finish within twice that with the delivery log on.

Two pipelines run alternately, `--rounds` times each (5): bare signed POSTs (each signed with
the actor's key, through the one HTTP client, nothing written), the baseline, and `relais
fediverse deliver`'s whole path (the post list read, the Create and its 1,000 deliveries
recorded, each delivery marked in flight and then sent in SQLite around its POST). Each round
of the second starts from a copy of the same database (1,000 followers, the catalogue known).

    .venv/bin/python bench/fediverse_delivery.py [--followers 1000] [--hosts 100] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from relais.plugins.fediverse import signatures  # noqa: E402
from relais.plugins.fediverse.actor import ACTIVITY_JSON  # noqa: E402
from relais.plugins.fediverse.config import Config  # noqa: E402
from relais.plugins.fediverse.delivery import Limits, deliver  # noqa: E402
from relais.plugins.fediverse.followers import Followers  # noqa: E402
from relais.plugins.fediverse.keys import load_or_create  # noqa: E402
from relais.plugins.fediverse.objects import PostFacts, write_list  # noqa: E402
from webmention_send import DELAY, Servers, alternate, judge, print_runs  # noqa: E402

from relais.net.client import HttpClient, run  # noqa: E402

SITE = "https://atelier.example"


def story(slug: str, day: int) -> PostFacts:
    return PostFacts(url=f"{SITE}/2026/{slug}/", kind="story", title=f"Story {slug}",
                     summary="<p>A summary.</p>", content="<p>Words, " * 200 + "</p>",
                     lang="fr", published=f"2026-03-{day:02d}T10:00:00Z",
                     cover=f"{SITE}/images/{slug}.jpg", cover_type="image/jpeg")


def prepare(root: Path, hosts: int, followers: int, port: int, shared: bool):
    """The actor, a database with the followers and the catalogue known, and the built site's
    list with one new story: what each round of `deliver` starts from."""
    config = Config(handle="atelier", server=SITE, domain="atelier.example",
                    key=root / "key.pem", actor_type="Person", site_url=SITE, name="Atelier",
                    note="", photo=None, rel_me=())
    load_or_create(config.key)
    db, site = root / "template.sqlite3", root / "output"
    book = Followers(db)
    for n in range(followers):
        server = f"http://127.0.0.{n % hosts + 1}:{port}"
        book.add(f"{server}/users/{n}", f"{server}/users/{n}/inbox",
                 f"{server}/inbox" if shared else None, f"{server}/follows/{n}")
    book.close()
    write_list(site, config, [story("old", 1)])
    deliver(config, db, site, allow_private=True)  # the first run: the catalogue, not sent
    write_list(site, config, [story("old", 1), story("new", 2)])
    return config, db, site


def inboxes(hosts: int, followers: int, port: int, shared: bool) -> list[str]:
    if shared:
        return [f"http://127.0.0.{n + 1}:{port}/inbox" for n in range(min(hosts, followers))]
    return [f"http://127.0.0.{n % hosts + 1}:{port}/users/{n}/inbox" for n in range(followers)]


async def bare(config: Config, targets: list[str], limits: Limits) -> int:
    """Signed POSTs of one activity to every inbox, through the one client; nothing kept."""
    key = load_or_create(config.key)
    body = b'{"type": "Create", "object": {"content": "' + b"Words, " * 200 + b'"}}'

    async def one(client: HttpClient, inbox: str) -> int:
        headers = signatures.sign("POST", inbox, key, config.key_id, body=body,
                                  headers={"content-type": ACTIVITY_JSON})
        return (await client.post(inbox, data=body, headers=headers)).status

    async with HttpClient(allow_private=True, total=limits.total, per_host=limits.per_host,
                          site_url=SITE) as client:
        statuses = await asyncio.gather(*(one(client, inbox) for inbox in targets))
    return statuses.count(202)


def with_log(config: Config, template: Path, site: Path, scratch: Path, limits: Limits) -> int:
    db = scratch / "round.sqlite3"
    for leftover in scratch.glob("round.sqlite3*"):
        leftover.unlink()
    shutil.copy(template, db)
    outcome = deliver(config, db, site, allow_private=True, limits=limits)
    return outcome.report.states.get("sent", 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=100)
    parser.add_argument("--total", type=int, default=16)
    parser.add_argument("--per-host", type=int, default=2)
    parser.add_argument("--shared", action="store_true", help="each server has a shared inbox")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    limits = Limits(total=args.total, per_host=args.per_host)

    servers = Servers(args.hosts)
    with tempfile.TemporaryDirectory(prefix="relais-fediverse-bench-") as folder:
        root = Path(folder)
        config, template, site = prepare(root, args.hosts, args.followers, servers.port,
                                         args.shared)
        targets = inboxes(args.hosts, args.followers, servers.port, args.shared)
        servers.stats()  # from zero (the preparation sends nothing: the catalogue is kept)
        load_before = os.getloadavg()
        runs = alternate({
            "bare signed POSTs": lambda: run(bare(config, targets, limits)),
            "relais fediverse deliver (log on)":
                lambda: with_log(config, template, site, root, limits),
        }, args.rounds, servers, args.total)
        load_after = os.getloadavg()
    servers.stop()

    print(f"one post to {args.followers} followers on {args.hosts} servers "
          f"({len(targets)} inboxes{', shared' if args.shared else ''}; each answers after "
          f"{DELAY * 1000:.0f} ms), at most {args.total} POSTs in flight, {args.per_host} per "
          f"host; medians of {args.rounds} alternating rounds")
    print_runs(runs, load_before, load_after)
    judge(runs, len(targets), "relais fediverse deliver (log on)", "delivery(ies)")


if __name__ == "__main__":
    main()
