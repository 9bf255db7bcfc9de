"""The pages of one build rendered and written by forked processes, on several cores.

`relais build` forks helpers once every file is read, every check has passed
and the writer is made (just before Pelican's first `generate_output`); a
build that has the last build's page records (most pages will be taken from
them) forks only once its output loop has made `FORK_AFTER` pages: a rebuild
after one edit makes a dozen pages and forks no helper (a helper costs more
than it saves there: it copies the build's memory as it touches it and goes
through the whole loop too). From the fork on,
every process runs the same output loop, in the same order; each page (each
file of a paginated list, each feed Pelican writes) belongs to one process,
chosen from its file name (`owner`), and the others pass it by without
rendering or writing it. What is not a page is done by the build's own
process alone: the generators that copy files (static files, sources), and
the plugin steps that write their own files (they ask `is_helper()`).

At the end of the loop each helper sends the build's process its page records
(relais.pagecache), the log records emitted while it made its pages, or the
line of its failure, and leaves with os._exit: no `finalized` receiver, no
cache saved, no exit handler runs in a helper. The build's process waits for
every helper before Pelican's `finalized` signal, then handles every log
record of the output loop in the order a serial build would have emitted
them (its loggers' filters and handlers, hence the build's report, see them
as in a serial build). A helper that fails or dies fails the build with one
line; an interrupted build (Ctrl-C, SIGTERM) kills and reaps its helpers.

Forking a process that runs threads is unsafe (a lock held by another thread
stays held in the child): a build in a thread other than the main one, or
while other threads run, writes in one process (`planned`); `relais serve`
builds in its builder process (relais.builder), which runs no thread. (The
build's own thread that deletes an output folder it replaced, relais.output,
holds no lock a helper takes.)
"""

from __future__ import annotations

import contextlib
import gc
import io
import logging
import os
import pickle
import signal
import sys
import threading
import zlib
from collections.abc import Callable

from pelican import signals
from pelican.generators import ArticlesGenerator, PagesGenerator, TemplatePagesGenerator
from pelican.log import FilteredMessage

from relais.problems import ProblemLines
from relais.settings import SettingsError, only_relais_plugins
from relais.workers import die_with_parent, how_it_ended, kill_and_reap

# Pelican's generators whose output is pages through the writer: every process runs them.
SHARED = (ArticlesGenerator, PagesGenerator, TemplatePagesGenerator)
# With the last build's page records, the helpers are forked once the output loop has made
# (rendered, or written as feeds) this many pages; before that the build's process makes
# every page. About a second of rendering on the bench site's lists.
FORK_AFTER = 50


class HelperFailed(ProblemLines):
    """A helper process stopped: the lines it sent (the build's error), or how it ended."""


def planned(settings: dict, workers: int, asked: bool) -> int:
    """How many processes write this build's pages: `workers` (relais.workers.worker_count);
    1 where the platform cannot fork, when not called from the main thread (serve), and,
    unless BUILD_WORKERS or --jobs `asked` for a number, when another thread runs or a plugin
    that is not Relais's own takes part (it may write files of its own in every process)."""
    if workers <= 1 or not hasattr(os, "fork") or \
            threading.current_thread() is not threading.main_thread():
        return 1
    if not asked and (threading.active_count() > 1 or not only_relais_plugins(settings)):
        return 1
    return workers


def owner(name: str, count: int) -> int:
    """The process (0: the build's own) that writes the file `name`: the same in every process
    and every build, whatever the order the pages come in."""
    return zlib.crc32(os.path.normpath(name).encode("utf-8")) % count


# The team of the build under way in this process (None: a serial build, or between builds).
_team: Team | None = None


def is_helper() -> bool:
    """Whether this process is a helper of a parallel build: a plugin step that writes files
    itself (not through Pelican's writer) writes nothing here, the build's process does."""
    return _team is not None and _team.index > 0


# What the process is doing, for its log records: between pages, in a page it makes, in one
# another process makes (its records are that process's to send), or alone (a step no
# helper runs).
BETWEEN, MINE, ELSEWHERE = "between", "mine", "elsewhere"


