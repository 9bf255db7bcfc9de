"""`relais serve`: a development server that never shows an empty or half-built site.

- Builds take turns between two folders: each one updates, in place, the folder
  not served (relais.output: only the pages that changed since that folder's
  build are written), and the server switches to it in one step once it is
  complete. While a build runs, and after one fails (its folder is put back as
  it was), the last good site is served.
- After a failed build every HTML page carries a banner with the error lines,
  until a build succeeds. The banner, and the few lines of JavaScript that
  reload the page after each build, are added by this server to what it sends:
  the built files never contain them.
- Builds run one at a time, when the content, the theme, the settings or
  `data/` change, in the builder process (relais.builder), forked before this
  one starts any thread, so that they may use every core. SIGTERM and SIGINT
  stop everything: the builder is stopped and reaped, and the port is closed
  on the way out.
"""

from __future__ import annotations

import collections
import contextlib
import html
import io
import logging
import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from relais.build import BuildError, build, load_settings
from relais.builder import Builder, BuilderGone, Outcome
from relais.settings import project_root

log = logging.getLogger("relais.serve")

EVENTS_PATH = "/__relais__/events"
KEEP_ALIVE = 15.0  # seconds between comments on an idle event stream

RELOAD_SCRIPT = """<script>/* relais serve: reload after each build */
(function () {{
  var source = new EventSource("{events}?version={version}");
  source.onmessage = function () {{ source.close(); location.reload(); }};
}})();
</script>"""

BANNER = """<div id="relais-build-problems" role="alert" style="position:sticky;top:0;z-index:2147483647;\
margin:0;padding:.8em 1em;background:#fff1f0;color:#5c0011;border-bottom:3px solid #a8071a;\
font:14px/1.45 ui-monospace,SFMono-Regular,Menlo,monospace;white-space:pre-wrap;\
overflow-wrap:anywhere;max-height:50vh;overflow:auto">\
<strong style="font-family:system-ui,sans-serif">The last build failed: this is the last good \
site. Fix the lines below and save; the page reloads by itself.</strong>
{lines}</div>"""

NO_SITE = """<!doctype html><html lang="en"><meta charset="utf-8"><title>Build failed</title>
<body><p>No good build yet.</p></body></html>"""


@dataclass
class ServedSite:
    """What the server shows: the last good build, the last build's problems, a version that
    changes after every build (good or not), shared between the builder and the handlers."""

    root: Path | None = None
    problems: list[str] = field(default_factory=list)
    version: str = "0"
    changed: threading.Condition = field(default_factory=threading.Condition)
    readers: collections.Counter = field(default_factory=collections.Counter)
    read: threading.Condition = field(default_factory=threading.Condition)

    def snapshot(self) -> tuple[Path | None, list[str], str]:
        with self.changed:
            return self.root, list(self.problems), self.version

    @contextlib.contextmanager
    def reading(self):
        """The snapshot, with its folder noted as being read until the request has opened
        what it sends (a build waits for that before it changes the folder)."""
        with self.changed, self.read:
            snapshot = self.root, list(self.problems), self.version
            self.readers[self.root] += 1
        try:
            yield snapshot
        finally:
            with self.read:
                self.readers[snapshot[0]] -= 1
                self.read.notify_all()

    def wait_unread(self, folder: Path) -> None:
        """Until no request that began before the last switch is still opening a file in
        `folder` (no new one does: `folder` is not served)."""
        with self.read:
            self.read.wait_for(lambda: self.readers[folder] <= 0)

    def update(self, root: Path | None, problems: list[str]) -> None:
        with self.changed:
            if root is not None:
                self.root = root
            self.problems = problems
            self.version = f"{time.time_ns():x}"
            self.changed.notify_all()

    def wait_for_change(self, version: str, timeout: float) -> bool:
        """Whether the version differs from `version` (waiting up to `timeout` for it to)."""
        with self.changed:
            return self.changed.wait_for(lambda: self.version != version, timeout)


