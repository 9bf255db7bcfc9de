"""Work shared among forked processes: how many (BUILD_WORKERS), and running them.

A worker is a fork of the build's process: it has everything the build had
set up (settings, readers, templates) without being sent any of it, does its
share, and sends back ONE pickle through a pipe before leaving with
`os._exit` (no `atexit`, no flushed buffers of its parent's). Objects both
sides already hold (the settings) travel by name instead of being pickled,
so what the parent receives points at its own objects, as if it had made it.

No worker outlives the build: each one dies with its parent (Linux's
parent-death signal), and the parent kills and reaps every worker still
running when it stops waiting for them (an error, Ctrl-C).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import io
import os
import pickle
import selectors
import signal
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from relais.settings import Setting, apply, declare, is_int

declare(
    Setting("BUILD_WORKERS", 0, is_int(0, 64),
            "How many processes `relais build` uses: 0 is one per core it may use, 1 keeps "
            "everything in the build's own process (`relais build --jobs N` overrides it; "
            "`relais serve`'s builder process follows it)."),
)


def worker_count(settings: dict, chosen: int | None = None) -> int:
    """How many processes a build uses: `chosen` (--jobs), else BUILD_WORKERS (0: the cores)."""
    apply(settings, ["BUILD_WORKERS"])
    count = settings["BUILD_WORKERS"] if chosen is None else chosen
    if count:
        return count
    if hasattr(os, "sched_getaffinity"):  # the cores this process may use (a container's)
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class WorkerFailed(Exception):
    """A worker ended without its result; the message is one line."""


PR_SET_PDEATHSIG = 1  # Linux prctl(2)


def die_with_parent(parent: int) -> None:
    """This process is killed when its parent dies, even by SIGKILL (Linux; elsewhere the
    parent's own cleanup is all there is)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the signal was asked for
        os._exit(1)


def run_forked(tasks: Sequence[Callable[[], Any]], shared: Mapping[str, Any]) -> list[Any]:
    """The results of `tasks`, each run in its own forked process, in order.

    `shared`: objects (by name) that results may contain and that the parent already has:
    they are sent by name. Raises WorkerFailed when a worker raised, died or sent nothing
    whole; every worker has ended when this returns or raises.
    """
    parent = os.getpid()
    running: dict[int, tuple[int, int]] = {}  # read end -> (pid, task's index)
    try:
        for index, task in enumerate(tasks):
            read_end, write_end = os.pipe()
            pid = os.fork()
            if pid == 0:  # the worker: never returns
                os.close(read_end)
                for other in running:
                    os.close(other)
                work(task, write_end, parent, shared)
            os.close(write_end)
            running[read_end] = (pid, index)
        received = receive(running)
        return [unpickled(received[index], index, len(tasks), shared)
                for index in range(len(tasks))]
    finally:
        stop(running)


def work(task: Callable[[], Any], write_end: int, parent: int, shared: Mapping[str, Any]):
    """In the worker: run the task, send ("ok", result) or ("error", line), leave."""
    code = 1
    try:
        die_with_parent(parent)
        gc.freeze()  # the parent's objects stay out of this process's collections (and pages)
        names = {id(value): name for name, value in shared.items()}
        try:
            data = dumps(("ok", task()), names)
        except Exception as error:  # noqa: BLE001  (the parent says which worker and why)
            data = dumps(("error", f"{type(error).__name__}: {error}"), {})
        with open(write_end, "wb", closefd=True) as pipe:
            pipe.write(data)
        code = 0
    finally:
        os._exit(code)


def dumps(value: Any, names: Mapping[int, str]) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.persistent_id = lambda obj: names.get(id(obj))
    pickler.dump(value)
    return buffer.getvalue()


def receive(running: dict[int, tuple[int, int]]) -> dict[int, bytes]:
    """Every worker's bytes, read as they come (a pipe holds only 64 KiB), by task index."""
    chunks: dict[int, list[bytes]] = {index: [] for _pid, index in running.values()}
    with selectors.DefaultSelector() as selector:
        for read_end in running:
            selector.register(read_end, selectors.EVENT_READ)
        left = len(running)
        while left:
            for key, _events in selector.select():
                data = os.read(key.fd, 1 << 20)
                if data:
                    chunks[running[key.fd][1]].append(data)
                else:
                    selector.unregister(key.fd)
                    left -= 1
    for read_end, (pid, index) in list(running.items()):
        os.close(read_end)
        del running[read_end]
        status = os.waitpid(pid, 0)[1]
        if status != 0:
            chunks[index] = [ended(status)]
    return {index: b"".join(parts) for index, parts in chunks.items()}


def ended(status: int) -> bytes:
    """How a worker that sent no whole result ended, as the pickle of an error."""
    return pickle.dumps(("error", how_it_ended(status)))


def how_it_ended(status: int) -> str:
    """A process's end as os.waitpid gives it: 'killed by SIGKILL', 'exited with status 1'."""
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            return f"killed by {signal.Signals(number).name}"
        except ValueError:
            return f"killed by signal {number}"
    return f"exited with status {os.waitstatus_to_exitcode(status)}"


def unpickled(data: bytes, index: int, count: int, shared: Mapping[str, Any]) -> Any:
    unpickler = pickle.Unpickler(io.BytesIO(data))
    unpickler.persistent_load = shared.__getitem__
    try:
        outcome, value = unpickler.load()
    except Exception as error:  # noqa: BLE001  (a truncated or foreign pickle)
        outcome, value = "error", f"sent an unreadable result ({type(error).__name__})"
    if outcome != "ok":
        raise WorkerFailed(f"worker {index + 1} of {count}: {value}")
    return value


def stop(running: dict[int, tuple[int, int]]) -> None:
    """Kill and reap the workers still running (the parent stopped waiting for them)."""
    for read_end, (pid, _index) in running.items():
        kill_and_reap(pid, read_end)
    running.clear()


def kill_and_reap(pid: int, read_end: int) -> None:
    """A forked process the parent no longer waits for: killed, reaped, its pipe closed."""
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)
    with contextlib.suppress(OSError):
        os.close(read_end)
