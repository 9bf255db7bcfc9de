"""git_dates: `Modified` dates from git history, for posts that do not give one
(MODIFIED_FROM_GIT). `history` reads git (pure), `config` the settings, `pelican` the glue."""

from __future__ import annotations

from pelican import signals
from relais.plugins.git_dates.pelican import apply_git_date, check_settings


def register():
    signals.initialized.connect(check_settings)
    signals.content_object_init.connect(apply_git_date)
