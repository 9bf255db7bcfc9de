"""Relais: a Pelican site kit for makers who grow by relationships.

One import name. The Pelican plugins are `relais.plugins.<name>` (the
repository's top-level `plugins/` folder); the theme is `relais.theme` (the
repository's `theme/` folder), shipped as package data. A site's settings name
them through the installed package, never through a checkout:

    import relais
    THEME = relais.THEME
    PLUGINS = relais.PLUGINS          # or a selection of relais.plugins.*
"""

from __future__ import annotations

import os

import relais.theme

# The theme's folder, wherever the package is (importlib.resources would cost a build 30 ms).
THEME = os.path.dirname(os.path.abspath(relais.theme.__file__))

# Every Relais plugin, in the order a full site loads them.
PLUGINS = [
    "relais.plugins.core",
    "relais.plugins.checks",
    "relais.plugins.maker_stories",
    "relais.plugins.images",
    "relais.plugins.feeds",
    "relais.plugins.blogroll",
    "relais.plugins.webmentions",
    "relais.plugins.git_dates",
    "relais.plugins.relays",
    "relais.plugins.fediverse",
]
