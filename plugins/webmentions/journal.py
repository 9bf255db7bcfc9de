"""The sent log's journal: every result on disk before the next request can start.

`relais mentions send` keeps the sent log in memory while it sends and
appends each result, as one JSON line, to `sent.json.journal` beside the
log. A line holds the pair's whole record and its host's record after that
result, so replaying lines is idempotent: the last line about a pair or a
host wins, and replaying a journal twice changes nothing. At the start and
the end of a run the journal is compacted into the log (the log written
atomically, then the journal removed); a run killed at any moment leaves the
log of its start and a journal of every result it had, which the next run
(or any reader, through `read_log`) replays.

Appends are grouped: one writer thread takes every line waiting, writes them
with one `write` on a file opened for appending, and only then lets their
senders go on. A `kill -9` therefore loses only results that were still in
flight. `fsync` (against power loss) runs at most every `sync_every`
seconds and at the end, so the disk's latency never paces the sending.
"""

from __future__ import annotations

import asyncio
import json
import os
import queue
import threading
import time
from pathlib import Path

from relais.store import StoreError, read_json, write_json


def journal_path(log_path: Path) -> Path:
    return Path(log_path).with_name(Path(log_path).name + ".journal")


def line_for(log: dict, source: str, target: str, host: str) -> dict:
    """What the journal keeps of one result: the pair's and the host's records, whole."""
    entry = log["sources"][source]
    return {
        "source": source,
        "post": {k: entry.get(k) for k in ("hash", "path", "deleted")},
        "target": target,
        "record": entry["targets"][target],
        "host": host,
        "host_record": log["hosts"].get(host),
    }


def replay(log: dict, path: Path) -> int:
    """Apply a journal's lines to the log, in order; how many. A last line cut short by a
    kill is ignored; a damaged line elsewhere is a StoreError naming the file and line."""
    try:
        lines = Path(path).read_bytes().split(b"\n")
    except FileNotFoundError:
        return 0
    applied = 0
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            item = json.loads(raw)
            entry = log["sources"].setdefault(item["source"], {"targets": {}})
            entry.update(item["post"])
            entry["targets"][item["target"]] = item["record"]
            if item["host_record"] is None:
                log["hosts"].pop(item["host"], None)
            else:
                log["hosts"][item["host"]] = item["host_record"]
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            if number == len(lines):  # no newline after it: being written at the kill
                break
            raise StoreError(f"{path}:{number}: not a journal line ({error}); "
                             "remove the line or the file") from None
        applied += 1
    return applied


def compact(log_path: Path, log: dict) -> None:
    """Write the whole log atomically, then drop the journal it now contains."""
    write_json(log_path, log)
    journal_path(log_path).unlink(missing_ok=True)


def read_raw(log_path: Path) -> dict | None:
    """The log file's value with its journal replayed (None when neither exists)."""
    log = read_json(log_path)
    journal = journal_path(log_path)
    if not journal.exists():
        return log
    if log is None:
        log = {"version": 1, "sources": {}, "hosts": {}}
    if isinstance(log, dict) and isinstance(log.get("sources"), dict):
        log.setdefault("hosts", {})
        replay(log, journal)
    return log


class Journal:
    """Appends lines from the event loop; `await append(line)` returns once it is written."""

    def __init__(self, path: Path, sync_every: float = 0.2):
        self.path = Path(path)
        self.sync_every = sync_every
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._failure: BaseException | None = None

    def __enter__(self) -> Journal:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        self._thread = threading.Thread(target=self._write_loop, name="relais-journal",
                                        daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._queue.put(None)
        self._thread.join()
        os.fsync(self._fd)
        os.close(self._fd)

    async def append(self, line: dict) -> None:
        if self._failure is not None:
            raise self._failure
        loop = asyncio.get_running_loop()
        done = loop.create_future()
        payload = (json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
        self._queue.put((payload, done, loop))
        await done

    def _write_loop(self) -> None:
        synced = time.monotonic()
        stop = False
        while not stop:
            batch = [self._queue.get()]
            while True:  # everything waiting goes in one write
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            if None in batch:
                stop = True
                batch = [item for item in batch if item is not None]
            failure = None
            try:
                data = b"".join(payload for payload, _, _ in batch)
                while data:
                    data = data[os.write(self._fd, data):]
                if time.monotonic() - synced >= self.sync_every:
                    os.fsync(self._fd)
                    synced = time.monotonic()
            except OSError as error:
                failure = self._failure = error
            for _, done, loop in batch:
                loop.call_soon_threadsafe(_settle, done, failure)


def _settle(done: asyncio.Future, failure: BaseException | None) -> None:
    if done.done():
        return
    if failure is None:
        done.set_result(None)
    else:
        done.set_exception(failure)
