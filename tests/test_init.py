"""`relais init`: a new maker's site in one command, from the installed wheel alone."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import mf2py
import pytest

from tests.conftest import REPO, run_relais
from tests.support.linkcheck import broken_links

FLAGS = ["--name", "Maya Lin", "--site-name", "Maya makes", "--lang", "en", "--timezone",
         "Europe/Paris"]


def h_items(page: Path, kind: str) -> list[dict]:
    parsed = mf2py.parse(doc=page.read_text(encoding="utf-8"), url="https://maya.example/x/")
    found = []

    def walk(items):
        for item in items:
            if kind in item["type"]:
                found.append(item)
            walk(item.get("children", []))

    walk(parsed["items"])
    return found


def check_site(output: Path, site_url: str = "") -> None:
    """What a new site must be: no broken link, its story an h-entry by her, her h-card."""
    assert broken_links(output, site_url) == []
    (story,) = [p for p in output.glob("*/*/index.html") if p.parts[-3].isdigit()]
    (entry,) = h_items(story, "h-entry")
    assert entry["properties"]["author"][0]["properties"]["name"] == ["Maya Lin"]
    cards = h_items(output / "about" / "index.html", "h-card")
    assert any(card["properties"].get("name") == ["Maya Lin"] for card in cards)


@pytest.fixture(scope="module")
def fresh_relais(tmp_path_factory, relais_wheel) -> Path:
    """A new virtual environment with the wheel installed (no checkout of Relais in it): its
    `relais` command. Offline: the dependencies come from this environment's site-packages,
    added as a plain path (so the checkout's editable install is not loaded)."""
    venv = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q",
                    "--no-deps", "--no-index", str(relais_wheel)], check=True, capture_output=True)
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()"
                              "['purelib'])"], capture_output=True, text=True).stdout.strip()
    (Path(purelib) / "relais_test_dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return venv / "bin" / "relais"


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}


def test_from_the_wheel_init_then_build_gives_a_valid_site(fresh_relais, tmp_path):
    run = dict(capture_output=True, text=True, env=clean_env(), timeout=300, stdin=subprocess.DEVNULL)
    result = subprocess.run([str(fresh_relais), "init", "site", *FLAGS, "--domain", "maya.example",
                             "--host", "github-pages"], cwd=tmp_path, **run)
    assert result.returncode == 0, result.stderr
    site = tmp_path / "site"
    for command in (["build"], ["build", "--publish", "-o", "published"]):
        result = subprocess.run([str(fresh_relais), *command], cwd=site, **run)
        assert result.returncode == 0, result.stderr
    check_site(site / "output")
    check_site(site / "published", "https://maya.example")
    assert (site / "published" / "feeds" / "all.atom.xml").is_file()
    # what that `relais` ran: the wheel's package, and no checkout of Relais reachable
    probe = subprocess.run([str(fresh_relais.parent / "python"), "-c", (
        "import json, sys, relais, relais.plugins.feeds as f; "
        "print(json.dumps([relais.__file__, f.__file__, sys.path, "
        "[type(m).__name__ for m in sys.meta_path]]))")], cwd=site, **run)
    package, plugin, path, finders = json.loads(probe.stdout)
    venv = fresh_relais.parent.parent
    assert Path(package).is_relative_to(venv) and Path(plugin).is_relative_to(venv)
    assert not any("editable" in finder.lower() for finder in finders)
    for entry in path:
        assert not (Path(entry or site) / "relais" / "__init__.py").exists() or \
            Path(entry).is_relative_to(venv), entry
        assert Path(entry or site).resolve() != REPO


def test_init_with_flags_builds_offline_and_publish_dry_run_lists_what_is_missing(tmp_path):
    result = run_relais("init", "site", *FLAGS, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    site = tmp_path / "site"
    assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()) == sorted([
        ".github/workflows/publish.yml", ".gitignore", "README.md", "content/blogroll.yaml",
        "content/images/.gitkeep", "content/pages/about.md",
        *(p.relative_to(site).as_posix() for p in (site / "content" / "posts").glob("*-example.md")),
        "pelicanconf.py", "publishconf.py"])
    assert "data/cache/" in (site / ".gitignore").read_text().splitlines()  # encoded photos
    assert run_relais("build", cwd=site).returncode == 0
    check_site(site / "output")
    dry = run_relais("publish", "--dry-run", cwd=site)
    assert dry.returncode == 1
    assert [line.split(":")[1].strip() for line in dry.stderr.splitlines()
            if line.startswith("missing:")] == ["SITEURL", "PUBLISH_TO"]


