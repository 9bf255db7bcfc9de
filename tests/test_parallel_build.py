"""Parallel builds (relais.writing): pages rendered by forked helpers, the same site as a serial
build, byte for byte.

Each test builds real sites, serially (`workers=1`) and with two processes (`workers=2`, even on
one CPU). The pages a test needs in a helper are chosen by `writing.owner`, the function that
gives each file its process.
"""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pelican.log import LimitFilter

from relais import writing
from relais.build import BuildError, build, load_settings
from relais.pagecache import RECORDS
from tests.conftest import REPO, write_tiny_site
from tests.support.posts import post
from tests.test_incremental import PUBLISH, Site, tree

# The tests' templates use the filters of tests/support/build_filters.py: `mark` notes the pid of
# the process that renders the page (in $RELAIS_TEST_MARKS), `die` kills it, `hold` notes it
# then waits to be stopped.
EXTRA = """
from tests.support.build_filters import die, hold, mark
DEFAULT_PAGINATION = 2
THEME_TEMPLATES_OVERRIDES = [{templates!r}]
JINJA_FILTERS = {{"mark": mark, "die": die, "hold": hold}}
"""
TEMPLATES = {
    "marked.html": '{% extends "article.html" %}{% block title %}{{ article.title|mark }}'
                   '{% endblock %}',
    "dying.html": "{{ article.title|die }}",
    "broken.html": "{{ article.title }} {{ nothing_here.at_all }}",
    "holding.html": "{{ article.title|hold }}",
}


def helper_slug(prefix: str) -> str:
    """A slug whose page the helper (process 1 of 2) makes."""
    return next(f"{prefix}-{n}" for n in range(1000)
                if writing.owner(f"2026/{prefix}-{n}/index.html", 2) == 1)


def hidden(slug: str, template: str = "", body: str = "") -> str:
    extra = "Status: hidden\n" + (f"Template: {template}\n" if template else "")
    return post(slug, extra, day=9, body=body)


def make_site(root: Path, count: int = 24) -> Path:
    """A site of `count` stories in three tags, two per page: many paginated pages."""
    posts = {f"story-{n}.md": post(f"story-{n}", f"Tags: {'abc'[n % 3]}, all", day=1 + n % 9)
             for n in range(count)}
    settings = write_tiny_site(root, posts)
    (root / "templates").mkdir()
    for name, text in TEMPLATES.items():
        (root / "templates" / name).write_text(text, encoding="utf-8")
    (root / "marks").mkdir()
    with settings.open("a", encoding="utf-8") as handle:
        handle.write(EXTRA.format(templates=str(root / "templates")))
    return settings


def run(settings: Path, output: Path, cache: Path, **options):
    # Pelican's loggers drop a message they have already let out in this process (in an
    # earlier build too): each build here starts afresh, as a `relais build` does
    LimitFilter._raised_messages.clear()
    LimitFilter._group_count.clear()
    cwd, marks = os.getcwd(), os.environ.get("RELAIS_TEST_MARKS")
    os.chdir(settings.parent)
    os.environ["RELAIS_TEST_MARKS"] = str(settings.parent / "marks")
    try:
        return build(load_settings(str(settings), str(output), {"CACHE_PATH": str(cache)}),
                     **options)
    finally:
        os.chdir(cwd)
        if marks is None:
            os.environ.pop("RELAIS_TEST_MARKS", None)
        else:
            os.environ["RELAIS_TEST_MARKS"] = marks


def records(cache: Path) -> dict:
    with (cache / RECORDS).open("rb") as handle:
        return pickle.load(handle)["pages"]


def marked_pids(root: Path) -> set[int]:
    return {int(path.stem) for path in (root / "marks").glob("*.pid")}


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


# -- the same bytes ----------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["development", "publish"])
def test_sample_site_the_same_bytes_in_two_processes(tmp_path, mode):
    site = Site(tmp_path / "site", PUBLISH if mode == "publish" else "")
    serial = site.build(tmp_path / "serial", tmp_path / "serial-cache", workers=1)
    parallel = site.build(tmp_path / "parallel", tmp_path / "parallel-cache", workers=2)
    assert tree(tmp_path / "parallel") == tree(tmp_path / "serial")
    assert (parallel.pages_made, parallel.warnings) == (serial.pages_made, serial.warnings)
    # the next build keeps the same pages after either: the same page records
    assert records(tmp_path / "parallel-cache") == records(tmp_path / "serial-cache")


