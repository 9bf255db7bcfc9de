"""Run a `relais` command in this process and say, as it exits, the most memory it held.

    python -m tests.support.peak blogroll refresh -s site.py

The last line on stderr is `peak-rss-kb N`: the process's peak resident set
(`resource.getrusage`, which Linux reports in kB), measured by the process
itself so that nothing else is counted.
"""

from __future__ import annotations

import atexit
import resource
import sys

from relais.cli import main

MARK = "peak-rss-kb"


def report() -> None:
    """The larger of this process's peak and its finished children's (the receiver's verifier
    runs in a process of its own)."""
    peak = max(resource.getrusage(who).ru_maxrss
               for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    print(f"{MARK} {peak}", file=sys.stderr)


def peak_mb(stderr: str) -> float:
    """The peak, in MB, from the stderr of a command run through this module."""
    lines = [line for line in stderr.splitlines() if line.startswith(MARK)]
    return int(lines[-1].split()[1]) / 1024


if __name__ == "__main__":
    atexit.register(report)
    main(args=sys.argv[1:], prog_name="relais")
