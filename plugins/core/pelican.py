"""Pelican glue for core: the settings checked at start, autoescape in every template, the
theme's `_()`, `current_lang()`, `human_date`, `bcp47`, `once()` and `macros_for()`, and
the owner's card for the templates."""

from __future__ import annotations

import functools
from pathlib import Path

import pelican.urlwrappers
from jinja2 import pass_context
from markupsafe import escape
from pelican.contents import Article, Content, Page
from relais.plugins.core import escaping, favicon
from relais.plugins.core.config import config
from relais.plugins.core.members import Members

from relais import tracking
from relais.i18n import bcp47, human_date
from relais.templates import bytecode_cache


def check_settings(pelican):
    """Fill in defaults and stop the build on a wrong value, before any file is read."""
    settings = pelican.settings
    config(settings)
    # every Jinja environment made from the settings escapes by default (see escaping.py)
    options = {**(settings.get("JINJA_ENVIRONMENT") or {}), "autoescape": True}
    if "bytecode_cache" not in options:  # templates compiled once, not once per generator
        options["bytecode_cache"] = bytecode_cache(options)
    settings["JINJA_ENVIRONMENT"] = options


def autoescape_templates(generator):
    """Every template escapes what is not Markup; the owner's posts arrive as Markup.

    Also connected by the plugins that show foreign data (blogroll, mentions), so that
    a site using one of them without this plugin is just as safe.
    """
    escaping.install(generator.env, generator.context, Content,
                     escaping.trusted_fields(generator.settings))


def quick_membership(generator) -> None:
    """For article_generator_finalized: each tag's, category's and author's posts as a
    `Members` list (the same list; `in` looks the post up in a set: members.py), in the
    generator and in its context, before Pelican writes their pages."""
    for tag in generator.tags:
        generator.tags[tag] = Members(generator.tags[tag])
    generator.context["tags"] = list(generator.tags.items())
    for name in ("categories", "authors"):  # lists of (entry, posts), the context's own too
        entries = getattr(generator, name)
        entries[:] = [(entry, Members(posts)) for entry, posts in entries]


def remember_slugs(_pelican=None) -> None:
    """Pelican makes a new Tag, Category or Author for each post that names one, and each
    works its slug out with `slugify` (Unicode folding, then the settings' substitutions:
    30 to 70 µs): 2,400 times a build on the bench site's 2,000 stories, for about 40 names.
    The slugs Pelican's URL wrappers ask for are remembered, by everything `slugify` is
    given (the substitutions too): the same slugs, once per process."""
    if not getattr(pelican.urlwrappers.slugify, "relais_remembering", False):
        pelican.urlwrappers.slugify = remembering(pelican.urlwrappers.slugify)


def remembering(slugify, most: int = 10_000):
    """`slugify`, each answer remembered (at most `most` of them, then afresh)."""
    found: dict[tuple, str] = {}

    @functools.wraps(slugify)
    def remembered(value, regex_subs=(), preserve_case=False, use_unicode=False):
        try:
            key = (type(value), value, tuple(tuple(sub) for sub in regex_subs), preserve_case,
                   use_unicode)
            slug = found.get(key)
        except TypeError:  # something unhashable: asked as it is
            return slugify(value, regex_subs=regex_subs, preserve_case=preserve_case,
                           use_unicode=use_unicode)
        if slug is None:
            if len(found) >= most:
                found.clear()
            slug = found[key] = slugify(value, regex_subs=regex_subs,
                                        preserve_case=preserve_case, use_unicode=use_unicode)
        return slug

    remembered.relais_remembering = True
    return remembered


# where settle_urls keeps a post's settled save_as (an attribute Pelican gives no meaning)
SAVE_AS = "_relais_save_as"


def settle_urls(generators) -> None:
    """Each post's and page's address worked out once, when every generator has finished.

    Pelican computes `url` again from the settings at every use (a template reads it for
    every list, series and link the post appears in: dozens of times per post, each a
    date formatting and a settings lookup). Once the generators are done nothing changes
    a post's slug, date, language or category, so the address is kept where Pelican keeps
    the one a post's `url:` field gives (`override_url`), with the same value.

    The file it is written to (`save_as`: asked again by Pelican's writing loop and by the
    plugins) is remembered too, but not as `override_save_as`: Pelican writes a post that
    has one as overriding any other page written to the same file, where two things written
    to one file must stop the build. It is kept apart, answered by Pelican's `save_as`
    (`remember_save_as`) while the post has no `override_save_as` of its own.
    """
    if not generators:
        return
    remember_save_as()
    for item in (generators[0].context.get("generated_content") or {}).values():
        if item is None:
            continue
        url, save_as = hasattr(item, "override_url"), hasattr(item, "override_save_as")
        if url and save_as:
            continue
        found = url_and_save_as(item)
        if not url:
            item.override_url = found[0]
        if not save_as:
            vars(item)[SAVE_AS] = found[1]


def url_and_save_as(item) -> tuple[str, str]:
    """The post's `url` and `save_as` as Pelican works them out (`get_url_setting`: the
    `{KIND}_[LANG_]URL` and `..._SAVE_AS` settings filled with its `url_format`), with one
    `url_format` for both (a copy of the metadata, a relative path, the slugs: the most of
    it). A kind of post whose settings' names are not known here is asked each."""
    kind = type(item)
    name_of = _SETTINGS_NAME.get(kind._expand_settings)
    if name_of is None or kind.url_format is not _URL_FORMAT:
        return _worked_out(item, "url"), _worked_out(item, "save_as")
    values = item.url_format
    prefix = f"{name_of(item)}_{'' if item.in_default_lang else 'lang_'}".upper()
    return (str(item.settings[prefix + "URL"]).format(**values),
            str(item.settings[prefix + "SAVE_AS"]).format(**values))


