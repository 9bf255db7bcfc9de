"""The git_dates setting and the Config built once per build: with MODIFIED_FROM_GIT on, it
holds the content folder's history, read with one `git log`."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from relais.plugins.git_dates.history import history

from relais.settings import Setting, configured, declare, is_bool

SETTINGS = (
    Setting("MODIFIED_FROM_GIT", False, is_bool,
            "A post without `Modified` takes the date of its last commit, when it has been "
            "committed more than once after its `Date`."),
)
declare(*SETTINGS)
NAMES = [s.name for s in SETTINGS]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Config:
    enabled: bool
    dates: Mapping[str, tuple[datetime, int]] = field(default_factory=dict)


def _make(settings: Mapping[str, Any]) -> Config:
    if not settings["MODIFIED_FROM_GIT"]:
        return Config(False)
    folder = Path(settings["PATH"]).resolve()
    dates = history(folder)
    if not dates:
        log.warning("MODIFIED_FROM_GIT: no git history for %s; dates left as written", folder)
    return Config(True, dates)


def config(settings) -> Config:
    """This build's git_dates Config: the history is read once per build."""
    return configured(settings, "git_dates", NAMES, _make)