@pytest.fixture(scope="module")
def paginated(tmp_path_factory):
    """The generated site built serially and in two processes, then, after one edit, again
    from each one's records (the second one with two processes), and from nothing."""
    root = tmp_path_factory.mktemp("paginated")
    settings = make_site(root)
    slug = helper_slug("marked")
    (root / "content" / "posts" / "marked.md").write_text(hidden(slug, "marked"),
                                                         encoding="utf-8")
    first = {jobs: run(settings, root / f"out-{jobs}", root / f"cache-{jobs}", workers=jobs)
             for jobs in (1, 2)}
    trees = {jobs: tree(root / f"out-{jobs}") for jobs in (1, 2)}
    story = root / "content" / "posts" / "story-5.md"
    story.write_text(story.read_text(encoding="utf-8").replace("Un texte.", "Un autre texte."),
                     encoding="utf-8")
    again = {jobs: run(settings, root / f"out-{jobs}", root / f"cache-{jobs}", workers=jobs)
             for jobs in (1, 2)}
    clean = run(settings, root / "clean", root / "clean-cache", workers=1, ignore_cache=True)
    return root, first, trees, again, clean, slug


def test_paginated_site_the_same_bytes_in_two_processes(paginated):
    root, first, trees, *_ = paginated
    pages = [name for name in trees[1] if "/page/" in name or name.endswith("/2/index.html")]
    assert len(pages) > 10  # the lists are paginated: several pages from one write
    assert trees[2] == trees[1]
    assert first[2].pages_made == first[1].pages_made == len(
        [name for name in trees[1] if name.endswith(".html")])


def test_a_rebuild_after_a_parallel_build_keeps_the_same_pages(paginated):
    root, _first, _trees, again, clean, _slug = paginated
    assert again[2].pages_kept > 0
    assert (again[2].pages_made, again[2].pages_kept) == (again[1].pages_made,
                                                        again[1].pages_kept)
    assert tree(root / "out-2") == tree(root / "out-1") == tree(root / "clean")
    assert clean.pages_kept == 0


def test_no_helper_is_left_after_a_build(paginated):
    root, *_ = paginated
    helpers = marked_pids(root) - {os.getpid()}
    assert helpers  # the page `marked` was made by a helper
    assert all(gone(pid) for pid in helpers)


# -- a rebuild forks its helpers once it has made many pages -----------------------------------


def test_a_rebuild_making_few_pages_makes_them_in_the_builds_own_process(tmp_path):
    settings = make_site(tmp_path, count=6)
    marked = tmp_path / "content" / "posts" / "marked.md"
    slug = helper_slug("marked")
    marked.write_text(hidden(slug, "marked"), encoding="utf-8")
    run(settings, tmp_path / "output", tmp_path / "cache", workers=2)
    assert marked_pids(tmp_path) - {os.getpid()}  # no records yet: the helper made it
    for mark in (tmp_path / "marks").iterdir():
        mark.unlink()
    marked.write_text(hidden(slug, "marked", body="Un autre texte."), encoding="utf-8")
    report = run(settings, tmp_path / "output", tmp_path / "cache", workers=2)
    assert 0 < report.pages_made < writing.FORK_AFTER
    assert marked_pids(tmp_path) == {os.getpid()}


def test_a_rebuild_making_many_pages_shares_the_rest_with_its_helpers(tmp_path, monkeypatch):
    """Past FORK_AFTER pages made, the helper makes its share of the rest (the hidden post's
    page comes after every story's): the same site, records and counts as a serial rebuild."""
    settings = make_site(tmp_path, count=12)
    posts = tmp_path / "content" / "posts"
    slug = helper_slug("marked")
    (posts / "marked.md").write_text(hidden(slug, "marked"), encoding="utf-8")
    for jobs in (1, 2):
        run(settings, tmp_path / f"out-{jobs}", tmp_path / f"cache-{jobs}", workers=jobs)
    for mark in (tmp_path / "marks").iterdir():
        mark.unlink()
    for story in posts.glob("story-*.md"):
        story.write_text(story.read_text(encoding="utf-8") + "\nUne phrase de plus.\n",
                         encoding="utf-8")
    (posts / "marked.md").write_text(hidden(slug, "marked", body="Un autre texte."),
                                     encoding="utf-8")
    monkeypatch.setattr(writing, "FORK_AFTER", 4)
    again = {jobs: run(settings, tmp_path / f"out-{jobs}", tmp_path / f"cache-{jobs}",
                       workers=jobs) for jobs in (2, 1)}
    helpers = marked_pids(tmp_path) - {os.getpid()}
    assert helpers and all(gone(pid) for pid in helpers)
    assert (again[2].pages_made, again[2].pages_kept) == (again[1].pages_made,
                                                        again[1].pages_kept)
    assert again[2].pages_made > writing.FORK_AFTER and again[2].pages_kept > 0
    assert tree(tmp_path / "out-2") == tree(tmp_path / "out-1")
    assert records(tmp_path / "cache-2") == records(tmp_path / "cache-1")


