"""Issue 2's target: `relais build` of 2,000 full stories within 1.3x a bare `pelican` build.

    python bench/build_speed.py [--stories 2000] [--rounds 2]

Both builds read the same generated content, side by side in this one run,
in fresh subprocesses, alternating, best of N rounds each:
  - bare:   `pelican` with its defaults (its own theme and feeds, no plugins);
  - relais: `relais build` with our settings, plugins and theme.
"""

from __future__ import annotations

import argparse
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


def timed(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return elapsed


def write_settings(work: Path, content: Path, extra: str = "") -> tuple[Path, Path]:
    bare = work / "bare.py"
    bare.write_text(BARE.format(content=str(content), output=str(work / "out-bare")))
    ours = work / "relais.py"
    ours.write_text(RELAIS.format(repo=str(REPO), content=str(content),
                                  output=str(work / "out-relais"), theme=str(REPO / "theme"),
                                  extra=extra))
    return bare, ours


def compare(commands: dict[str, list[str]], cwd: Path, rounds: int) -> dict[str, float]:
    best = {name: float("inf") for name in commands}
    for _ in range(rounds):
        for name, command in commands.items():
            best[name] = min(best[name], timed(command, cwd))
    return best


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
            "relais build": [sys.executable, "-m", "plugins.cli", "build", "-s", str(ours)],
        }, REPO, args.rounds)
    ratio = best["relais build"] / best["bare pelican"]
    print(f"stories: {args.stories}, best of {args.rounds} rounds")
    for name, seconds in best.items():
        print(f"  {name:14s} {seconds:7.2f} s")
    print(f"ratio relais/bare: {ratio:.2f} (target <= 1.30)")


if __name__ == "__main__":
    main()