# The first part of the settings' names Pelican's `_expand_settings` of each kind reads
# (`ARTICLE_URL`, `DRAFT_LANG_SAVE_AS`, `PAGE_URL`, `DRAFT_PAGE_URL`...)
_SETTINGS_NAME = {
    Content._expand_settings: lambda item: type(item).__name__,
    Article._expand_settings: lambda item: "draft" if item.status == "draft" else "article",
    Page._expand_settings:
        lambda item: "draft_page" if item.status == "draft" else type(item).__name__,
}
_URL_FORMAT = vars(Content)["url_format"]


# Pelican's own `Content.get_url_setting` (`url` and `save_as` from the settings, or a post's
# `override_url`/`override_save_as`)
_worked_out = getattr(Content.get_url_setting, "__wrapped__", Content.get_url_setting)


def _kept_url_setting(item, key: str) -> str:
    if key == "save_as":
        attributes = vars(item)
        found = attributes.get(SAVE_AS)
        if found is not None and "override_save_as" not in attributes:
            return found
    return _worked_out(item, key)


_kept_url_setting.__wrapped__ = _worked_out


def remember_save_as() -> None:
    """Make Pelican's `save_as` (its property asks `get_url_setting`) answer from the value
    `settle_urls` kept, if any: done once per process; a post or page without one, or with
    an `override_save_as`, is answered as before. The property itself stays Pelican's (the
    page cache knows it reads only fields of a post)."""
    if Content.get_url_setting is not _kept_url_setting:
        Content.get_url_setting = _kept_url_setting


def page_language(context) -> str:
    """The language of what is being rendered: a page written by a plugin says so with a `lang`
    variable; otherwise the article's, the page's or the series', else the site's.

    Remembered on the render's context: `_()` asks for it for every string. Looked up
    past the page cache's hooks: the page itself reads what gives its language, and a
    piece made once for many pages (`macros_for`, `once`) has its language in its key; were
    the lookups noted there, every page using the piece would count as reading the post of
    the page that happened to make it first.
    """
    lang = getattr(context, "_relais_lang", None)
    if lang is None:
        lang = untracked(context, "lang")
        if not isinstance(lang, str) or not lang:
            lang = untracked(context, "DEFAULT_LANG", "en")
            for name in ("article", "page", "series"):
                found = getattr(untracked(context, name), "lang", None)
                if found:
                    lang = found
                    break
        context._relais_lang = lang
    return lang


def untracked(context, name: str, default=None):
    """A name of a render's context as Jinja resolves it, without the page cache noting it."""
    if name in context.vars:
        return context.vars[name]
    return context.parent.get(name, default)


def install_template_tools(generator):
    site = config(generator.settings).site
    generator.context["AUTHOR_CARD"] = site.owner.as_dict()
    generator.context["FAVICON"] = favicon.favicon_name(site.owner.photo,
                                                        Path(generator.settings["PATH"]))

    rendered = {}  # once(): (macro, post, prefix, language) -> HTML, for this generator's build
    modules = {}  # macros_for(): (file, prefix, language) -> module

    @pass_context
    def gettext(context, text):
        lang = page_language(context)
        return site.catalogs.markup(lang, text) if site.catalogs else escape(text)

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
            with tracking.reading() as reads:  # what it read counts for every page that uses it
                rendered[key] = (macro(post) if post is not None else macro(), reads)
        html, reads = rendered[key]
        tracking.replay(reads)
        return html

    @pass_context
    def macros_for(context, name):
        """A macro file's module, made once per site prefix and language for the whole build.

        `{% import ... with context %}` runs the file again on every page; the
        theme's macro files depend only on the settings, SITEURL and the language
        (everything else comes in through their arguments), so one module serves.
        """
        key = (name, context.get("SITEURL"), page_language(context))
        if key not in modules:
            with tracking.reading() as reads:
                modules[key] = (generator.env.get_template(name).make_module(context.get_all()),
                                reads)
        module, reads = modules[key]
        tracking.replay(reads)
        return module

    # these take text (macros_for: a file name), never a post: the page cache
    # (relais.pagecache) need not look at what they are given
    for function in (gettext, current_lang, localized_date, macros_for):
        function.reads_no_posts = True
    # once() reads nothing of the post it is given: it hands it to a theme macro, whose
    # lookups (post.title, post.content...) the page cache notes while the piece is made and
    # replays in every page using it. Counting the post as read whole here would make every
    # list showing it depend on its text too (a list page made again for a body edit).
    once.passes_posts_to_macros = True
    generator.env.globals.update(
        _=gettext, current_lang=current_lang, once=once, macros_for=macros_for
    )
    generator.env.filters["human_date"] = localized_date
    generator.env.filters["bcp47"] = bcp47
    generator.env.filters["author_card"] = author_cards(site)


def author_cards(site):
    """The `author_card` filter: a Pelican author as the card the theme credits, its `url`
    absolute or a path from the site root ("" is the home page)."""

    def author_card(author) -> dict:
        card = site.card_for(author.name, author.url).as_dict()
        url = card["url"]
        if url and not url.startswith(("http://", "https://", "/")):
            card["url"] = "/" + url
        return card

    return author_card


def write_favicon(pelican):
    """The site's icon (core/favicon.py), unless the site publishes its own under that name."""
    owner = config(pelican.settings).site.owner
    name, data = favicon.favicon(owner.photo, Path(pelican.settings["PATH"]),
                                 owner.name or str(pelican.settings.get("SITENAME") or ""))
    target = Path(pelican.output_path) / name
    if not target.exists():
        target.write_bytes(data)