def decorate(page: bytes, problems: list[str], version: str) -> bytes:
    """An HTML page as this server sends it: the problems banner first, the reload script last."""
    text = page.decode("utf-8", errors="replace")
    if problems:
        banner = BANNER.format(lines="\n".join(html.escape(line) for line in problems))
        lower = text.lower()
        body = lower.find("<body")
        end = lower.find(">", body) + 1 if body >= 0 else 0
        text = text[:end] + banner + text[end:]
    script = RELOAD_SCRIPT.format(events=EVENTS_PATH, version=version)
    closing = text.lower().rfind("</body>")
    text = text[:closing] + script + text[closing:] if closing >= 0 else text + script
    return text.encode("utf-8")


class Handler(SimpleHTTPRequestHandler):
    """Files of the last good build; HTML decorated; the event stream that asks for reloads."""

    server: DevServer

    def log_message(self, format, *args):  # noqa: A002  (the base class's name)
        log.debug("%s - %s", self.address_string(), format % args)

    def do_GET(self):
        if urlsplit(self.path).path == EVENTS_PATH:
            self.stream_events()
            return
        super().do_GET()

    def send_head(self):
        with self.server.site.reading() as (root, problems, version):
            return self._send_head(root, problems, version)

    def _send_head(self, root: Path | None, problems: list[str], version: str):
        if root is None:
            return self.send_bytes(HTTPStatus.INTERNAL_SERVER_ERROR,
                                   decorate(NO_SITE.encode(), problems, version))
        self.directory = str(root)
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not urlsplit(self.path).path.endswith("/"):
                return super().send_head()  # the redirect to the folder's URL
            path = path / "index.html"
        if path.suffix.lower() in (".html", ".htm") and path.is_file():
            return self.send_bytes(HTTPStatus.OK, decorate(path.read_bytes(), problems, version))
        if not path.exists() and (root / "404.html").is_file():
            page = decorate((root / "404.html").read_bytes(), problems, version)
            return self.send_bytes(HTTPStatus.NOT_FOUND, page)
        return super().send_head()

    def send_bytes(self, status: HTTPStatus, body: bytes):
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        return io.BytesIO(body)

    def stream_events(self):
        """Server-sent events: one `reload` message when a build ends, then the stream closes."""
        seen = parse_qs(urlsplit(self.path).query).get("version", [""])[0]
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        try:
            while not self.server.stopping.is_set():
                if self.server.site.wait_for_change(seen, KEEP_ALIVE):
                    self.wfile.write(b"data: reload\n\n")
                    self.wfile.flush()
                    return
                self.wfile.write(b": still here\n\n")
                self.wfile.flush()
        except OSError:
            return


class DevServer(ThreadingHTTPServer):
    daemon_threads = True  # an open event stream never holds the process
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], site: ServedSite):
        self.site = site
        self.stopping = threading.Event()
        super().__init__(address, Handler)


class Builds:
    """The builds of one `relais serve`, taking turns between two folders of `workdir`: each
    build updates the one not served (the site of the build before the last), so that the
    served one is never touched; a request that began in the other before the last switch
    is waited for. They run in the builder process (relais.builder); in this one, on one
    core, where it cannot be started or once it has ended."""

    def __init__(self, settings_file: str, overrides: dict, workdir: Path, site: ServedSite,
                 announce: Callable[[str], None], builder: Builder | None):
        self.settings_file, self.overrides = settings_file, overrides
        self.site, self.announce, self.builder = site, announce, builder
        self.folders = [workdir / "site-1", workdir / "site-2"]
        self.count = 0
        self._later: list[Callable[[], None]] = []

    def run(self) -> bool:
        self.count += 1
        folder = self.folders[self.count % 2]
        existed = folder.is_dir()
        if existed:
            self.site.wait_unread(folder)
        try:
            outcome = self._build(folder)
        except BaseException:
            if not existed:
                shutil.rmtree(folder, ignore_errors=True)
            raise
        if outcome.problems is not None:
            if not existed:  # a folder the build began: nothing to keep in it
                shutil.rmtree(folder, ignore_errors=True)
            for line in outcome.problems:
                self.announce(f"error: {line}")
            good = "the last good site is served" if self.site.root else "no good build yet"
            self.announce(f"Build failed ({good}, with these lines on every page).")
            self.site.update(None, outcome.problems)
            self.count -= 1  # the next build updates the same folder again
            return False
        self.site.update(folder, [])  # the browser reloads now; the caches are saved meanwhile
        for save in self._later:
            save()
        self._later = []
        warnings = f", {len(outcome.warnings)} warning(s)" if outcome.warnings else ""
        self.announce(f"Built in {outcome.seconds:.1f} s{warnings}.")
        return True

    def _build(self, folder: Path) -> Outcome:
        if self.builder is not None:
            try:
                return self.builder.build(folder)
            except BuilderGone as gone:
                self.announce(f"warning: {gone}; the builds go on in the server's process, "
                              f"on one core")
                self.builder = None
        try:
            settings = load_settings(self.settings_file, str(folder), self.overrides)
            report = build(settings, later=self._later, workers=1)  # threads run: no forks
        except BuildError as error:
            return Outcome(problems=str(error).splitlines())
        return Outcome(report.seconds, list(report.warnings))