def test_a_github_pages_site_needs_its_repository(tmp_path):
    assert run_relais("init", "site", *FLAGS, "--domain", "https://Maya.example/",
                      "--host", "github-pages", cwd=tmp_path).returncode == 0
    site = tmp_path / "site"
    assert 'SITEURL = "https://maya.example"' in (site / "publishconf.py").read_text()
    dry = run_relais("publish", "--dry-run", cwd=site)
    assert dry.returncode == 1 and "missing: a git repository: run `git init`" in dry.stderr
    subprocess.run(["git", "init", "-q"], cwd=site, check=True)
    dry = run_relais("publish", "--dry-run", cwd=site)
    assert "missing: PUBLISH_GIT_REPOSITORY 'origin' is not a remote" in dry.stderr
    subprocess.run(["git", "remote", "add", "origin", str(tmp_path / "pages.git")], cwd=site,
                   check=True)
    subprocess.run(["git", "init", "-q", "--bare", str(tmp_path / "pages.git")], check=True)
    dry = run_relais("publish", "--dry-run", cwd=site)
    assert dry.returncode == 0, dry.stderr
    assert "would commit" in dry.stdout


@pytest.mark.parametrize("args, message", [
    (["--site-name", "S"], "error: missing --name (or run it in a terminal to be asked)"),
    ([*FLAGS, "--domain", "not a domain"], "error: --domain not a domain: not a domain name"),
    ([*FLAGS, "--lang", "en;fr"], "error: --lang en;fr: not a language code"),
    ([*FLAGS, "--host", "folder"], "error: --host folder needs --folder"),
])
def test_bad_or_missing_answers_are_one_line(tmp_path, args, message):
    result = run_relais("init", "site", *args, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().startswith(message), result.stderr
    assert not (tmp_path / "site").exists()


def test_init_never_writes_into_a_folder_with_files(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    result = run_relais("init", str(tmp_path), *FLAGS)
    assert result.returncode == 1 and "not empty" in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_in_a_terminal_init_asks_what_the_flags_do_not_say(tmp_path):
    """stdin is a terminal (a pseudo-terminal here): each missing answer is asked for."""
    import pty

    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "relais.cli", "init", "site", "--lang", "fr"],
                               cwd=tmp_path, stdin=follower, stdout=follower, stderr=follower)
    os.close(follower)
    os.write(leader, "Maëlle\nAtelier\natelier.example\ngithub-pages\n".encode())
    seen = b""
    while process.poll() is None or not seen.endswith(b"\n"):
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    process.wait(timeout=60)
    os.close(leader)
    text = seen.decode("utf-8", "replace")
    assert process.returncode == 0, text
    for question in ("Your name", "The site's name", "Domain", "Hosted on"):
        assert question in text
    assert "Language" not in text  # given as a flag
    conf = (tmp_path / "site" / "pelicanconf.py").read_text(encoding="utf-8")
    assert 'AUTHOR = "Maëlle"' in conf and 'DEFAULT_LANG = "fr"' in conf
    assert 'PUBLISH_TO = "git"' in (tmp_path / "site" / "publishconf.py").read_text()


def test_the_example_story_is_never_dated_after_the_init(tmp_path):
    """It is dated when `relais init` runs, in the site's time zone: a story dated later in the
    day would be left out of the feeds of a build made before then (at 01:00 in Paris, say)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from relais.init import Answers, example_story

    for zone in ("Europe/Paris", "Pacific/Kiritimati", "America/Adak", "UTC"):
        answers = Answers("Maya", "L'atelier", timezone=zone)
        written = re.search(r"^Date: (.+)$", example_story(answers), re.M).group(1)
        dated = datetime.strptime(written, "%Y-%m-%d %H:%M").replace(tzinfo=ZoneInfo(zone))
        now = datetime.now(ZoneInfo(zone))
        assert dated <= now and (now - dated).total_seconds() < 120, (zone, written)
