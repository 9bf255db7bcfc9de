"""Run a Pelican build with Relais's settings and report problems as plain lines.

Shared by `relais build`, `relais serve` and the tests, so that all of them
build exactly the way the README says.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pelican import Pelican
from pelican.settings import read_settings

from relais.problems import ProblemLines
from relais.settings import SettingsError


class BuildError(Exception):
    """The build cannot go on; the message is one or more `where: what` lines."""


@dataclass
class BuildReport:
    output: Path
    seconds: float
    warnings: list[str] = field(default_factory=list)


class WarningCollector(logging.Handler):
    """Keeps every warning Pelican or a plugin logs during one build."""

    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def parse_overrides(pairs: list[str]) -> dict[str, Any]:
    """`KEY=VALUE` pairs with JSON values, as pelican's --extra-settings takes them."""
    overrides = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise BuildError(f"-e {pair}: expected KEY=VALUE")
        try:
            overrides[key.strip()] = json.loads(raw)
        except ValueError as error:
            raise BuildError(f"-e {pair}: the value is not JSON ({error.msg})") from error
    return overrides


SHADOWING_NAMES = {"relais", "pelican", "jinja2", "markdown"}


def load_settings(settings_file: str, output: str | None = None, overrides=None) -> dict:
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
        return read_settings(str(path), override=extra)
    except Exception as error:  # a broken settings file is a user error, not a crash
        raise BuildError(f"{settings_file}: {error}") from error


def build(settings: dict) -> BuildReport:
    """Build the site once; raise BuildError with every problem found."""
    collector = WarningCollector()
    pelican_logger = logging.getLogger("pelican")
    plugins_logger = logging.getLogger("relais")
    for logger in (pelican_logger, plugins_logger):
        logger.addHandler(collector)
    started = time.perf_counter()
    try:
        Pelican(settings).run()
    except SettingsError as error:
        raise BuildError(str(error)) from error
    except ProblemLines as error:
        raise BuildError(str(error)) from error
    except Exception as error:
        raise BuildError(f"{type(error).__name__}: {error}") from error
    finally:
        for logger in (pelican_logger, plugins_logger):
            logger.removeHandler(collector)
    return BuildReport(Path(settings["OUTPUT_PATH"]), time.perf_counter() - started, collector.messages)