def watched_paths(settings: dict, settings_file: str) -> list[Path]:
    """What a change in should rebuild the site: content, theme, data/, the settings' folder."""
    paths = {Path(settings["PATH"]).resolve(), Path(settings_file).resolve().parent,
             Path(settings["THEME"]).resolve(), project_root(settings) / "data"}
    return sorted(p for p in paths if p.exists())


def relevant(skipped: Iterable[Path]) -> Callable:
    """A watchfiles filter: source files only, never what a build, git or an editor leaves."""
    ignored_dirs = {".git", "__pycache__", ".venv", "node_modules", ".pytest_cache"}
    prefixes = tuple(str(p.resolve()) + os.sep for p in skipped)

    def keep(_change, path: str) -> bool:
        parts = Path(path).parts
        if path.startswith(prefixes) or any(part in ignored_dirs for part in parts):
            return False
        name = parts[-1]
        return not (name.startswith(".#") or name.endswith(("~", ".swp", ".swx", ".tmp")))

    return keep


WAKE_MS = 200  # how often the watcher's loop comes back with nothing
# how often it looks at the changes it was told of: a build starts once two looks in a row
# see the same ones (watchfiles' default, 50 ms, put 50-100 ms between a save and its build)
STEP_MS = 20


class ServeError(Exception):
    """`relais serve` cannot start; the message is one line."""


def serve(settings_file: str, overrides: dict, bind: str, port: int,
          announce: Callable[[str], None]) -> None:
    """Build, serve, rebuild on change, until SIGTERM or SIGINT."""
    from watchfiles import watch

    settings = load_settings(settings_file, None, overrides)
    site = ServedSite()
    try:
        server = DevServer((bind, port), site)  # bound now: early requests wait for the build
    except OSError as error:
        raise ServeError(f"{bind}:{port}: cannot listen there ({error.strerror}); "
                         f"choose another port with --port") from error
    # forked before any thread starts (the watcher's, the server's): its builds may fork too
    builder = Builder(settings_file, overrides, [server.socket]) if hasattr(os, "fork") else None
    stop = threading.Event()

    def interrupt(signum, _frame):
        stop.set()
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, interrupt) for sig in (signal.SIGTERM, signal.SIGINT)}
    workdir = Path(tempfile.mkdtemp(prefix=f"relais-serve-{os.getpid()}-"))
    try:
        watched = watched_paths(settings, settings_file)
        skipped = [workdir, Path(settings["OUTPUT_PATH"]), Path(settings["CACHE_PATH"])]
        # The watcher is set up before the first build, so a save made while it runs (or just
        # after, before serving starts) starts the next build instead of being missed. It
        # wakes every WAKE_MS with an empty set, which is skipped.
        changes = watch(*watched, watch_filter=relevant(skipped), stop_event=stop,
                        raise_interrupt=False, yield_on_timeout=True, rust_timeout=WAKE_MS,
                        step=STEP_MS)
        next(changes, None)  # returns once the watches are in place
        builds = Builds(settings_file, overrides, workdir, site, announce, builder)
        builds.run()
        threading.Thread(target=server.serve_forever, name="relais-serve", daemon=True).start()
        announce(f"Serving on http://{bind}:{server.server_address[1]}/ (Ctrl-C to stop); "
                 f"watching {', '.join(str(p) for p in watched)}")
        for batch in changes:
            if batch:
                builds.run()
    except KeyboardInterrupt:
        pass
    finally:
        if builder is not None:
            builder.stop()
        server.stopping.set()
        server.shutdown()
        server.server_close()
        shutil.rmtree(workdir, ignore_errors=True)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
