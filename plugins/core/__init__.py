"""Relais core plugin: checks the settings, turns autoescape on in every template
(`escaping`) and gives the theme its language tools.

`config` holds what it reads from the settings, `pelican` the glue.
"""

from __future__ import annotations

from pelican import signals
from relais.plugins.core.pelican import (
    autoescape_templates,
    check_settings,
    install_template_tools,
    quick_membership,
    remember_slugs,
    settle_urls,
    write_favicon,
)

__all__ = ["autoescape_templates", "register"]  # plugins that show foreign data connect it too


def register():
    signals.initialized.connect(check_settings)
    signals.initialized.connect(remember_slugs)
    signals.generator_init.connect(autoescape_templates)
    signals.generator_init.connect(install_template_tools)
    signals.article_generator_finalized.connect(quick_membership)
    signals.all_generators_finalized.connect(settle_urls)
    signals.finalized.connect(write_favicon)
