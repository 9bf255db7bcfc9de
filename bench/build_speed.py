"""Issue 2's target: `relais build` of 2,000 full stories within 1.3x a bare `pelican` build.

    python bench/build_speed.py [--stories 2000] [--rounds 2]

Both builds read the same generated content, side by side in this one run,
in fresh subprocesses, alternating, best of N rounds each:
  - bare:   `pelican` with its defaults (its own theme and feeds, no plugins);
  - relais: `relais build` with our settings, plugins and theme.

Bare Pelican skips a post whose `Status` is not one of its own (draft,
hidden, published), and every story here has a maker status (idea, in
progress, ...). Its copy of the content therefore names that field
`Maker-Status`, which Pelican keeps as plain metadata: the same files, the
same work, and all 2,000 stories published by both builds.
"""

from __future__ import annotations

import argparse
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate_site import generate  # noqa: E402

REPO = Path(__file__).resolve().parent.parent

BARE = """\
PATH = {content!r}
OUTPUT_PATH = {output!r}
SITENAME = "Bench"
TIMEZONE = "Europe/Paris"
DEFAULT_LANG = "fr"
ARTICLE_PATHS = ["posts"]
"""

RELAIS = """\
import sys
sys.path.insert(0, {repo!r})
from pelicanconf import *
PATH = {content!r}
OUTPUT_PATH = {output!r}
THEME = {theme!r}
{extra}
"""


def timed(command: list[str], cwd: Path) -> tuple[float, float]:
    """Wall-clock and CPU (user + system) seconds of one run of the command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def story_pages(output: Path) -> int:
    """How many story pages a build wrote (bare: recit-N.html, ours: YYYY/recit-N/index.html)."""
    return sum(1 for path in output.rglob("*.html") if "recit-" in path.as_posix())


def bare_copy(content: Path) -> Path:
    """The content as bare Pelican publishes it: the maker status under another name."""
    copy = content.with_name("content-bare")
    shutil.copytree(content, copy)
    for post in (copy / "posts").glob("*.md"):
        text = post.read_text(encoding="utf-8")
        post.write_text(re.sub(r"(?m)^Status:", "Maker-Status:", text), encoding="utf-8")
    return copy


def relais_settings(work: Path, content: Path, name: str, extra: str = "") -> Path:
    """A settings file for `relais build`: ours, reading `content`, writing `out-<name>`."""
    path = work / f"{name}.py"
    path.write_text(RELAIS.format(repo=str(REPO), content=str(content),
                                  output=str(work / f"out-{name}"), theme=str(REPO / "theme"),
                                  extra=extra))
    return path


def write_settings(work: Path, content: Path) -> tuple[Path, Path]:
    bare = work / "bare.py"
    bare.write_text(BARE.format(content=str(bare_copy(content)), output=str(work / "out-bare")))
    return bare, relais_settings(work, content, "relais_site")


def compare(commands: dict[str, list[str]], cwd: Path | dict[str, Path], rounds: int,
            pick=min) -> dict[str, tuple]:
    """Wall and CPU time of each command over the rounds, run alternately: the best (`pick`
    min) or e.g. the median (`pick=statistics.median`). `cwd` may differ per command."""
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, command in commands.items():
            samples[name].append(timed(command, cwd[name] if isinstance(cwd, dict) else cwd))
    return {name: (pick(w for w, _c in runs), pick(c for _w, c in runs))
            for name, runs in samples.items()}


def print_comparison(best: dict[str, tuple], subject: str, baseline: str, label: str,
                     target: float) -> None:
    """Each command's best wall and CPU time, then subject/baseline as ratios."""
    for name, (wall, cpu) in best.items():
        print(f"  {name:14s} wall {wall:7.2f} s   cpu {cpu:7.2f} s")
    wall_ratio = best[subject][0] / best[baseline][0]
    cpu_ratio = best[subject][1] / best[baseline][1]
    print(f"ratio {label}: wall {wall_ratio:.3f}, cpu {cpu_ratio:.3f} (target <= {target:.2f})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    bin_dir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        content = generate(work, args.stories)
        bare, ours = write_settings(work, content)
        best = compare({
            "bare pelican": [str(bin_dir / "pelican"), "-s", str(bare), "-q"],
            "relais build": [sys.executable, "-m", "relais.cli", "build", "-s", str(ours)],
        }, REPO, args.rounds)
        pages = story_pages(work / "out-bare"), story_pages(work / "out-relais_site")
    if min(pages) < args.stories:
        sys.exit(f"not comparable: story pages written bare={pages[0]}, relais={pages[1]}")
    print(f"stories: {args.stories} (pages written: bare {pages[0]}, relais {pages[1]}), "
          f"best of {args.rounds} rounds")
    print_comparison(best, "relais build", "bare pelican", "relais/bare", 1.30)


if __name__ == "__main__":
    main()
