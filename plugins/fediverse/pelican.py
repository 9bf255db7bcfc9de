"""Pelican glue: `FEDIVERSE_ACTOR` (the actor's URL) in the template context, which the theme
links with `<link rel="alternate" type="application/activity+json">`. The only module of the
plugin that imports Pelican; the key is never read by the build."""

from __future__ import annotations

from pelican import signals
from relais.plugins.fediverse.config import config


def add_actor(generator) -> None:
    fediverse = config(generator.settings)
    generator.context["FEDIVERSE_ACTOR"] = fediverse.actor if fediverse else None


def connect() -> None:
    signals.generator_init.connect(add_actor)
