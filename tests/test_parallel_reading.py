"""Posts read in forked workers (relais.reading): the same site, the same problems, no orphans.

The sites here have more posts than `relais.reading.MIN_FILES`, and their
builds are given 2 workers whatever the machine's cores. Their Markdown
reader (a plain subclass of Pelican's, wrapped by Relais like any other) notes
in `reads.log` which process read which post, and can be told to kill or
stall the worker that reads a given post.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from relais.build import BuildError, build, load_settings
from relais.pagecache import RECORDS
from relais.pagetexts import PageTexts
from relais.reading import MIN_FILES
from relais.serve import Builds, ServedSite
from tests.conftest import write_tiny_site
from tests.support.posts import post

READER = '''
import os, signal, time
from pathlib import Path
from pelican.readers import MarkdownReader

HERE = Path(__file__).parent
BUILDER = os.getpid()  # the build's own process (it imports the settings)


class NotingReader(MarkdownReader):
    """Notes `pid title` for each post read; in a worker, does to itself what `worker.txt`
    says for a post whose title is in it: `kill TITLE` or `stall TITLE`."""

    def process_metadata(self, name, value):
        if name == "title":
            with (HERE / "reads.log").open("a", encoding="utf-8") as log:
                log.write(f"{os.getpid()} {value}\\n")
            orders = HERE / "worker.txt"
            if os.getpid() != BUILDER and orders.exists():
                what, _, title = orders.read_text(encoding="utf-8").strip().partition(" ")
                if title == value and what == "kill":
                    os.kill(os.getpid(), signal.SIGKILL)
                if title == value and what == "stall":
                    time.sleep(120)  # the test kills the build long before
        return super().process_metadata(name, value)
'''

# the reader in a module of its own (Pelican's cache pickles the settings, READERS too), named
# after the site's folder (each site's settings import their own)
SETTINGS = """
sys.path.insert(0, {folder!r})
from {module} import NotingReader
READERS = {{"md": NotingReader}}
"""

PAGE = "Title: À propos\nSlug: a-propos\n\nUne page.\n"
COUNT = MIN_FILES + 10  # stories, one page, one with a warning


def write_site(root: Path) -> Path:
    """A site of COUNT stories with tags and categories, a page, and a post whose reading
    logs a warning (two `Tags:` lines): its settings file."""
    posts = {f"story-{n:03d}.md": post(f"story-{n:03d}", day=1 + n % 9,
                                       extra=f"Tags: terre, tag-{n % 7}\nSummary: Le {n}.\n",
                                       body=f"\nUn [lien](https://voisin-{n}.example/) *ici*.\n")
             for n in range(COUNT)}
    posts["twice.md"] = post("twice", extra="Tags: un\nTags: deux\n")
    settings = write_tiny_site(root, posts)
    (root / "content" / "pages").mkdir()
    (root / "content" / "pages" / "a-propos.md").write_text(PAGE, encoding="utf-8")
    module = f"noting_{hashlib.blake2b(str(root).encode(), digest_size=6).hexdigest()}"
    (root / f"{module}.py").write_text(READER, encoding="utf-8")
    with settings.open("a", encoding="utf-8") as handle:
        handle.write(SETTINGS.format(folder=str(root), module=module))
    return settings


def run_build(settings: Path, name: str, workers: int | None, **overrides):
    """Build into `name` (its cache `name-cache`) with `workers` processes (None: the settings'
    BUILD_WORKERS), `overrides` set as `-e` does: the report, and which process read which
    post (`{title: [pids]}`)."""
    root = settings.parent
    log = root / "reads.log"
    log.unlink(missing_ok=True)
    cwd = os.getcwd()
    os.chdir(root)
    try:
        loaded = load_settings(str(settings), str(root / name),
                               {"CACHE_PATH": str(root / f"{name}-cache"), **overrides})
        try:
            report = build(loaded, workers=workers)
        finally:
            reads = {}
            for line in log.read_text(encoding="utf-8").splitlines() if log.exists() else ():
                pid, _, title = line.partition(" ")
                reads.setdefault(title, []).append(int(pid))
    finally:
        os.chdir(cwd)
    return report, reads


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def records(cache: Path) -> tuple:
    """The page cache's records and texts (its fingerprint covers CACHE_PATH: not compared)."""
    with (cache / RECORDS).open("rb") as handle:
        saved = pickle.load(handle)
    stored = PageTexts(cache)
    stored.open(saved["store"], saved["texts"])
    return saved["pages"], {digest: stored.get(digest) for digest in saved["texts"]}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site built by 2 workers, then by the build's process alone (the reference)."""
    settings = write_site(tmp_path_factory.mktemp("parallel"))
    parallel = run_build(settings, "parallel", workers=2)
    serial = run_build(settings, "serial", workers=1)
    return settings, serial, parallel


def test_posts_read_by_workers_make_the_same_site(site):
    settings, (_serial_report, serial_reads), (parallel_report, parallel_reads) = site
    root = settings.parent
    me = os.getpid()
    assert set(serial_reads) == set(parallel_reads) and len(serial_reads) == COUNT + 2
    assert all(pids == [me] for pids in serial_reads.values())
    # every post read once, by a worker; the one whose reading logs is read again by the build
    by_workers = {title for title, pids in parallel_reads.items() if me not in pids}
    assert len(by_workers) == COUNT + 1
    assert len({pid for pids in parallel_reads.values() for pid in pids} - {me}) == 2
    assert parallel_reads["Twice"][-1] == me and all(
        len(pids) == 1 for title, pids in parallel_reads.items() if title != "Twice")
    # ...and logged its warning (Pelican shows a line once per process: not again in `serial`)
    twice = root / "content" / "posts" / "twice.md"
    assert parallel_report.warnings == [
        f"Duplicate definition of `tags` for {twice}. Using first one."]
    assert tree(root / "parallel") == tree(root / "serial")
    assert records(root / "parallel-cache") == records(root / "serial-cache")


