"""The GitHub Actions workflows (the sample's and the one `relais init` writes): read-only tests,
the tip of main published, no empty SITEURL, and a data commit that loses no send when another
run pushed first — its shell script run for real against real git repositories."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from relais.build import load_settings
from relais.init import Answers, workflow
from tests.conftest import REPO

SAMPLE = REPO / ".github" / "workflows" / "publish.yml"
STEP = "Commit data/ back to main"


def steps(document: str, job: str = "publish") -> dict[str, dict]:
    return {s.get("name") or s.get("uses"): s for s in yaml.safe_load(document)["jobs"][job]["steps"]}


def test_tests_run_read_only_without_root_and_publishing_takes_the_tip_of_main():
    flow = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    assert flow["permissions"] == {"contents": "read"}
    assert flow["jobs"]["test"]["permissions"] == {"contents": "read"}
    assert flow["jobs"]["publish"]["permissions"] == {"contents": "write"}
    test_steps = [s.get("run", "") for s in flow["jobs"]["test"]["steps"]]
    assert ".ci/run" in test_steps and not any("sudo" in run for run in test_steps)
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert [line.split()[0] for line in ci.splitlines() if "apt-get" in line] == ["$as_root"] * 2
    assert 'make test PYTHON="$(command -v python3)"' in ci
    for document in (SAMPLE.read_text(encoding="utf-8"), workflow(Answers("A", "B"), "0.1")):
        checkout = steps(document)["actions/checkout@v4"]
        assert checkout["with"]["ref"] == "main"


def test_an_empty_siteurl_secret_keeps_the_configured_address(monkeypatch):
    monkeypatch.chdir(REPO)
    monkeypatch.setenv("RELAIS_SITEURL", "")  # what an unset secret becomes in the workflow
    assert load_settings("publishconf.py")["SITEURL"] == "https://atelier-maelle.example"
    monkeypatch.setenv("RELAIS_SITEURL", "https://elsewhere.example")
    assert load_settings("publishconf.py")["SITEURL"] == "https://elsewhere.example"


def git(*args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=check, capture_output=True,
                          text=True)


def sent_log(*pairs: tuple[str, str]) -> str:
    targets = {target: {"status": "sent", "hash": "h", "linked": True, "tries": 0,
                        "last_try": when} for target, when in pairs}
    return json.dumps({"version": 1, "hosts": {}, "sources": {
        "https://atelier.example/p/": {"hash": "h", "path": "p/index.html", "deleted": False,
                                       "targets": targets}}}, indent=2, sort_keys=True) + "\n"


def write(root: Path, relative: str, text: str) -> None:
    (root / relative).parent.mkdir(parents=True, exist_ok=True)
    (root / relative).write_text(text, encoding="utf-8")


@pytest.mark.parametrize("which", ["sample", "init"])
def test_the_data_commit_after_a_race_keeps_every_send(tmp_path, which):
    if which == "sample":
        script = steps(SAMPLE.read_text(encoding="utf-8"))[STEP]["run"]
    else:
        script = steps(workflow(Answers("A", "B"), "0.1"))[STEP]["run"]
    script = script.replace("${{ github.run_id }}", "42")
    origin = tmp_path / "origin.git"
    git("init", "-q", "--bare", "-b", "main", str(origin), cwd=tmp_path)
    seed = tmp_path / "seed"
    git("clone", "-q", str(origin), str(seed), cwd=tmp_path)
    write(seed, "data/webmentions/sent.json", sent_log(("https://a.example/", "2026-11-01T00:00:00Z")))
    write(seed, "data/blogroll/jeanne.example.json", '{"entries": ["old"]}\n')
    write(seed, "content/post.md", "Title: p\n")
    git("add", "-A", cwd=seed)
    git("commit", "-q", "-m", "start", cwd=seed)
    git("push", "-q", "origin", "HEAD:main", cwd=seed)
    first, second = tmp_path / "run1", tmp_path / "run2"
    for clone in (first, second):  # two runs that checked out the same tip
        git("clone", "-q", str(origin), str(clone), cwd=tmp_path)
    write(first, "data/webmentions/sent.json", sent_log(
        ("https://a.example/", "2026-11-01T00:00:00Z"), ("https://b.example/", "2026-11-02T00:00:00Z")))
    write(first, "data/blogroll/jeanne.example.json", '{"entries": ["first run"]}\n')
    git("commit", "-q", "-am", "data: run 1", cwd=first)
    git("push", "-q", "origin", "HEAD:main", cwd=first)

    write(second, "data/webmentions/sent.json", sent_log(
        ("https://a.example/", "2026-11-01T00:00:00Z"), ("https://c.example/", "2026-11-03T00:00:00Z")))
    write(second, "data/blogroll/jeanne.example.json", '{"entries": ["second run"]}\n')
    relais = Path(sys.executable).parent / "relais"
    (second / ".venv" / "bin").mkdir(parents=True)
    (second / ".venv" / "bin" / "relais").symlink_to(relais)
    env = {**os.environ, "PATH": f"{relais.parent}:{os.environ['PATH']}",
           "GIT_AUTHOR_NAME": "bot", "GIT_AUTHOR_EMAIL": "bot@example.org",
           "GIT_COMMITTER_NAME": "bot", "GIT_COMMITTER_EMAIL": "bot@example.org"}
    ran = subprocess.run(["bash", "-e", "-c", script], cwd=second, env=env, capture_output=True,
                         text=True, timeout=120)
    assert ran.returncode == 0, ran.stdout + ran.stderr

    final = tmp_path / "final"
    git("clone", "-q", str(origin), str(final), cwd=tmp_path)
    log = json.loads((final / "data/webmentions/sent.json").read_text())
    targets = log["sources"]["https://atelier.example/p/"]["targets"]
    assert sorted(targets) == ["https://a.example/", "https://b.example/", "https://c.example/"]
    assert {r["status"] for r in targets.values()} == {"sent"}
    assert json.loads((final / "data/blogroll/jeanne.example.json").read_text()) == {
        "entries": ["second run"]}  # fetched state: the run that committed last
    assert (final / "content/post.md").read_text() == "Title: p\n"
