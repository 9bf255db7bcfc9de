"""Plugins' own default templates, found after the site's theme: each plugin renders its pages
with any theme, and a theme that has a template of the same name overrides it.

For the plugins' Pelican glue; takes a Pelican generator (its `env` and `settings`).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import ChoiceLoader, FileSystemBytecodeCache, FileSystemLoader, TemplateNotFound

from relais.problems import ProblemLines
from relais.settings import user_cache


class MissingTemplate(ProblemLines):
    """A plugin needs a template that neither the theme nor the plugin has."""


def use_default_templates(generator, plugin_file: str) -> None:
    """Search the `templates/` folder beside `plugin_file` after the theme (once per generator)."""
    folder = str(Path(plugin_file).resolve().parent / "templates")
    loader = generator.env.loader
    if not isinstance(loader, ChoiceLoader):
        loader = generator.env.loader = ChoiceLoader([loader])
    if not any(isinstance(one, FileSystemLoader) and one.searchpath == [folder]
               for one in loader.loaders):
        loader.loaders.append(FileSystemLoader(folder))


def plugin_template(generator, name: str, needed_for: str):
    """The template `name` (the theme's, else the plugin's default), or one line saying which
    template is needed and what for."""
    extensions = generator.settings.get("TEMPLATE_EXTENSIONS") or [".html"]
    for extension in extensions:
        try:
            return generator.env.get_template(name + extension)
        except TemplateNotFound as error:
            if error.name != name + extension:  # found, but it needs another one that is missing
                raise MissingTemplate([f"theme: template {name}{extension} needs {error.name}, "
                                       f"which the theme does not have ({needed_for})"]) from None
    raise MissingTemplate([f"theme: {needed_for} needs a template {name}{extensions[0]}; the "
                           f"theme has none: add one to its templates/ folder"])


def bytecode_cache(options: dict[str, Any]) -> FileSystemBytecodeCache | None:
    """A cache of compiled templates shared by every build of this user, or None if it cannot
    be made. Jinja checks each template's source before using its entry, and a folder per Jinja
    version and set of environment `options` (autoescape, trim_blocks… change the compiled
    code) keeps one configuration from reading another's. Pelican makes one environment per
    generator and compiles each template in each: with the cache, once, then never again
    until the template changes."""
    key = repr(sorted((name, repr(value)) for name, value in options.items()
                      if name != "bytecode_cache"))
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    folder = user_cache() / f"jinja-{jinja2.__version__}-{digest}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return FileSystemBytecodeCache(str(folder))