def test_a_problem_in_a_post_a_worker_read_stops_the_build_with_its_line(tmp_path):
    settings = write_site(tmp_path)
    posts = tmp_path / "content" / "posts"
    (posts / "bad-date.md").write_text("Title: Ambigu\nSlug: ambigu\nDate: 01/12/2026\n\nTexte.\n",
                                       encoding="utf-8")
    (posts / "odd-field.md").write_text(post("odd-field", extra="Couleur: rouge\n"),
                                        encoding="utf-8")
    errors = {}
    for workers in (2, 1):
        with pytest.raises(BuildError) as failed:
            run_build(settings, f"out-{workers}", workers=workers)
        errors[workers] = str(failed.value)
    assert errors[2] == errors[1]
    assert "content/posts/bad-date.md:3: Date: '01/12/2026' could be 1 December" in errors[2]
    assert "content/posts/odd-field.md:5: Couleur: unknown field" in errors[2]


def test_a_worker_that_dies_leaves_its_posts_to_the_build(site):
    settings = site[0]
    root = settings.parent
    orders = root / "worker.txt"
    orders.write_text("kill Story-007", encoding="utf-8")
    try:
        report, reads = run_build(settings, "died", workers=2)
    finally:
        orders.unlink()
    assert any("reading the posts in parallel failed (worker" in line
               and "killed by SIGKILL): they are read by the build's own process" in line
               for line in report.warnings)
    assert all(reads[title][-1] == os.getpid() for title in reads)  # all read again, here
    assert tree(root / "died") == tree(root / "serial")


def test_a_rebuild_after_a_parallel_build_reads_only_the_changed_post(tmp_path):
    """...whatever BUILD_WORKERS says now: how many processes build a site changes no page."""
    settings = write_site(tmp_path)
    _report, reads = run_build(settings, "output", None, BUILD_WORKERS=2)
    assert len(reads) == COUNT + 2 and os.getpid() not in reads["Story-004"]
    story = tmp_path / "content" / "posts" / "story-004.md"
    story.write_text(story.read_text(encoding="utf-8") + "\nUne ligne de plus.\n",
                     encoding="utf-8")
    report, reads = run_build(settings, "output", None, BUILD_WORKERS=1)
    assert reads == {"Story-004": [os.getpid()]}
    assert report.pages_kept > 0


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has ended
    except FileNotFoundError:
        return False


def wait_for(condition, what: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting for {what}")
        time.sleep(0.05)


def stalled_worker(settings: Path) -> tuple[subprocess.Popen, int]:
    """`relais build --jobs 2` started on the site, once a worker stalls on Story-030."""
    root = settings.parent
    log = root / "reads.log"
    log.unlink(missing_ok=True)
    shutil.rmtree(root / "output", ignore_errors=True)
    (root / "worker.txt").write_text("stall Story-030", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "relais.cli", "build", "-s", str(settings), "--jobs", "2",
         "--ignore-cache"], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def stalled() -> str | None:
        lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
        return next((line for line in lines if line.endswith(" Story-030")), None)

    wait_for(lambda: stalled() or process.poll() is not None, "a worker to stall")
    assert process.poll() is None, process.communicate()
    worker = int(stalled().split()[0])
    assert worker != process.pid and alive(worker)
    return process, worker


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux's parent-death signal")
def test_no_worker_outlives_an_interrupted_or_killed_build(tmp_path):
    settings = write_site(tmp_path)
    process, worker = stalled_worker(settings)
    process.send_signal(signal.SIGINT)  # Ctrl-C: the build kills and reaps its workers
    process.communicate(timeout=60)
    assert process.returncode != 0 and not alive(worker)
    process, worker = stalled_worker(settings)
    process.kill()  # no cleanup at all: the worker dies with its parent
    process.communicate(timeout=60)
    wait_for(lambda: not alive(worker), "the worker to die with its build")



def test_a_wrong_build_workers_stops_the_build_with_one_line(tmp_path):
    settings = write_tiny_site(tmp_path, {"a.md": post("a")})
    with pytest.raises(BuildError, match=r"^setting BUILD_WORKERS: must be a whole number "
                                         r"\(got 'two'\)$"):
        run_build(settings, "output", None, BUILD_WORKERS="two")


def test_relais_serve_without_its_builder_reads_in_its_own_process(tmp_path):
    """Its server threads run while it builds in its own process (its builder gone): no fork
    there, whatever BUILD_WORKERS says."""
    settings = write_site(tmp_path)
    builds = Builds(str(settings), {"BUILD_WORKERS": 2}, tmp_path / "served", ServedSite(),
                    lambda _line: None, builder=None)
    assert builds.run()
    reads = (tmp_path / "reads.log").read_text(encoding="utf-8").splitlines()
    assert len(reads) == COUNT + 2
    assert {int(line.split()[0]) for line in reads} == {os.getpid()}


def test_a_build_run_by_a_thread_reads_in_its_own_process(tmp_path):
    """Forking a process whose other threads hold locks is unsafe: only the main thread forks."""
    settings = write_site(tmp_path)
    done = {}
    thread = threading.Thread(target=lambda: done.update(result=run_build(settings, "out", 2)))
    thread.start()
    thread.join()
    assert {pid for pids in done["result"][1].values() for pid in pids} == {os.getpid()}
