"""The posts of a build read in forked workers, before Pelican reads them one by one.

Pelican keeps, per source file, its stamp (an MD5 of its bytes) and what the
reader made of it (`(content, metadata)`): its reader-layer content cache,
which Relais always uses (`relais.pagecache.Incremental`). Just before the
first post is read, the files the article and page generators will read
and that this cache holds nothing for are split among the workers
(`relais.workers`); each reads its share with the generators' own readers
(the same classes, settings and reused Markdown parser, as forked) and sends
the results back in one pickle. They go into the cache as if the build had
read them; Pelican's reading then finds every file there and goes on as
usual: metadata from the path, signals, content objects, the checks.

What a worker does not hand back, the build reads itself, as a build without
workers would: a file whose reading raised (a date the checks refuse, a
broken file) or logged anything, so that the error, its file:line and the
log lines come from the build's own process. A worker that fails or dies
costs only time: the build warns once and reads every post itself.

Each source file is stamped once per build (`Stamps`): Pelican asks for a post's
stamp three times (its generator's cache, empty in the reader layer Relais uses;
the readers' cache, to compare; and again after reading, to store it). The first
stamp, taken before the file is read, answers all three, and a post saved while
the build reads it is stored with the stamp of the bytes that were read, so the
next build reads it again. A stamp is what the file system says of the file
(`file_stamp`: inode, size, modification and change times, as git's index
does), not an MD5 of its bytes, except for a file changed in the last seconds.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
import time
from dataclasses import dataclass

from pelican import signals
from pelican.cache import FileDataCacher
from pelican.generators import ArticlesGenerator, PagesGenerator
from pelican.readers import Readers, _filter_discardable_metadata
from pelican.utils import file_suffix

from relais.workers import WorkerFailed, run_forked

logger = logging.getLogger(__name__)

# Below this many files to read, forking costs more than sharing the reading saves.
MIN_FILES = 50
# A file changed less than this many seconds before it is stamped is stamped by its bytes
# too: two saves within one tick of the file system's clock (up to 2 s, on FAT) may leave
# the same size and times.
RACY = 3.0

SOURCES = {ArticlesGenerator: ("ARTICLE_PATHS", "ARTICLE_EXCLUDES"),
           PagesGenerator: ("PAGE_PATHS", "PAGE_EXCLUDES")}


@dataclass(frozen=True)
class Unread:
    """A file a generator will read and its reader-layer cache holds nothing for."""

    readers: Readers
    path: str  # absolute, as Pelican's cache keys it
    fmt: str
    size: int


class Stamps:
    """The stamps of one build's source files, each taken once, the first time it is asked.

    Pelican's content caches (`FileStampDataCacher`: each generator's own and its readers')
    stamp a file with their `_filestamp_func`; `attach` makes a generator's caches ask this
    memo instead. A cache that keeps nothing and holds nothing (the generators' own, as
    Relais caches in the reader layer; the static files' readers) compares its stamps with
    nothing: it is given no stamp at all (Pelican would MD5 every photo twice a build).
    """

    def __init__(self):
        self.taken: dict = {}

    def attach(self, generator) -> None:
        for cacher in (generator, generator.readers):
            take = getattr(cacher, "_filestamp_func", None)
            if take is None:  # not a stamping cache, or Pelican found no such stamp (it warns)
                continue
            if cacher._cache_data_policy or cacher._cache:
                by_status = functools.partial(file_stamp, digest_of=take)
                cacher._filestamp_func = functools.partial(self.stamp, by_status)
            else:
                cacher._filestamp_func = no_stamp

    def stamp(self, take, path: str):
        try:
            return self.taken[path]
        except KeyError:
            stamp = self.taken[path] = take(path)  # an error is not kept: raised each time
            return stamp


def no_stamp(_path: str) -> bytes:
    return b""


def file_stamp(path: str, digest_of, now: float | None = None) -> tuple:
    """What tells a file's bytes from those it had when stamped, without reading them: its
    inode, size, modification and change times (any write sets the change time, which no
    tool sets back); for a file changed less than RACY seconds before `now`, the digest of
    its bytes too (`digest_of`: Pelican's). An MD5 of each of 2,000 posts was 50 ms of
    every build; their status, 5 ms."""
    status = os.stat(path)
    stamp = (status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)
    changed = max(status.st_mtime_ns, status.st_ctime_ns) / 1e9
    if (time.time() if now is None else now) - changed < RACY:
        stamp += (digest_of(path),)
    return stamp


class ParallelReading:
    """For one build: the article and page generators noted when they are made, their files
    read by `workers` processes when the first of them starts reading; every file stamped once
    (`Stamps`)."""

    def __init__(self, workers: int, minimum: int = MIN_FILES):
        self.workers, self.minimum = workers, minimum
        self.generators: list = []
        self.started = False
        self.stamps = Stamps()

    def connect(self) -> None:
        for signal, receiver in self._receivers():
            signal.connect(receiver, weak=False)

    def disconnect(self) -> None:
        for signal, receiver in self._receivers():
            signal.disconnect(receiver)

    def _receivers(self):
        return ((signals.article_generator_init, self.note),
                (signals.page_generator_init, self.note),
                (signals.static_generator_init, self.stamps.attach),
                (signals.article_generator_preread, self.start),
                (signals.page_generator_preread, self.start))

    def note(self, generator) -> None:
        self.stamps.attach(generator)
        if type(generator) in SOURCES:  # a subclass may read other files: left to it
            self.generators.append(generator)

    def start(self, _generator) -> None:
        """The first file is about to be read: read them all (once per build)."""
        if self.started:
            return
        self.started = True
        if self.workers < 2 or threading.current_thread() is not threading.main_thread():
            return  # a build run by a thread of a program (relais serve's): no fork there
        unread = [item for generator in self.generators for item in unread_files(generator)]
        if len(unread) >= self.minimum:
            read_in_workers(unread, self.workers)


def unread_files(generator) -> list[Unread]:
    """The files `generator` will read that its reader cache holds nothing for, in its order."""
    settings, readers = generator.settings, generator.readers
    if not (settings.get("CACHE_CONTENT") and settings.get("CONTENT_CACHING_LAYER") == "reader"):
        return []  # nowhere to put what workers read
    paths, excludes = SOURCES[type(generator)]
    found = []
    for name in generator.get_files(settings[paths], exclude=settings[excludes]):
        path = os.path.abspath(os.path.join(generator.path, name))  # as read_file keys it
        fmt = file_suffix(path)
        # not in the cache at all (no stamp taken: a rebuild stamps every file once, when it
        # reads it); a changed file still in it is read by the build, as before
        if fmt in readers.readers and FileDataCacher.get_cached_data(readers, path) is None:
            found.append(Unread(readers, path, fmt, os.path.getsize(path)))
    return found


def shares(unread: list[Unread], count: int) -> list[list[int]]:
    """The files' indexes split in `count` shares of about the same bytes (largest first)."""
    loads = [[0, n, []] for n in range(count)]
    for index in sorted(range(len(unread)), key=lambda i: -unread[i].size):
        lightest = min(loads)
        lightest[0] += unread[index].size
        lightest[2].append(index)
    return [sorted(share) for _load, _n, share in loads if share]


def read_in_workers(unread: list[Unread], workers: int) -> None:
    """Fill the reader caches with what `workers` processes read of `unread`."""
    tasks = [lambda share=share: read_share(unread, share) for share in shares(unread, workers)]
    try:
        results = run_forked(tasks, {"settings": unread[0].readers.settings})
    except WorkerFailed as failure:
        logger.warning("reading the posts in parallel failed (%s): they are read by the build's "
                       "own process", failure)
        return
    read = {index: found for result in results for index, *found in result}
    for index, item in enumerate(unread):  # in the generators' order, as a serial read
        if index in read:
            stamp, content, metadata = read[index]
            # the stamp taken before the worker read the file: Pelican reads it again if the
            # file changed since (the file's stamp is checked when the cache is read)
            FileDataCacher.cache_data(item.readers, item.path, (stamp, (content, metadata)))


def read_share(unread: list[Unread], share: list[int]) -> list[tuple]:
    """In a worker: (index, stamp, content, metadata) of each file read quietly and well."""
    logged = quiet_logging()
    done = []
    for index in share:
        item = unread[index]
        stamp = item.readers._get_file_stamp(item.path)
        before = len(logged)
        try:
            content, metadata = item.readers.readers[item.fmt].read(item.path)
        except Exception:  # noqa: BLE001, S112  (the build reads it again and reports it)
            continue
        if len(logged) == before:  # a file that logged is read again by the build
            done.append((index, stamp, content, _filter_discardable_metadata(metadata)))
    return done


def quiet_logging() -> list[int]:
    """In a worker: no log record reaches a handler (the build's process would show it
    twice); the levels of the records made are noted in the list returned."""
    made: list[int] = []
    make = logging.getLogRecordFactory()

    def noting(*args, **kwargs):
        record = make(*args, **kwargs)
        made.append(record.levelno)
        return record

    logging.setLogRecordFactory(noting)
    for each in logging.Logger.manager.loggerDict.values():
        if isinstance(each, logging.Logger):
            each.handlers = []
    logging.getLogger().handlers = [logging.NullHandler()]
    return made
