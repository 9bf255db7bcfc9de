"""A copy of the sample site, in its own git repository, for the relays' tests: the blogroll,
the received mentions and the stories as they ship, and a sent log written by the
webmentions plugin's own functions (what `relais mentions send` records)."""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime
from pathlib import Path

from relais.plugins.webmentions import sentlog
from relais.plugins.webmentions.outcome import NO_ENDPOINT, SENT, Outcome

from relais.store import write_json
from tests.conftest import REPO

SITE = "https://atelier-maelle.example/"


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                          text=True).stdout


def copy_sample(root: Path) -> Path:
    """The sample site (content, data, settings) in `root`, committed in a new repository."""
    root.mkdir(parents=True, exist_ok=True)
    for name in ("content", "data"):
        shutil.copytree(REPO / name, root / name)
    for name in ("pelicanconf.py", "publishconf.py"):
        shutil.copy(REPO / name, root / name)
    (root / ".gitignore").write_text("output/\n__pycache__/\n", encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "-c", "user.name=Test", "-c", "user.email=t@example.invalid", "add", "-A")
    git(root, "-c", "user.name=Test", "-c", "user.email=t@example.invalid", "commit", "-qm",
        "sample")
    return root


def write_sent_log(root: Path, sends: list[tuple[str, str, str, str]]) -> None:
    """sends: (her post's path, target, status, when) recorded as the sender records them."""
    log = sentlog.empty()
    by_source: dict[str, set[str]] = {}
    for path, target, _, _ in sends:
        by_source.setdefault(SITE + path, set()).add(target)
    sentlog.reconcile(log, [sentlog.Post(source, "h1", frozenset(targets), "x/index.html")
                            for source, targets in by_source.items()], set())
    for path, target, status, when in sends:
        outcome = Outcome(SENT, "HTTP 202: queued", 202) if status == SENT else \
            Outcome(NO_ENDPOINT, "no endpoint")
        sentlog.record(log, sentlog.Job(SITE + path, target, "new"), outcome,
                       datetime.fromisoformat(when), sentlog.Policy(), linked=True)
    write_json(root / "data" / "webmentions" / "sent.json", log)


__all__ = ["NO_ENDPOINT", "SENT", "copy_sample", "git", "write_sent_log"]
