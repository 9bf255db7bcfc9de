"""`relais publish` to a local bare git repository and to a folder; git dates for `Modified`."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass

import click
import pytest
from click.testing import CliRunner
from relais.plugins.git_dates.history import git_modified, history

from relais.build import build, load_settings
from relais.cli import main
from relais.store import read_json
from tests.conftest import run_relais
from tests.support.local_http import LocalServer
from tests.support.webmention_world import Receiver, make_site, post

ENV = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "t@example.com",
       "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "t@example.com",
       "RELAIS_ALLOW_PRIVATE_NETWORK": "1"}


def git(*args, cwd, env=None):
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True,
                          env={**os.environ, **ENV, **(env or {})}).stdout.strip()


@pytest.fixture
def receiver():
    server = LocalServer().start()
    yield Receiver(server)
    server.stop()


def configure(site, **settings) -> None:
    lines = "".join(f"{name} = {value!r}\n" for name, value in settings.items())
    site.settings_file.write_text(site.settings_file.read_text() + lines)


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


def publish(site, *extra, subprocess_run=False):
    """`relais publish` in this process (fast), or as a real subprocess when asked."""
    args = ["publish", "-s", str(site.settings_file), "-e", f'SITEURL="{site.base}"', *extra]
    if subprocess_run:
        return run_relais(*args, cwd=site.root, env=ENV)
    result = CliRunner().invoke(main, args, env=ENV, catch_exceptions=False)
    return Ran(result.exit_code, result.stdout, result.stderr)


def test_publish_to_a_branch_of_a_bare_repository(tiny_site, serve_directory, receiver, tmp_path):
    receiver.endpoint()
    target = receiver.target("/t")
    site = make_site(tiny_site, serve_directory, {"a.md": post("Un", f"[t]({target})", "un")})
    bare = tmp_path / "pages.git"
    git("init", "-q", "--bare", str(bare), cwd=tmp_path)
    configure(site, PUBLISH_TO="git", PUBLISH_GIT_REPOSITORY=str(bare),
              PUBLISH_GIT_BRANCH="gh-pages")

    first = publish(site, subprocess_run=True)
    assert first.returncode == 0, first.stderr
    assert "pushed" in first.stdout and "gh-pages" in first.stdout
    files = git("ls-tree", "-r", "--name-only", "gh-pages", cwd=bare).splitlines()
    assert {"index.html", "2026/un/index.html", ".nojekyll"} <= set(files)
    page = git("show", "gh-pages:2026/un/index.html", cwd=bare)
    assert page == (site.root / "output" / "2026" / "un" / "index.html").read_text().rstrip("\n")
    assert [m.target for m in receiver.received] == [target]  # sent after the deploy
    sent = read_json(site.log_path)["sources"][site.url("un")]["targets"][target]
    assert sent["status"] == "sent"

    again = publish(site)
    assert again.returncode == 0, again.stderr
    assert "already holds this site" in again.stdout
    assert "Nothing to send" in again.stdout
    assert git("rev-list", "--count", "gh-pages", cwd=bare) == "1"

    site.write("a.md", post("Un", f"Nouveau texte, [t]({target})", "un"))
    third = publish(site)
    assert third.returncode == 0, third.stderr
    assert git("rev-list", "--count", "gh-pages", cwd=bare) == "2"  # history kept on the branch


def test_publish_through_a_remote_of_the_project_leaves_the_project_alone(
        tiny_site, serve_directory, tmp_path_factory):
    site = make_site(tiny_site, serve_directory, {"a.md": post("Un", "texte", "un")})
    configure(site, PUBLISH_TO="git", PUBLISH_GIT_REPOSITORY="origin",
              PUBLISH_SEND_WEBMENTIONS=False)
    bare = tmp_path_factory.mktemp("remote") / "remote.git"
    git("init", "-q", "--bare", str(bare), cwd=bare.parent)
    (site.root / ".gitignore").write_text("output/\ndata/\n__pycache__/\n")  # as a real project has
    git("init", "-q", "-b", "main", cwd=site.root)
    git("remote", "add", "origin", str(bare), cwd=site.root)
    git("add", ".", cwd=site.root)
    git("commit", "-q", "-m", "site", cwd=site.root)
    head = git("rev-parse", "HEAD", cwd=site.root)

    done = publish(site)
    assert done.returncode == 0, done.stderr
    assert "pushed" in done.stdout and "branch gh-pages of origin" in done.stdout
    assert "2026/un/index.html" in git("ls-tree", "-r", "--name-only", "gh-pages", cwd=bare)
    assert git("rev-parse", "HEAD", cwd=site.root) == head
    assert git("status", "--porcelain", cwd=site.root) == ""
    assert git("branch", "--list", cwd=site.root) == "* main"
    message = git("log", "-1", "--format=%s", "gh-pages", cwd=bare)
    assert message == f"Publish {site.base} from {head[:7]}"


def test_publish_to_a_folder_deploys_before_sending(tiny_site, serve_directory, receiver,
                                                    tmp_path):
    receiver.endpoint()
    target = receiver.target("/t")
    hub = receiver.server.add("/hub", 202)
    www = tmp_path / "www"
    www.mkdir()
    site = make_site(tiny_site, serve_directory, {"a.md": post("Un", f"[t]({target})", "un")})
    site.base = serve_directory(www)  # the public site is the deployed folder
    configure(site, PUBLISH_TO="folder", PUBLISH_FOLDER=str(www), WEBSUB_HUB=hub)

    dry = publish(site, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert f"would replace {www}" in dry.stdout and f"-> {target}" in dry.stdout
    assert list(www.iterdir()) == [] and receiver.received == []

    done = publish(site)
    assert done.returncode == 0, done.stderr
    assert (www / "2026" / "un" / "index.html").exists() and (www / ".relais-published").exists()
    [mention] = receiver.received
    assert mention.source == site.url("un") and mention.source_links  # it could read the source
    pings = receiver.server.hits("/hub", "POST")
    assert pings and all(p.form["hub.mode"] == ["publish"] for p in pings)
    assert f"{site.base}/feeds/all.atom.xml" in {p.form["hub.url"][0] for p in pings}

    (www / "stale.html").write_text("old")
    assert publish(site).returncode == 0
    assert not (www / "stale.html").exists()


def test_publish_refuses_without_a_target_or_over_a_foreign_folder(tiny_site, serve_directory,
                                                                   tmp_path):
    site = make_site(tiny_site, serve_directory, {"a.md": post("Un", "texte", "un")})
    nowhere = publish(site)
    assert nowhere.returncode == 1
    assert nowhere.stderr.strip() == ('error: PUBLISH_TO: where the site goes, "git" (a gh-pages '
                                      'branch) or "folder", in publishconf.py')
    foreign = tmp_path / "someone-elses"
    foreign.mkdir()
    (foreign / "precious.txt").write_text("keep me")
    configure(site, PUBLISH_TO="folder", PUBLISH_FOLDER=str(foreign))
    refused = publish(site)
    assert refused.returncode == 1 and "was not published by Relais" in refused.stderr
    assert (foreign / "precious.txt").read_text() == "keep me"


@pytest.mark.parametrize("setting, value, expected", [
    ("PUBLISH_GIT_REPOSITORY", "--upload-pack=touch {marker}:x", "must not start with '-'"),
    ("PUBLISH_GIT_BRANCH", "--upload-pack=touch {marker}", "must not start with '-'"),
    ("PUBLISH_GIT_BRANCH", "gh pages", "is not a valid branch name"),
    ("PUBLISH_GIT_BRANCH", "a..b", "is not a valid branch name"),
    ("PUBLISH_FOLDER", "--rsh=touch {marker}", "must not start with '-'"),
])
def test_settings_that_git_or_rsync_would_read_as_options_are_refused_at_start(
        tiny_site, serve_directory, tmp_path, setting, value, expected):
    """`PUBLISH_GIT_REPOSITORY = "--upload-pack=…"` used to become a git option (a command run
    on the publisher's machine): refused before the build, with one line naming the setting."""
    site = make_site(tiny_site, serve_directory, {"a.md": post("Un", "texte", "un")})
    marker = tmp_path / "ran"
    method = "folder" if setting == "PUBLISH_FOLDER" else "git"
    configure(site, PUBLISH_TO=method, **{setting: value.format(marker=marker)})
    refused = publish(site)
    assert refused.returncode == 1 and not list(tmp_path.glob("ran*"))
    [line] = refused.stderr.strip().splitlines()
    assert line.startswith(f"error: setting {setting}: ") and expected in line


def test_git_is_given_the_repository_after_a_double_dash(tmp_path):
    """Even past the settings check, git never reads the repository as an option."""
    from relais.publish import PublishError, deploy_git

    marker = tmp_path / "ran"
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "index.html").write_text("x")
    with pytest.raises(PublishError):
        deploy_git(tmp_path / "out", f"--upload-pack=touch {marker}:", "gh-pages", tmp_path,
                   "publish")
    assert not list(tmp_path.glob("ran*"))


