"""What one build owes in Webmentions, handed from the build to `relais mentions send`.

The glue (`pelican.py`) computes it when the build finishes and keeps it in
that build's own settings dict (Pelican keeps the dict it is given), so the
command that ran the build reads it back from the same dict: no module-level
state, nothing left behind by an earlier build.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from relais.plugins.webmentions import sentlog

KEY = "_relais_webmentions_owed"


@dataclass
class BuildResult:
    """What one build owes: its posts, the sources it tombstoned, the site URL it was built for."""

    site_url: str
    log_path: Path
    posts: list[sentlog.Post] = field(default_factory=list)
    gone: set[str] = field(default_factory=set)


def keep(settings: dict, result: BuildResult) -> None:
    settings[KEY] = result


def of_build(settings: dict) -> BuildResult | None:
    """What the build that ran with these settings owes; None if the plugin was not loaded."""
    return settings.get(KEY)