# -- what a helper says, how it fails --------------------------------------------------------


def test_a_warning_while_a_helper_renders_reaches_the_report(tmp_path):
    settings = make_site(tmp_path, count=4)
    body = "\nVoir [ceci]({nowhere}ailleurs).\n"
    (tmp_path / "content" / "posts" / "odd.md").write_text(
        hidden(helper_slug("odd"), body=body), encoding="utf-8")
    serial = run(settings, tmp_path / "serial", tmp_path / "c1", workers=1)
    parallel = run(settings, tmp_path / "parallel", tmp_path / "c2", workers=2)
    assert any("'nowhere'" in line for line in serial.warnings)
    assert parallel.warnings == serial.warnings


@pytest.fixture
def good_site(tmp_path, monkeypatch):
    """A site built once in two processes (its output is the last good site); its next build
    forks its helpers before its first page (with the records, it would make its few pages
    alone)."""
    monkeypatch.setattr(writing, "FORK_AFTER", 0)
    settings = make_site(tmp_path, count=4)
    run(settings, tmp_path / "output", tmp_path / "cache", workers=2)
    return settings, tree(tmp_path / "output")


def test_a_helper_that_raises_fails_the_build_as_a_serial_one_and_keeps_the_site(good_site):
    settings, before = good_site
    root = settings.parent
    (root / "content" / "posts" / "broken.md").write_text(
        hidden(helper_slug("broken"), "broken"), encoding="utf-8")
    with pytest.raises(BuildError) as serial:
        run(settings, root / "serial", root / "serial-cache", workers=1)
    with pytest.raises(BuildError) as parallel:
        run(settings, root / "output", root / "cache", workers=2)
    assert str(parallel.value) == str(serial.value)
    assert "nothing_here" in str(parallel.value)
    assert tree(root / "output") == before


def test_a_killed_helper_fails_the_build_with_one_line_and_keeps_the_site(good_site):
    settings, before = good_site
    root = settings.parent
    (root / "content" / "posts" / "dying.md").write_text(
        hidden(helper_slug("dying"), "dying"), encoding="utf-8")
    with pytest.raises(BuildError) as failed:
        run(settings, root / "output", root / "cache", workers=2)
    lines = str(failed.value).splitlines()
    assert len(lines) == 1
    assert "killed by SIGKILL" in lines[0] and "last good site is kept" in lines[0]
    assert tree(root / "output") == before


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGINT])
def test_a_stopped_build_leaves_no_helper(good_site, signal_number):
    settings, before = good_site
    root = settings.parent
    (root / "content" / "posts" / "holding.md").write_text(
        hidden(helper_slug("holding"), "holding"), encoding="utf-8")
    (root / "cache" / RECORDS).unlink()  # no page records: the helpers are forked at once
    process = subprocess.Popen(
        [sys.executable, "-m", "relais.cli", "build", "-s", str(settings), "--jobs", "2",
         "-e", f'CACHE_PATH="{root / "cache"}"'],
        cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(REPO), "RELAIS_TEST_MARKS": str(root / "marks")})
    try:
        deadline = time.monotonic() + 120
        while not marked_pids(root) and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        helpers = marked_pids(root)
        assert helpers and process.pid not in helpers, process.communicate()
        process.send_signal(signal_number)
        process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode != 0
    assert all(gone(pid) for pid in helpers)
    assert tree(root / "output") == before


def test_build_workers_one_is_serial(tmp_path):
    settings = make_site(tmp_path, count=2)
    with settings.open("a", encoding="utf-8") as handle:
        handle.write("BUILD_WORKERS = 1\n")
    (tmp_path / "content" / "posts" / "marked.md").write_text(
        hidden(helper_slug("marked"), "marked"), encoding="utf-8")
    run(settings, tmp_path / "output", tmp_path / "cache")
    assert marked_pids(tmp_path) == {os.getpid()}


def test_no_room_for_a_helper_writes_every_page_in_one_process(paginated, tmp_path, monkeypatch):
    root, _first, trees, *_ = paginated

    def no_room():  # what os.fork raises when the system has no room for another process
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_room)
    report = run(root / "site.py", tmp_path / "output", tmp_path / "cache", workers=2,
                 ignore_cache=True)
    assert any("no helper process could be started" in line for line in report.warnings)
    assert tree(tmp_path / "output") == tree(root / "clean")