# --- Modified from git history ------------------------------------------------------------------


def test_modified_comes_from_the_last_commit_when_asked(tiny_site, tmp_path):
    settings = tiny_site({"a.md": post("Un", "premier jet", "un"),
                          "b.md": post("Deux", "jamais modifié", "deux")})
    root = settings.parent
    git("init", "-q", cwd=root)
    git("add", "content", cwd=root)
    git("commit", "-q", "-m", "first", cwd=root, env={"GIT_COMMITTER_DATE": "2026-03-02T09:00:00Z"})
    (root / "content" / "posts" / "a.md").write_text(post("Un", "second jet", "un"))
    git("commit", "-q", "-am", "edit", cwd=root, env={"GIT_COMMITTER_DATE": "2026-04-05T09:00:00Z"})

    dates = history(root / "content")
    newest, count = dates[str((root / "content" / "posts" / "a.md").resolve())]
    assert count == 2 and newest.isoformat() == "2026-04-05T09:00:00+00:00"

    output = str(root / "output")
    build(load_settings(str(settings), output, {"MODIFIED_FROM_GIT": True}))
    page = (root / "output" / "2026" / "un" / "index.html").read_text()
    assert 'class="dt-updated" datetime="2026-04-05T11:00:00+02:00"' in page
    assert "dt-updated" not in (root / "output" / "2026" / "deux" / "index.html").read_text()
    build(load_settings(str(settings), output))
    assert "dt-updated" not in (root / "output" / "2026" / "un" / "index.html").read_text()


