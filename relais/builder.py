"""The process that builds the site for `relais serve`, beside the server.

The server answers requests and watches files in threads; a process that runs threads must
not fork (a lock another thread held at that moment stays locked in the child), so its own
builds could only run in one process. The builder is forked when `relais serve` starts,
before any thread: it has none, so its builds read and write on every core as `relais
build` does (relais.reading, relais.writing). It keeps its modules and caches from one build
to the next, as the server did.

The server asks for one build at a time, giving the folder to build into; the builder
answers with the build's report or its problem lines, then saves the caches (the page
records...) while the server already shows the new site. It dies with the server (even by
SIGKILL, on Linux), leaves Ctrl-C to it, and on SIGTERM stops its helpers and ends.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import struct
import time
from dataclasses import dataclass, field
from pathlib import Path

from relais.workers import die_with_parent, how_it_ended

LENGTH = struct.Struct("!Q")


@dataclass
class Outcome:
    """What a build gave: its time and warnings, or the lines of its problems."""

    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    problems: list[str] | None = None  # the build failed: these lines say why


class BuilderGone(Exception):
    """The builder process ended; the message says how."""


def send(fd: int, value) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(LENGTH.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view):]


def receive(fd: int):
    """The next value sent on `fd`; EOFError when the other end closed it."""
    def exactly(size: int) -> bytes:
        parts, left = [], size
        while left:
            part = os.read(fd, min(left, 1 << 20))
            if not part:
                raise EOFError
            parts.append(part)
            left -= len(part)
        return b"".join(parts)

    (size,) = LENGTH.unpack(exactly(LENGTH.size))
    return pickle.loads(exactly(size))


class Builder:
    """The builder process, seen from the server."""

    def __init__(self, settings_file: str, overrides: dict, inherited: list):
        """Fork it now (call this before starting any thread); `inherited`: what the builder
        must close (the server's listening socket)."""
        requests, self._requests = os.pipe()
        self._replies, replies = os.pipe()
        parent = os.getpid()
        self.pid = os.fork()
        if self.pid == 0:  # the builder
            code = 0
            try:
                os.close(self._requests)
                os.close(self._replies)
                for thing in inherited:
                    thing.close()
                die_with_parent(parent)
                signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
                signal.signal(signal.SIGTERM, _stop)
                _serve_builds(requests, replies, settings_file, overrides)
            except BaseException:  # noqa: BLE001  (a child never returns into the server's code)
                code = 1
            finally:
                os._exit(code)
        os.close(requests)
        os.close(replies)

    def build(self, folder: Path) -> Outcome:
        """Build into `folder`; BuilderGone when the builder process has ended."""
        try:
            send(self._requests, str(folder))
            return receive(self._replies)
        except (EOFError, BrokenPipeError) as error:
            raise BuilderGone(self._ended()) from error

    def _ended(self) -> str:
        with contextlib.suppress(ChildProcessError):
            _, status = os.waitpid(self.pid, 0)
            return f"the build process {self.pid} ended ({how_it_ended(status)})"
        return f"the build process {self.pid} ended"

    def stop(self, seconds: float = 30.0) -> None:
        """Ask it to stop (SIGTERM: a build under way puts its folder back and stops its
        helpers), wait up to `seconds`, then kill it; reaped in every case."""
        for fd in (self._requests, self._replies):
            with contextlib.suppress(OSError):
                os.close(fd)
        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGTERM)
        deadline = time.monotonic() + seconds
        with contextlib.suppress(ChildProcessError):
            while os.waitpid(self.pid, os.WNOHANG)[0] == 0:
                if time.monotonic() > deadline:
                    os.kill(self.pid, signal.SIGKILL)
                    os.waitpid(self.pid, 0)
                    break
                time.sleep(0.02)


def _stop(number, _frame):
    """SIGTERM in the builder: unwind (a build under way puts its folder back and stops its
    helpers), then end."""
    raise SystemExit(128 + number)


def _serve_builds(requests: int, replies: int, settings_file: str, overrides: dict) -> None:
    from relais.build import BuildError, build, load_settings

    while True:
        try:
            folder = receive(requests)
        except EOFError:
            return
        later: list = []
        try:
            report = build(load_settings(settings_file, folder, overrides), later=later)
        except BuildError as error:
            send(replies, Outcome(problems=str(error).splitlines()))
            continue
        send(replies, Outcome(report.seconds, list(report.warnings)))
        for save in later:  # while the server shows the new site
            save()
