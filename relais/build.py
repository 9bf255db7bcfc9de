"""Run a Pelican build with Relais's settings and report problems as plain lines.

Shared by `relais build`, `relais serve` and the tests, so that all of them
build exactly the way the README says.
"""

from __future__ import annotations

import builtins
import gc
import json
import logging
import os
import sys
import time
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pelican import Pelican, signals
from pelican.settings import read_settings

from relais import writing
from relais.output import Output
from relais.pagecache import Incremental, reuse_markdown
from relais.problems import ProblemLines
from relais.reading import ParallelReading
from relais.settings import SETTINGS_FILE, SettingsError, site_cache
from relais.workers import worker_count


class BuildError(Exception):
    """The build cannot go on; the message is one or more `where: what` lines."""


@dataclass
class BuildReport:
    output: Path
    seconds: float
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what Relais's plugins say in passing
    pages_made: int = 0  # pages rendered
    pages_kept: int = 0  # pages taken unchanged from the last build (relais.pagecache)


class LogCollector(logging.Handler):
    """Keeps every message of one level or more logged during one build."""

    def __init__(self, level: int):
        super().__init__(level=level)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


class NoteCollector(LogCollector):
    """Relais's own information lines (below warnings): e.g. a development build's "no feeds"."""

    def __init__(self):
        super().__init__(logging.INFO)

    def filter(self, record):
        return record.levelno < logging.WARNING


def parse_overrides(pairs: list[str]) -> dict[str, Any]:
    """`KEY=VALUE` pairs with JSON values, as pelican's --extra-settings takes them."""
    overrides = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise BuildError(f"-e {pair}: expected KEY=VALUE, e.g. -e SITEURL='\"http://127.0.0.1:8000\"'")
        try:
            overrides[key.strip()] = json.loads(raw)
        except ValueError as error:
            raise BuildError(f"-e {pair}: the value is not JSON ({error.msg}); "
                             f"{quoting_hint(key.strip(), raw)}") from error
    return overrides


def quoting_hint(key: str, raw: str) -> str:
    """How to write the value the user meant, quoted for the shell."""
    words = {"True": "true", "False": "false", "None": "null"}
    if raw.strip() in words:
        return f"write -e {key}={words[raw.strip()]}"
    text = json.dumps(raw).replace("'", "'\\''")
    return f"a text goes in double quotes, inside single quotes for the shell: -e {key}='{text}'"


SHADOWING_NAMES = {"relais", "pelican", "jinja2", "markdown"}


class Pinned(MutableMapping):
    """A settings file's namespace in which the `-e` values are already set and stay set.

    The file runs as if it began with `SITEURL = <the -e value>` and never
    assigned SITEURL again: what it computes from SITEURL (an h-card URL,
    FEED_DOMAIN...) follows the override. Reads and other writes go to the
    module's globals, so functions and comprehensions in the file see the same.
    """

    def __init__(self, namespace: dict, pinned: dict):
        self.namespace, self.pinned = namespace, set(pinned)
        namespace.update(pinned)

    def __getitem__(self, key):
        return self.namespace[key]

    def __setitem__(self, key, value):
        if key not in self.pinned:
            self.namespace[key] = value

    def __delitem__(self, key):
        if key not in self.pinned:
            del self.namespace[key]

    def __iter__(self):
        return iter(self.namespace)

    def __len__(self):
        return len(self.namespace)


def forget_settings_modules(folder: Path) -> None:
    """Drop the modules loaded from the settings' folder (`from pelicanconf import *`), so that
    a settings file loaded again (relais serve, tests) sees their changes too."""
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if file and Path(file).parent == folder and Path(file).name != "__init__.py":
            del sys.modules[name]


def run_settings_file(path: Path, pinned: dict[str, Any]) -> dict[str, Any]:
    """The upper-case names a settings file defines, computed with the `pinned` values."""
    forget_settings_modules(path.resolve().parent)
    namespace = {"__name__": path.stem, "__file__": str(path.resolve()), "__builtins__": builtins}
    code = compile(path.read_bytes(), str(path), "exec")
    exec(code, namespace, Pinned(namespace, pinned))  # noqa: S102  (the user's own settings)
    return {key: value for key, value in namespace.items() if key.isupper()}


def absolute_paths(settings: dict[str, Any], settings_file: Path) -> dict[str, Any]:
    """Folders named relative to the settings file, made absolute (as Pelican does)."""
    folder = settings_file.resolve().parent
    for name in ("PATH", "OUTPUT_PATH", "THEME", "CACHE_PATH"):
        value = settings.get(name)
        if isinstance(value, str) and not os.path.isabs(value):
            candidate = os.path.normpath(folder / value)
            if name != "THEME" or os.path.exists(candidate):  # THEME may be a theme's name
                settings[name] = candidate
    if settings.get("PLUGIN_PATHS") is not None:
        settings["PLUGIN_PATHS"] = [os.path.normpath(folder / p) for p in settings["PLUGIN_PATHS"]]
    return settings


