"""Shared fixtures: the built sample site, throw-away sites, a local web server, a browser."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from relais.build import build, load_settings

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts"

TINY_SETTINGS = """\
import sys
sys.path.insert(0, {repo!r})
from pelicanconf import *
PATH = "content"
THEME = {theme!r}
OUTPUT_PATH = "output"
AUTHOR_CARD = {{"name": "Test Maker", "note": "Makes test pots."}}
"""

TINY_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><title>pot</title>'
    '<circle cx="5" cy="5" r="4" fill="#b86"/></svg>'
)


@pytest.fixture(scope="session", autouse=True)
def user_cache(tmp_path_factory):
    """The caches builds keep (relais.settings.user_cache) go to this run's temporary folder,
    not to the home folder, for the tests and the commands they run."""
    folder = tmp_path_factory.mktemp("user-cache")
    previous = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = previous


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory):
    """The sample site built once, as `make html` builds it, into a temporary folder."""
    output = tmp_path_factory.mktemp("sample") / "output"
    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        report = build(load_settings("pelicanconf.py", str(output)))
    finally:
        os.chdir(cwd)
    return report


def write_tiny_site(root: Path, posts: dict[str, str]) -> Path:
    """A site in `root` with our theme and settings and the given posts; returns its settings file."""
    (root / "content" / "posts").mkdir(parents=True, exist_ok=True)
    (root / "content" / "images").mkdir(parents=True, exist_ok=True)
    (root / "content" / "images" / "pot.svg").write_text(TINY_SVG, encoding="utf-8")
    for name, text in posts.items():
        (root / "content" / "posts" / name).write_text(text, encoding="utf-8")
    settings = root / "site.py"
    settings.write_text(TINY_SETTINGS.format(repo=str(REPO), theme=str(REPO / "theme")))
    return settings


@pytest.fixture
def tiny_site(tmp_path):
    return partial(write_tiny_site, tmp_path)


def run_relais(*args: str, cwd: Path | None = None, env: dict | None = None):
    """Run the real `relais` command in a subprocess, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "relais.cli", *args],
        cwd=cwd or REPO, capture_output=True, text=True, timeout=300,
        env={**os.environ, **(env or {})},
    )


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def start_static_server(directory: Path) -> tuple[str, ThreadingHTTPServer]:
    """Serve a folder over HTTP on 127.0.0.1 in a thread; returns its base URL and the server."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", server


@pytest.fixture(scope="session")
def sample_site_url(sample_site):
    """The built sample site served over HTTP on 127.0.0.1 for the whole session."""
    url, server = start_static_server(sample_site.output)
    yield url
    server.shutdown()
    server.server_close()


@pytest.fixture
def serve_directory():
    """Serve folders over HTTP on 127.0.0.1; returns the base URL of each."""
    servers = []

    def start(directory: Path) -> str:
        url, server = start_static_server(directory)
        servers.append(server)
        return url

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright; a skip is a failure when CI requires the browser.

    Module-scoped: Playwright's sync API keeps an event loop running in this
    thread while it is open, and the HTTP client's tests need asyncio.run().
    """
    required = os.environ.get("RELAIS_REQUIRE_BROWSER") == "1"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if required:
            pytest.fail("RELAIS_REQUIRE_BROWSER=1 but playwright is not installed")
        pytest.skip("playwright is not installed")
    if not CHROMIUM.exists():
        if required:
            pytest.fail("RELAIS_REQUIRE_BROWSER=1 but /usr/bin/chromium is missing")
        pytest.skip("no Chromium at /usr/bin/chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"],
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def relais_wheel(tmp_path_factory) -> Path:
    """The wheel of this checkout, built once per test session (offline)."""
    from tests.support.wheel import build_wheel

    return build_wheel(tmp_path_factory.mktemp("wheel"))


@pytest.fixture(scope="session")
def adopted_rst(tmp_path_factory):
    """The rst site of tests/support/pelican_sites.py, built plain, adopted, built by Relais."""
    from tests.support.pelican_sites import Adopted, write_rst_site

    return Adopted(tmp_path_factory.mktemp("rst"), write_rst_site)


@pytest.fixture(scope="session")
def adopted_zh(tmp_path_factory):
    """The Chinese Markdown site of tests/support/pelican_sites.py, adopted the same way."""
    from tests.support.pelican_sites import Adopted, write_zh_site

    return Adopted(tmp_path_factory.mktemp("zh"), write_zh_site)


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def sources():
    """A source site on 127.0.0.1 for the receiver tests."""
    from tests.support.local_http import LocalServer

    server = LocalServer().start()
    yield server
    server.stop()


@pytest.fixture
def make_receiver(tmp_path):
    """Receivers for a built site in tmp_path (tests/support/receivers.py)."""
    from tests.support.receivers import receiver_factory

    return receiver_factory(tmp_path)