class Team:
    """The processes of one parallel build. The build's process (index 0) makes it, attaches
    it to the generators (all_generators_finalized), forks the helpers when the output loop
    starts and gathers them at its end; `close` kills and reaps whatever is left."""

    def __init__(self, count: int, pages):
        self.count, self.pages = count, pages
        self.index = 0
        self.helpers: list[tuple[int, int]] = []  # (pid, read end of its pipe)
        self.position = 0  # pages met so far in the output loop (the same in every process)
        self.page = 0
        self.state = BETWEEN
        self.alone = False
        self.records: list[tuple[tuple, int, str, logging.LogRecord]] = []
        self.waiting = False  # helpers not forked yet: forked once FORK_AFTER pages are made
        self.feeds = 0  # feeds this process wrote (pages the page cache does not count)
        self._handle = None
        self._terminate = None
        self._before: tuple[int, int, int, int, int] = (0, 0, 0, 0, 0)  # see _fork

    def writer(self, make: Callable[[object], type]) -> Callable[[object], type]:
        """For Pelican's get_writer signal: the class `make` gives, writing only this
        process's pages."""
        def shared(pelican):
            return shared_writer(make(pelican), self)
        return shared

    # -- the generators ------------------------------------------------------------

    def attach(self, generators) -> None:
        """For all_generators_finalized: the output loop goes through the team."""
        writing = [g for g in generators if hasattr(g, "generate_output")]
        for position, generator in enumerate(writing):
            generator.generate_output = self._step(
                generator.generate_output, isinstance(generator, SHARED),
                first=position == 0, last=position == len(writing) - 1)

    def _step(self, generate_output, shared: bool, first: bool, last: bool):
        def step(writer):
            try:
                if first:
                    self.start()
                if shared:
                    generate_output(writer)
                elif self.index == 0:
                    self.alone = True
                    try:
                        generate_output(writer)
                    finally:
                        self.alone = False
            except BaseException as error:
                if self.index:
                    self._leave(failure=error)
                raise
            if last:
                self.finish()
        return step

    # -- pages -------------------------------------------------------------------

    def owns(self, name: str | None) -> bool:
        """Whether this process makes the page (or feed) `name`; a page no process would
        otherwise meet (written alone by the build's process) is its own. Until the helpers
        are forked, every page is the build's process's."""
        if self.alone or not name:
            self.state = MINE
            return True
        if self.waiting and self.pages.rendered + self.feeds >= FORK_AFTER:
            self.waiting = False
            self._fork()
        self.page, self.position = self.position, self.position + 1
        if self.waiting:
            self.state = MINE
            return True
        mine = owner(name, self.count) == self.index
        self.state = MINE if mine else ELSEWHERE
        signals.content_written.is_muted = not mine
        return mine

    def elsewhere(self) -> bool:
        return self.state == ELSEWHERE

    def between(self) -> None:
        self.state = BETWEEN
        signals.content_written.is_muted = False

    # -- the processes -------------------------------------------------------------

    def start(self) -> None:
        """The output loop begins (the build's problems were all checked by now): fork the
        helpers, or, with the last build's records, wait until FORK_AFTER pages are made."""
        global _team
        _team = self
        self._capture()
        if threading.current_thread() is threading.main_thread():
            self._terminate = signal.signal(signal.SIGTERM, terminated)
        if self.pages.old:
            self.waiting = True
        else:
            self._fork()

    def _fork(self) -> None:
        pages = self.pages
        # what this process has made so far: a helper sends only what it makes after the fork
        self._before = (len(pages.new), len(pages.texts), pages.rendered, pages.reused,
                        len(self.records))
        self.parent = os.getpid()
        for stream in (sys.stdout, sys.stderr):  # nothing buffered is written twice
            with contextlib.suppress(Exception):
                stream.flush()
        gc.freeze()  # the objects of the build stay where they are: shared until written
        # a helper must never run the build's handlers (they put the last good site back):
        # the signals wait until it has its own
        stopping = {signal.SIGINT, signal.SIGTERM}
        signal.pthread_sigmask(signal.SIG_BLOCK, stopping)
        try:
            for index in range(1, self.count):
                read, write = os.pipe()
                try:
                    pid = os.fork()
                except OSError as error:  # no room for another process: one process writes
                    os.close(read)
                    os.close(write)
                    self._alone_after(error)
                    return
                if pid == 0:
                    os.close(read)
                    self._become_helper(index, write)
                    return
                os.close(write)
                self.helpers.append((pid, read))
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, stopping)

    def _become_helper(self, index: int, write: int) -> None:
        self.index, self.write = index, write
        for _pid, read in self.helpers:
            os.close(read)
        self.helpers = []
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        die_with_parent(self.parent)

    def _alone_after(self, error: OSError) -> None:
        """The helpers could not all be made: those made (they have not started) are
        stopped, and the build's process writes every page."""
        self._stop_helpers()
        self.count = 1
        logging.getLogger(__name__).warning(
            "pages written in one process: no helper process could be started (%s)", error)

    def finish(self) -> None:
        """The end of the output loop: a helper sends what it made and leaves; the build's
        process gathers them, then handles every log record in serial order."""
        if self.index:
            self._leave()
        try:
            failures = []
            for pid, read in self.helpers:
                failure = self._gather(pid, read)
                if failure:
                    failures.extend(failure)
            self.helpers = []
            if failures:
                raise HelperFailed(failures)
        finally:
            self.close()

    def _gather(self, pid: int, read: int) -> list[str]:
        with os.fdopen(read, "rb") as stream:
            data = stream.read()
        _, status = os.waitpid(pid, 0)
        result = None
        with contextlib.suppress(Exception):
            result = pickle.loads(data) if data else None
        if result is not None and result.get("failure"):
            return result["failure"]
        if status != 0 or result is None:
            return [f"build: the helper process {pid} that made part of the pages ended "
                    f"({how_it_ended(status)}); the last good site is kept"]
        pages = self.pages
        pages.new.update(result["new"])
        pages.texts.update(result["texts"])
        pages.rendered += result["rendered"]
        pages.reused += result["reused"]
        self.records.extend(result["records"])
        return []

    def close(self) -> None:
        """Stop capturing, kill and reap the helpers still there, then let the records out
        (idempotent)."""
        global _team
        self._stop_helpers()
        if self._terminate is not None:
            signal.signal(signal.SIGTERM, self._terminate)
            self._terminate = None
        if _team is self:
            _team = None
            gc.unfreeze()
            signals.content_written.is_muted = False
        self._release()

    def _stop_helpers(self) -> None:
        for pid, read in self.helpers:
            kill_and_reap(pid, read)
        self.helpers = []

    def _leave(self, failure: BaseException | None = None) -> None:
        """A helper's last act: its pages' records, or its failure, to the build's process."""
        status = 0
        try:
            if failure is None:
                pages = self.pages
                new, texts, rendered, reused, records = self._before
                result = {"new": dict(list(pages.new.items())[new:]),
                          "texts": dict(list(pages.texts.items())[texts:]),
                          "rendered": pages.rendered - rendered,
                          "reused": pages.reused - reused,
                          "records": [(key, seq, name, portable(record))
                                      for key, seq, name, record in self.records[records:]]}
            else:
                status = 1
                result = {"failure": failure_lines(failure)}
            with os.fdopen(self.write, "wb") as stream:
                pickle.dump(result, stream, protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException:
            status = 2
        os._exit(status)

    # -- log records ---------------------------------------------------------------

    def _capture(self) -> None:
        """Every log record of the output loop is kept (not handled) with its place in it."""
        team = self
        self._handle = logging.Logger.handle

        def handle(logger, record):
            key = team._key()
            if key is not None:
                team.records.append((key, len(team.records), logger.name, record))

        logging.Logger.handle = handle

    def _key(self) -> tuple[int, int] | None:
        """Where a record goes in the serial order: (page, 1) in a page, (pages before, 0)
        between pages; None for a record that is another process's to send."""
        if self.state == MINE and not self.alone:
            return (self.page, 1)
        if self.state == ELSEWHERE or self.index:
            return None
        return (self.position, 0)

    def _release(self) -> None:
        if self._handle is None:
            return
        logging.Logger.handle = self._handle
        self._handle = None
        records, self.records = sorted(self.records, key=lambda r: (r[0], r[1])), []
        for _key, _seq, name, record in records:
            logger = logging.getLogger(name) if name != "root" else logging.getLogger()
            with contextlib.suppress(FilteredMessage):  # Pelican's loggers' way to say "dropped"
                logger.handle(record)


def portable(record: logging.LogRecord) -> logging.LogRecord:
    """A log record that pickles: its traceback as text, its arguments as text if need be."""
    if record.exc_info:
        if not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.exc_info = None
    try:
        pickle.dumps(record)
    except Exception:
        record.msg, record.args = record.getMessage(), None
        record.__dict__ = {k: v for k, v in record.__dict__.items() if picklable(v)}
    return record


def picklable(value) -> bool:
    try:
        pickle.dumps(value)
    except Exception:
        return False
    return True


def failure_lines(error: BaseException) -> list[str]:
    """The lines a serial build would have stopped with (relais.build)."""
    if isinstance(error, SettingsError | ProblemLines):
        return str(error).splitlines() or [type(error).__name__]
    return [f"{type(error).__name__}: {error}"]


def terminated(number, _frame):
    """SIGTERM while helpers work: unwind (they are killed and reaped, the last good site put
    back), then leave as SIGTERM would."""
    raise SystemExit(128 + number)


def shared_writer(base: type, team: Team) -> type:
    """`base` (the page cache's writer) writing only this process's pages."""

    class SharedWriter(base):
        def template_for(self, template, context):
            return OwnedTemplate(super().template_for(template, context), team)

        def write_file(self, *args, **kwargs):
            try:
                return super().write_file(*args, **kwargs)
            finally:
                team.between()

        def write_feed(self, elements, context, path=None, *args, **kwargs):
            try:
                if path and not team.owns(path):
                    return None
                team.feeds += 1
                return super().write_feed(elements, context, path, *args, **kwargs)
            finally:
                team.between()

        def _open_w(self, filename, encoding, override=False):
            if team.elsewhere():  # another process writes this page
                return io.StringIO()
            return super()._open_w(filename, encoding, override)

    SharedWriter.__name__ = SharedWriter.__qualname__ = base.__name__
    return SharedWriter


class OwnedTemplate:
    """A page's template: rendered by the process that owns the page, "" in the others."""

    def __init__(self, template, team: Team):
        self.template, self.team = template, team

    def render(self, values):
        if self.team.owns(values.get("output_file")):
            return self.template.render(values)
        return ""

    def __getattr__(self, name):
        return getattr(self.template, name)