def load_settings(settings_file: str, output: str | None = None, overrides=None) -> dict:
    """Pelican's settings from `settings_file`, with `overrides` (`-e`) set before the file runs."""
    path = Path(settings_file)
    if not path.is_file():
        raise BuildError(f"{settings_file}: no such settings file")
    if path.stem in SHADOWING_NAMES:
        # Pelican loads a settings file as a module named after the file, in sys.modules.
        raise BuildError(f"{settings_file}: a settings file named {path.name} would replace the "
                         f"'{path.stem}' package while it loads; rename it (e.g. pelicanconf.py)")
    extra = dict(overrides or {})
    if output:
        extra["OUTPUT_PATH"] = output
    try:
        values = absolute_paths(run_settings_file(path, extra), path)
        values.setdefault("CACHE_PATH", str(site_cache(path)))  # not in the site's folder
        settings = read_settings(None, override=values)
    except Exception as error:  # a broken settings file is a user error, not a crash
        raise BuildError(f"{settings_file}: {error}") from error
    settings[SETTINGS_FILE] = str(path.resolve())
    return settings


# A build allocates millions of objects that reference counting frees as it goes; Python's
# cycle collector, run every 700 net allocations by default, spent about 0.5 s scanning them
# in a 2,000-story build (3% of a full build, 7% of a rebuild, more while the last build's
# page records are read); every 100,000: 0.16 s.
GC_YOUNG_THRESHOLD = 100_000


def build(settings: dict, *, ignore_cache: bool = False,
          later: list[Callable[[], None]] | None = None, workers: int | None = None) -> BuildReport:
    """Build the site once; raise BuildError with every problem found (the last good site
    is then left as it was).

    Pages whose inputs did not change since the last build are taken from it, and
    posts whose bytes did not change are not read again (relais.pagecache). With
    `later`, the page records are saved by calling what it receives, once the caller has
    shown the site (relais serve), instead of before this returns. `workers`: how many
    processes read the posts (relais.reading) and render and write the pages
    (relais.writing); None: BUILD_WORKERS.
    """
    try:
        count = worker_count(settings, workers)
    except SettingsError as error:
        raise BuildError(str(error)) from error
    reading = ParallelReading(count)
    asked = workers is not None or bool(settings.get("BUILD_WORKERS"))
    writers = writing.planned(settings, count, asked)
    collector = LogCollector(logging.WARNING)
    notes = NoteCollector()
    pelican_logger = logging.getLogger("pelican")
    plugins_logger = logging.getLogger("relais")
    for logger in (pelican_logger, plugins_logger):
        logger.addHandler(collector)
    plugins_logger.addHandler(notes)
    level = plugins_logger.level
    plugins_logger.setLevel(min(logging.INFO, level or logging.INFO))
    started = time.perf_counter()
    collecting = gc.get_threshold()
    gc.set_threshold(max(collecting[0], GC_YOUNG_THRESHOLD), *collecting[1:])
    try:
        incremental = Incremental(settings, ignore_cache)  # the last build's records, read
        output = Output(settings, incremental.fingerprint, in_place=not ignore_cache)
    except BaseException:
        gc.set_threshold(*collecting)
        raise
    incremental.output = output
    team = writing.Team(writers, incremental.pages) if writers > 1 else None
    writer = incremental.writer if team is None else team.writer(incremental.writer)
    signals.get_writer.connect(writer, weak=False)
    signals.readers_init.connect(reuse_markdown)
    reading.connect()

    def attach(generators) -> None:  # one receiver: the team's steps first, then the output's
        if team is not None:
            team.attach(generators)
        output.attach(generators, incremental.pages)

    signals.all_generators_finalized.connect(attach)
    try:
        pelican = Pelican(settings)
        if output.in_place:  # relais.output updates it; Pelican would empty it first
            pelican.delete_outputdir = False
        pelican.run()
        if later is None:
            incremental.save()
        else:
            later.append(incremental.save)
    except BaseException as error:
        if team is not None:
            team.close()  # no helper writes into the last good site once it is back
        output.restore()
        if isinstance(error, SettingsError | ProblemLines):
            raise BuildError(str(error)) from error
        if isinstance(error, Exception):
            raise BuildError(f"{type(error).__name__}: {error}") from error
        raise
    finally:
        signals.get_writer.disconnect(writer)
        signals.readers_init.disconnect(reuse_markdown)
        reading.disconnect()
        if team is not None:
            team.close()
        signals.all_generators_finalized.disconnect(attach)
        for logger in (pelican_logger, plugins_logger):
            logger.removeHandler(collector)
        plugins_logger.removeHandler(notes)
        plugins_logger.setLevel(level)
        gc.set_threshold(*collecting)
    output.keep(incremental.pages.new)
    return BuildReport(output.path, time.perf_counter() - started, collector.messages,
                       notes.messages, incremental.pages.rendered, incremental.pages.reused)
