"""Issue 3's target: the feeds plugin adds at most 10% to the build of a 2,000-story site.

    python bench/feeds_speed.py [--stories 2000] [--rounds 5]

The same generated content (bench/generate_site.py) is built with
`relais build` in fresh subprocesses, alternating, medians of N rounds (bench/timing.py),
both with an absolute SITEURL (feeds are only written with one):
  - without feeds: our settings with relais.plugins.feeds removed from PLUGINS;
  - with feeds:    our settings as they are (every section feed, full content).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate_site import REPO, generate, relais_settings  # noqa: E402
from timing import compare, load_average, print_comparison  # noqa: E402

COMMON = 'SITEURL = "https://bench.example"\nRELATIVE_URLS = False\n'
WITHOUT = COMMON + 'PLUGINS = [p for p in PLUGINS if p != "relais.plugins.feeds"]\n'


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(f"before: {load_average()}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        content = generate(work, args.stories)
        build = [sys.executable, "-m", "relais.cli", "build", "--ignore-cache", "-s"]
        samples = compare({
            "without feeds": build + [str(relais_settings(work, content, "without", WITHOUT))],
            "with feeds": build + [str(relais_settings(work, content, "with", COMMON))],
        }, REPO, args.rounds)
        written = sorted((work / "out-with" / "feeds").rglob("*"))
        feeds = sum(1 for p in written if p.is_file())
    print(f"stories: {args.stories}, medians of {args.rounds} rounds, {feeds} feed files written")
    print_comparison(samples, "with feeds", "without feeds", "with/without feeds", 1.10)
    print(f"after: {load_average()}")


if __name__ == "__main__":
    main()
