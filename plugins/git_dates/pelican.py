"""Pelican glue for git_dates: a post without `Modified` gets the date git gives it."""

from __future__ import annotations

from relais.plugins.git_dates.config import config
from relais.plugins.git_dates.history import git_modified


def check_settings(pelican):
    config(pelican.settings)


def apply_git_date(instance):
    cfg = config(instance.settings)
    if not cfg.enabled or "modified" in instance.metadata:
        return
    if not getattr(instance, "source_path", None) or not hasattr(instance, "date"):
        return
    modified = git_modified(instance.source_path, instance.date, cfg.dates)
    if modified is not None:
        instance.modified = modified
        instance.metadata["modified"] = modified
        instance.locale_modified = modified.strftime(instance.date_format)
