"""Issue 11's target: an adopted Pelican site builds within 1.3x the time of the same site
built by plain Pelican.

    python bench/adopt_speed.py [--zh-posts 150] [--rst-posts 40] [--rounds 5]

The two throw-away sites of tests/support/pelican_sites.py (the Chinese Markdown one with
~150 posts, like the real blog the issue was tried on, and the rst one with several
authors), each copied twice: one copy stays plain Pelican, the other is adopted with
`relais adopt`. Then, in fresh subprocesses, alternating, `pelican -s publishconf.py` on
the plain copy and `relais build --publish` on the adopted one; medians of the rounds,
and the load average, since other work on the machine moves both.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO))
from timing import compare, print_comparison  # noqa: E402

from tests.support.pelican_sites import write_rst_site, write_zh_site  # noqa: E402

TARGET = 1.30


def prepared(work: Path, name: str, writer, size: int) -> tuple[Path, Path]:
    """The plain copy and the adopted copy of one site."""
    plain = work / name / "plain"
    writer(plain, size)
    adopted = work / name / "adopted"
    shutil.copytree(plain, adopted)
    result = subprocess.run([sys.executable, "-m", "relais.cli", "adopt", "--no-check",
                             str(adopted)], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"relais adopt {name} failed:\n{result.stdout}\n{result.stderr}")
    return plain, adopted


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zh-posts", type=int, default=150)
    parser.add_argument("--rst-posts", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    met = True
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name, writer, size in (("zh", write_zh_site, args.zh_posts),
                                   ("rst", write_rst_site, max(4, args.rst_posts))):
            plain, adopted = prepared(work, name, writer, size)
            samples = compare({
                "plain pelican": [sys.executable, "-m", "pelican", "-q", "-s", "publishconf.py",
                                  "-o", str(work / name / "out-plain")],
                "adopted relais": [sys.executable, "-m", "relais.cli", "build", "--publish",
                                   "-o", str(work / name / "out-adopted")],
            }, {"plain pelican": plain, "adopted relais": adopted}, args.rounds)
            pages = {label: sum(1 for _ in (work / name / out).rglob("*.html"))
                     for label, out in (("plain", "out-plain"), ("adopted", "out-adopted"))}
            print(f"site {name}: {size} posts, pages written plain {pages['plain']}, adopted "
                  f"{pages['adopted']}; median of {args.rounds} alternating rounds")
            met = print_comparison(samples, "adopted relais", "plain pelican",
                                   f"{name} adopted/plain", TARGET) and met
    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(f"target {'met' if met else 'NOT met'}: adopted <= {TARGET:.2f} x plain (wall)")
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
