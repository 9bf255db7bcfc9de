"""The relays' weekly view over a large ledger: 500 people and 20,000 pieces of evidence.

What is timed is what `relais relays` does once the sources are gathered: load and check
the ledger file, pick the ten closest relays, compute their two-hop reach (each relay's
stored blogroll of 60 and ten posts of links), the week (to thank, gone quiet, new, open
proposals) and its text. The baseline, in the same process and alternating with it, is
only parsing the same file with json (the floor any reading of the ledger pays). Medians
of the rounds; the goal is under 1 s.

    .venv/bin/python bench/relays_weekly.py [--people 500] [--evidence 20000] [--rounds 7]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from relais.plugins.blogroll.model import site_identity
from relais.plugins.relays import ledger
from relais.plugins.relays.reach import closest, two_hops
from relais.plugins.relays.render import weekly_text
from relais.plugins.relays.weekly import weekly

from relais.store import read_json, write_json

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
KINDS = ["received"] * 8 + ["sent"] * 4 + ["links-to-me"] * 2 + ["collaborated", "lists-me"]
WHAT = ["reply", "like", "mention", "repost", "bookmark"]


def make_ledger(people: int, evidence: int, seed: int = 7) -> tuple[ledger.Ledger, dict]:
    """A ledger with `people` people and `evidence` pieces of evidence spread over two years
    (a few people hold many), and the stored states of the people's sites."""
    rng = random.Random(seed)
    book = ledger.Ledger()
    sites = [f"https://maker-{n}.example/" for n in range(people)]
    for n, site in enumerate(sites):
        person = book.person_for(site, f"Maker {n}", "blogroll" if n < 120 else "mentions")
        person.stage = rng.choice(["known"] * 6 + ["talking", "collaborating", "partner", "paused"])
        person.rel = rng.sample(["friend", "met", "colleague"], rng.randint(0, 2))
        if n < 120:
            person.add(ledger.Evidence("listed", site, None, f"Maker {n}", source="blogroll"))
        person.activity = {"last_post": (NOW - timedelta(days=rng.randint(0, 400))).isoformat()}
    weights = [1 / (1 + n) ** 0.6 for n in range(people)]
    owners = rng.choices(range(people), weights=weights, k=evidence - len(book.people) // 4)
    for i, owner in enumerate(owners):
        person = book.people[site_identity(sites[owner])]
        when = (NOW - timedelta(days=rng.randint(0, 730), minutes=i)).isoformat()
        kind = rng.choice(KINDS)
        person.add(ledger.Evidence(kind, f"{sites[owner]}posts/{i}/", when, f"Post {i}",
                                   via=f"https://atelier.example/{i % 90}/",
                                   what=rng.choice(WHAT) if kind == "received" else "",
                                   source="bench"))
    total = sum(len(p.evidence) for p in book.people.values())
    extra = book.people[site_identity(sites[0])]
    for i in range(evidence - total):  # exactly `evidence` pieces
        extra.add(ledger.Evidence("sent", f"{sites[0]}extra/{i}/", NOW.isoformat(), source="bench"))
    book.proposals = [ledger.Proposal(n + 1, site_identity(sites[n * 7 % people]), "event",
                                      f"Proposal {n}", NOW.isoformat()) for n in range(20)]
    states = {}
    for site in sites:
        members = [{"site": f"https://far-{rng.randint(0, 3000)}.example/", "title": "Far"}
                   for _ in range(60)]
        states[site] = {
            "last_success": NOW.isoformat(),
            "blogroll": {"by_source": {f"{site}blogroll.opml": members}, "members": members},
            "entries": [{"url": f"{site}p/{k}/", "links": [
                f"https://near-{rng.randint(0, 900)}.example/x" for _ in range(3)]}
                for k in range(10)],
        }
    return book, states


def weekly_view(path: Path, states: dict) -> str:
    book = ledger.load(path)
    relays = closest(book, 10)
    reach = two_hops(book, relays, {s: states[s] for r in relays for s in r.person.sites},
                     ["https://atelier.example/"])
    view = weekly(book, NOW, thank_days=60, quiet_days=90, recent_days=30, reach=reach)
    return weekly_text(view)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--evidence", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    book, states = make_ledger(args.people, args.evidence)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ledger.json"
        write_json(path, book.to_json())
        size = path.stat().st_size
        pieces = sum(len(p.evidence) for p in ledger.load(path).people.values())
        times: dict[str, list[float]] = {"json parse": [], "weekly view": []}
        text = ""
        for _ in range(args.rounds):  # alternating, so both see the same machine
            start = time.perf_counter()
            read_json(path)
            times["json parse"].append(time.perf_counter() - start)
            start = time.perf_counter()
            text = weekly_view(path, states)
            times["weekly view"].append(time.perf_counter() - start)
    medians = {name: statistics.median(values) for name, values in times.items()}
    print(f"ledger: {len(book.people)} people, {pieces} pieces of evidence, {size / 1e6:.1f} MB; "
          f"week text {len(text.splitlines())} lines; median of {args.rounds} alternating rounds")
    for name, value in medians.items():
        print(f"  {name:12s} {value * 1000:8.1f} ms")
    ratio = medians["weekly view"] / medians["json parse"]
    print(f"ratio weekly view/json parse: {ratio:.2f}")
    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    met = medians["weekly view"] < 1.0
    print(f"goal (weekly view under 1 s): {'met' if met else 'NOT met'}")
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
