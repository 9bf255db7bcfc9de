"""`relais serve`: never an empty page or a missing one, errors on every page, reload, clean exit."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from relais.serve import decorate
from tests.conftest import write_tiny_site

POST = """Title: {title}
Date: 2026-03-{day:02d} 10:00
Category: Atelier
Slug: {slug}

{body}
"""
OTHERS = {f"p{n}.md": POST.format(title=f"Billet {n}", day=1 + n % 27, slug=f"p{n}",
                                  body="Du texte. " * 40) for n in range(30)}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str, timeout: float = 10) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", errors="replace")


def fetch_until(url: str, wanted: str, seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    body = ""
    while time.monotonic() < deadline:
        try:
            status, body = get(url)
            if status == 200 and wanted in body:
                return body
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} never showed {wanted!r}; last body: {body[:300]!r}")


class Served:
    """A `relais serve` process on a tiny site, in its own session."""

    def __init__(self, root: Path, settings: Path | None = None, env: dict | None = None):
        self.root = root
        self.settings = settings or write_tiny_site(root, {**OTHERS,
                                                           "pot.md": self.pot("Premier pot")})
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        # its own temporary folder: what it leaves there is its own (pids are reused, and a
        # killed server leaves its relais-serve-PID-* folder in the shared one)
        self.tmp = root / "tmp"
        self.tmp.mkdir()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "relais.cli", "serve", "-s", str(self.settings),
             "--port", str(self.port)], env={**os.environ, "TMPDIR": str(self.tmp), **(env or {})},
            cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)

    def builds(self) -> list[str]:
        """The build folders in the server's working folder."""
        return sorted(p.name for p in self.tmp.glob("relais-serve-*/site-*"))

    @staticmethod
    def pot(title: str, date: str = "2026-03-01 10:00") -> str:
        return POST.format(title=title, day=1, slug="pot", body="Un pot.").replace(
            "2026-03-01 10:00", date)

    def edit(self, text: str) -> None:
        (self.root / "content" / "posts" / "pot.md").write_text(text, encoding="utf-8")

    def stop(self, sig=signal.SIGTERM) -> str:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            out, _ = self.process.communicate(timeout=30)
        finally:
            if self.process.poll() is None:
                os.killpg(self.process.pid, signal.SIGKILL)
        return out.decode("utf-8", errors="replace")


@pytest.fixture
def served(tmp_path):
    server = Served(tmp_path)
    try:
        fetch_until(f"{server.base}/2026/pot/", "Premier pot")
        yield server
    finally:
        server.stop(signal.SIGKILL)
        try:
            os.killpg(server.process.pid, signal.SIGKILL)  # whatever a regression left behind
        except ProcessLookupError:
            pass


class Hammer(threading.Thread):
    """Asks for existing pages without a pause and keeps every answer that is not a full page."""

    def __init__(self, urls: list[str]):
        super().__init__(daemon=True)
        self.urls, self.bad, self.count = urls, [], 0
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set():
            for url in self.urls:
                try:
                    status, body = get(url, timeout=60)
                except OSError as error:
                    status, body = 0, repr(error)
                self.count += 1
                if status != 200 or "</html>" not in body or "<main" not in body:
                    self.bad.append((url, status, body[:200]))


def test_no_empty_or_missing_page_during_rebuilds_and_after_a_failed_one(served):
    urls = [f"{served.base}/", f"{served.base}/2026/pot/", f"{served.base}/2026/p7/",
            f"{served.base}/archives/"]
    hammer = Hammer(urls)
    hammer.start()
    try:
        for n in range(3):
            served.edit(served.pot(f"Pot numéro {n}"))
            fetch_until(f"{served.base}/2026/pot/", f"Pot numéro {n}")
        served.edit(served.pot("Pot raté", date="demain"))
        body = fetch_until(f"{served.base}/2026/p7/", "relais-build-problems")
        assert "content/posts/pot.md:2: Date: &#x27;demain&#x27; is not a date" in body
        status, pot = get(f"{served.base}/2026/pot/")
        assert status == 200 and "Pot numéro 2" in pot and "relais-build-problems" in pot
        time.sleep(1)  # requests keep coming while the failed site is served
        served.edit(served.pot("Pot réparé"))
        fixed = fetch_until(f"{served.base}/2026/pot/", "Pot réparé")
        assert "relais-build-problems" not in fixed
    finally:
        hammer.done.set()
        hammer.join(timeout=30)
    assert hammer.count > 20
    assert hammer.bad == []
    # the builds took turns between two folders (the failed one put its folder back)
    assert served.builds() == ["site-1", "site-2"]


SAVE_DURING_FIRST_BUILD = """\
from pathlib import Path
from pelican import signals

def save(pelican):  # the writer saves while the first build is still writing
    marker = Path("saved-during-build")
    if not marker.exists():
        marker.write_text("yes")
        Path("content/posts/pot.md").write_text({text!r}, encoding="utf-8")

def register():
    signals.finalized.connect(save)
"""


