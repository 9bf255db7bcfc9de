"""Relais core plugin: validates the settings, turns autoescape on in every template
(`escaping`) and gives the theme its language tools."""

from __future__ import annotations

from pathlib import Path

from jinja2 import pass_context
from pelican import signals
from pelican.contents import Content
from relais.plugins.core import escaping
from relais.plugins.core.i18n import Catalogs, human_date

from relais import settings as relais_settings

relais_settings.declare(
    relais_settings.Setting(
        "AUTHOR_CARD",
        {},
        relais_settings.is_author_card,
        "The owner's h-card on every page: `name` (default `AUTHOR`), `url` (default "
        "the home page), `photo` (path under `content/`), `note`.",
    ),
    relais_settings.Setting(
        "REL_ME",
        [],
        relais_settings.is_link_list,
        "`(label, URL)` pairs of the owner's other profiles, linked with `rel=\"me\"`.",
    ),
)


def register():
    signals.initialized.connect(validate_settings)
    signals.generator_init.connect(autoescape_templates)
    signals.generator_init.connect(install_template_tools)


def autoescape_templates(generator):
    """Every template escapes what is not Markup; the owner's posts arrive as Markup.

    Also connected by the plugins that show foreign data (blogroll, mentions), so that
    a site using one of them without this plugin is just as safe.
    """
    escaping.install(generator.env, generator.context, Content,
                     escaping.trusted_fields(generator.settings))


def validate_settings(pelican):
    """Fill in defaults and stop the build on a wrong value, before any file is read."""
    settings = pelican.settings
    relais_settings.apply(settings)
    card = dict(settings["AUTHOR_CARD"])
    card.setdefault("name", settings.get("AUTHOR") or settings.get("SITENAME"))
    card.setdefault("url", settings.get("SITEURL") or "/")
    card.setdefault("photo", None)
    card.setdefault("note", "")
    settings["AUTHOR_CARD"] = card
    catalogs = Catalogs(Path(settings["THEME"]) / "translations", settings["DEFAULT_LANG"])
    if catalogs.languages and settings["DEFAULT_LANG"] not in catalogs.languages:
        raise relais_settings.SettingsError(
            f"setting DEFAULT_LANG: the theme has no '{settings['DEFAULT_LANG']}' strings "
            f"(it has {', '.join(catalogs.languages)})"
        )
    settings["RELAIS_CATALOGS"] = catalogs
    # every Jinja environment made from the settings escapes by default (see escaping.py)
    settings["JINJA_ENVIRONMENT"] = {**(settings.get("JINJA_ENVIRONMENT") or {}), "autoescape": True}


def page_language(context) -> str:
    """The language of what is being rendered: a page written by a plugin says so with a `lang`
    variable; otherwise the article's, the page's or the series', else the site's.

    Remembered on the render's context: `_()` asks for it for every string.
    """
    lang = getattr(context, "_relais_lang", None)
    if lang is None:
        lang = context.get("lang")
        if not isinstance(lang, str) or not lang:
            lang = context.get("DEFAULT_LANG", "en")
            for name in ("article", "page", "series"):
                found = getattr(context.get(name), "lang", None)
                if found:
                    lang = found
                    break
        context._relais_lang = lang
    return lang


def install_template_tools(generator):
    catalogs = generator.settings.get("RELAIS_CATALOGS")
    if catalogs is None:  # the settings were not validated (core loaded late): do it now
        catalogs = Catalogs(
            Path(generator.settings["THEME"]) / "translations", generator.settings["DEFAULT_LANG"]
        )

    rendered = {}  # once(): (macro, post, prefix, language) -> HTML, for this generator's build
    modules = {}  # macros_for(): (file, prefix, language) -> module

    @pass_context
    def gettext(context, text):
        return catalogs.markup(page_language(context), text)

    @pass_context
    def current_lang(context):
        return page_language(context)

    @pass_context
    def localized_date(context, value):
        return human_date(value, page_language(context))

    @pass_context
    def once(context, macro, post=None):
        """`macro(post)`, rendered once per post, site prefix and language for the whole build.

        A post appears in many lists (home, category, tags, author, series) and
        the site's footer on every page; each is the same HTML every time, so it
        is rendered once.
        """
        key = (macro, id(post), context.get("SITEURL"), page_language(context))
        if key not in rendered:
            rendered[key] = macro(post) if post is not None else macro()
        return rendered[key]

    @pass_context
    def macros_for(context, name):
        """A macro file's module, made once per site prefix and language for the whole build.

        `{% import ... with context %}` runs the file again on every page; the
        theme's macro files depend only on the settings, SITEURL and the language
        (everything else comes in through their arguments), so one module serves.
        """
        key = (name, context.get("SITEURL"), page_language(context))
        if key not in modules:
            modules[key] = generator.env.get_template(name).make_module(context.get_all())
        return modules[key]

    generator.env.globals.update(
        _=gettext, current_lang=current_lang, once=once, macros_for=macros_for
    )
    generator.env.filters["human_date"] = localized_date
