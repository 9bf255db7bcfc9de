"""`relais build` ends its process at once when the build is over (relais.cli.run): the
interpreter's teardown, which frees the build's objects one by one, is skipped, and the
report, the status and the log lines are the same as with it."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import REPO, write_tiny_site
from tests.support.posts import post

TEARDOWN = "the interpreter's teardown ran"


def relais(*args: str, cwd) -> subprocess.CompletedProcess:
    """The `relais` program as its console script runs it, with an exit handler that says
    when Python's own exit runs."""
    code = ("import atexit, runpy, sys\n"
            f"atexit.register(print, {TEARDOWN!r})\n"
            f"sys.argv = ['relais', *{list(args)!r}]\n"
            "runpy.run_module('relais.cli', run_name='__main__')\n")
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True,
                          text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(REPO)})


def test_a_build_ends_without_the_teardown_and_says_everything(tmp_path):
    settings = write_tiny_site(tmp_path, {"pot.md": post("pot")})
    done = relais("build", "-s", str(settings), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Built into" in done.stdout and TEARDOWN not in done.stdout
    assert (tmp_path / "output" / "2026" / "pot" / "index.html").is_file()


def test_a_failed_build_ends_the_same_way_with_its_status_and_lines(tmp_path):
    settings = write_tiny_site(tmp_path, {"pot.md": post("pot").replace(
        "Date: 2026-03-01 10:00", "Date: demain")})
    failed = relais("build", "-s", str(settings), cwd=tmp_path)
    assert failed.returncode == 1
    assert "pot.md:" in failed.stderr and "error:" in failed.stderr
    assert TEARDOWN not in failed.stdout


def test_other_commands_end_as_python_does(tmp_path):
    helped = relais("--help", cwd=tmp_path)
    assert helped.returncode == 0 and "build" in helped.stdout
    assert TEARDOWN in helped.stdout
