"""Build Relais's wheel from this checkout, offline (no build isolation, no index)."""

from __future__ import annotations

import fcntl
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def build_wheel(out: Path) -> Path:
    # pip builds in the checkout (build/, relais.egg-info/): test workers running in parallel
    # take turns, or one would read what another is half-way through writing
    with open(Path(tempfile.gettempdir()) / "relais-wheel-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
             "--no-index", "-q", "-w", str(out), str(REPO)],
            capture_output=True, text=True, timeout=300,
        )
    assert result.returncode == 0, result.stderr[-2000:]
    (path,) = out.glob("relais-*.whl")
    return path
