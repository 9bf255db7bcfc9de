"""How the benchmarks time things: whole processes, alternating, medians, the load printed.

Every figure is the median of N runs (N >= 5 for a figure worth quoting),
the commands of one comparison taking turns (a, b, a, b...) so that a
change in the machine's load falls on both; wall and CPU (user + system of
the child) times are both kept. The load average is printed before and
after, since the figures mean little on a busy machine.
"""

from __future__ import annotations

import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Samples:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    @property
    def median(self) -> tuple[float, float]:
        return statistics.median(self.wall), statistics.median(self.cpu)


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} ({os.cpu_count()} CPUs)"


def machine() -> str:
    """The processor and Python the figures were measured with."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model or platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, " \
           f"Python {platform.python_version()}, {platform.system()} {platform.release()}"


def timed(command: list[str], cwd: Path) -> tuple[float, float]:
    """Wall-clock and CPU (user + system) seconds of one run of the command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.exit(f"{' '.join(map(str, command))} failed:\n{result.stdout}\n{result.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def compare(commands: dict[str, list[str]], cwd: Path | dict[str, Path], rounds: int,
            before: Callable[[str], None] | None = None) -> dict[str, Samples]:
    """Each command `rounds` times, taking turns, in `cwd` (or its own `cwd[name]`);
    `before(name)` runs (untimed) before each."""
    samples = {name: Samples() for name in commands}
    for _ in range(rounds):
        for name, command in commands.items():
            if before is not None:
                before(name)
            wall, cpu = timed(command, cwd[name] if isinstance(cwd, dict) else cwd)
            samples[name].wall.append(wall)
            samples[name].cpu.append(cpu)
    return samples


def print_samples(samples: dict[str, Samples]) -> None:
    for name, found in samples.items():
        wall, cpu = found.median
        runs = ", ".join(f"{w:.2f}" for w in found.wall)
        print(f"  {name:22s} median wall {wall:7.2f} s   cpu {cpu:7.2f} s   "
              f"({len(found.wall)} runs: {runs})")


def print_ratio(label: str, subject: tuple[float, float], baseline: tuple[float, float],
                target: float, below: bool = True) -> bool:
    """subject/baseline as wall and CPU ratios of medians; whether the wall ratio meets target."""
    wall, cpu = subject[0] / baseline[0], subject[1] / baseline[1]
    met = wall <= target if below else wall >= target
    print(f"ratio {label}: wall {wall:.3f}, cpu {cpu:.3f} (target <= {target:.2f}: "
          f"{'met' if met else 'NOT met'})")
    return met


def print_comparison(samples: dict[str, Samples], subject: str, baseline: str, label: str,
                     target: float) -> bool:
    """Each command's medians, then subject/baseline as ratios."""
    print_samples(samples)
    return print_ratio(label, samples[subject].median, samples[baseline].median, target)