def test_a_save_during_the_first_build_is_built_next(tmp_path):
    """The watcher is in place before the first build: what is saved meanwhile is not missed."""
    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins" / "save_during_build.py").write_text(
        SAVE_DURING_FIRST_BUILD.format(text=Served.pot("Enregistré pendant le build")))
    settings = write_tiny_site(tmp_path, {**OTHERS, "pot.md": Served.pot("Premier pot")})
    with settings.open("a") as more:
        more.write('PLUGIN_PATHS = ["plugins"]\nPLUGINS = PLUGINS + ["save_during_build"]\n')
    server = Served(tmp_path, settings)
    try:
        fetch_until(f"{server.base}/2026/pot/", "Enregistré pendant le build")
        assert (tmp_path / "saved-during-build").exists()
    finally:
        server.stop(signal.SIGKILL)


def test_the_event_stream_asks_for_a_reload_after_each_build(served):
    status, page = get(f"{served.base}/2026/pot/")
    version = re.search(r"events\?version=([0-9a-f]+)", page).group(1)
    answer = {}

    def listen():
        url = f"{served.base}/__relais__/events?version={version}"
        with urllib.request.urlopen(url, timeout=120) as stream:
            for raw in stream:  # comments (": still here") keep an idle stream open
                if raw.startswith(b"data:"):
                    answer["line"] = raw.decode()
                    return

    listener = threading.Thread(target=listen)
    listener.start()
    served.edit(served.pot("Pot suivant"))
    listener.join(timeout=120)
    assert answer.get("line") == "data: reload\n"
    status, page = get(f"{served.base}/2026/pot/")
    assert re.search(r"events\?version=([0-9a-f]+)", page).group(1) != version


def test_only_the_served_page_carries_the_script_and_banner(served):
    status, page = get(f"{served.base}/2026/pot/")
    version = re.search(r"events\?version=([0-9a-f]+)", page).group(1)
    built = subprocess.run([sys.executable, "-m", "relais.cli", "build", "-s", str(served.settings)],
                           cwd=served.root, capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    on_disk = (served.root / "output" / "2026" / "pot" / "index.html").read_bytes()
    assert b"EventSource" not in on_disk and b"relais-build-problems" not in on_disk
    assert page.encode("utf-8") == decorate(on_disk, [], version)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_stops_everything_and_frees_the_port(served, sig):
    served.edit(served.pot("Pendant un build"))  # a build may be running when the signal comes
    time.sleep(0.3)
    served.stop(sig)
    assert served.process.returncode is not None
    with pytest.raises(ProcessLookupError):
        os.killpg(served.process.pid, 0)  # nobody left in its session
    with socket.socket() as probe:  # nobody listens on the port (closed connections may linger)
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", served.port))
        probe.listen()
    leftovers = list(served.tmp.iterdir())
    assert leftovers == []


@pytest.mark.browser
def test_the_browser_shows_the_errors_and_reloads_after_the_fix(served, browser):
    page = browser.new_page()
    try:
        page.goto(f"{served.base}/2026/pot/")
        assert "Premier pot" in page.inner_text("main")
        served.edit(served.pot("Pot raté", date="01/12/2026"))
        page.wait_for_selector("#relais-build-problems", timeout=60_000)
        assert "could be 1 December or 12 January" in page.inner_text("#relais-build-problems")
        assert "Premier pot" in page.inner_text("main")  # still the last good page
        served.edit(served.pot("Pot réparé"))
        page.wait_for_function("document.querySelector('main').innerText.includes('Pot réparé')",
                               timeout=60_000)
        assert page.query_selector("#relais-build-problems") is None
    finally:
        page.close()


MARKED = """
from tests.support.build_filters import mark
THEME_TEMPLATES_OVERRIDES = [{templates!r}]
JINJA_FILTERS = {{"mark": mark}}
BUILD_WORKERS = 2
"""


def builder_of(server: Served) -> int:
    """The server's child process: its builder (relais.builder)."""
    pid = server.process.pid
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    assert len(children) == 1, children
    return int(children[0])


def test_builds_run_beside_the_server_and_on_every_core(tmp_path):
    """The server runs threads, so it never forks: its builds run in the builder process,
    forked before any thread, whose builds write their pages in two processes."""
    posts = {name: text.replace("Category:", "Template: marked\nCategory:")
             for name, text in {**OTHERS, "pot.md": Served.pot("Premier pot")}.items()}
    settings = write_tiny_site(tmp_path, posts)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "marked.html").write_text(
        '{% extends "article.html" %}{% block title %}{{ article.title|mark }}{% endblock %}')
    (tmp_path / "marks").mkdir()
    with settings.open("a") as more:
        more.write(MARKED.format(templates=str(tmp_path / "templates")))
    server = Served(tmp_path, settings, {"RELAIS_TEST_MARKS": str(tmp_path / "marks")})
    try:
        fetch_until(f"{server.base}/2026/pot/", "Premier pot")
        builder = builder_of(server)
        marks = {int(p.stem) for p in (tmp_path / "marks").glob("*.pid")}
        assert builder in marks and server.process.pid not in marks and len(marks) == 2
    finally:
        server.stop(signal.SIGKILL)


def test_when_the_builder_dies_the_server_builds_itself(served):
    os.kill(builder_of(served), signal.SIGKILL)
    served.edit(served.pot("Après le builder"))
    fetch_until(f"{served.base}/2026/pot/", "Après le builder")
    served.edit(served.pot("Et encore après"))
    fetch_until(f"{served.base}/2026/pot/", "Et encore après")
    out = served.stop()
    assert "ended (killed by SIGKILL); the builds go on in the server's process" in out