def test_git_modified_ignores_single_commits_and_older_dates():
    from datetime import UTC, datetime

    published = datetime(2026, 3, 1, tzinfo=UTC)
    assert git_modified("/x.md", published, {"/x.md": (datetime(2026, 5, 1, tzinfo=UTC), 1)}) \
        is None
    assert git_modified("/x.md", published, {"/x.md": (datetime(2026, 2, 1, tzinfo=UTC), 3)}) \
        is None
    assert git_modified("/x.md", published, {}) is None


# --- the GitHub Actions workflow ----------------------------------------------------------------


def test_the_workflow_parses_and_calls_commands_that_exist():
    import re

    import yaml

    from tests.conftest import REPO

    text = (REPO / ".github" / "workflows" / "publish.yml").read_text(encoding="utf-8")
    workflow = yaml.safe_load(text)
    assert {"test", "publish"} <= set(workflow["jobs"])
    assert workflow["jobs"]["publish"]["permissions"] == {"contents": "write"}
    calls = re.findall(r"relais ([a-z]+)(?: ([a-z-]+))?", text)
    assert calls
    context = click.Context(main)
    for group, command in calls:
        assert group in main.list_commands(context), group
        sub = main.get_command(context, group)
        if command and hasattr(sub, "commands"):
            assert command in sub.commands, f"relais {group} {command}"
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert "relais publish" in makefile
