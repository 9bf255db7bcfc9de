"""Pelican glue: read the blogroll file and `data/blogroll/`, give the templates the view,
write the blogroll page (one per language the content uses), `/blogroll.opml`,
`/.well-known/recommendations.opml`, `/blogroll.json` and the local avatars. An empty
blogroll writes nothing and shows nothing.

Offline by design: the build only reads what `relais blogroll refresh` stored.
"""

from __future__ import annotations

import shutil

from relais.plugins.blogroll.config import config
from relais.plugins.blogroll.model import Creator
from relais.plugins.blogroll.opml import write_opml
from relais.plugins.blogroll.reciprocity import Received
from relais.plugins.blogroll.render import blogroll_json
from relais.plugins.blogroll.site import read_blogroll, read_states, view_for
from relais.plugins.webmentions import api as webmentions

from relais import memo, writing
from relais.signals import ChannelElement
from relais.store import dumps
from relais.templates import plugin_template, use_default_templates

OPML_FILES = ("blogroll.opml", ".well-known/recommendations.opml")
JSON_FILE = "blogroll.json"
SOURCE_NS = "http://source.scripting.com/"


def check_settings(pelican):
    config(pelican.settings)


def default_templates(generator):
    use_default_templates(generator, __file__)


def content_languages(generators, default_lang: str) -> list[str]:
    """The site's language first, then every other language a post or page is written in."""
    found = {item.lang for generator in generators
             for name in ("articles", "translations", "pages")
             for item in getattr(generator, name, None) or () if getattr(item, "lang", None)}
    return [default_lang, *sorted(found - {default_lang})]


def add_to_context(generators):
    """Every template sees `blogroll` (the view) and `blogroll_recent` (the widget's posts);
    with creators in it, also BLOGROLL_OPML_URL and the blogroll's languages."""
    if not generators:
        return
    settings = generators[0].settings
    cfg = config(settings)
    creators = read_blogroll(cfg)
    states = read_states(cfg, creators)
    archive = cfg.webmentions.archive  # who wrote to us: parsed once, kept for the next build

    def read_received():
        return memo.remembered(settings, "blogroll-received", (memo.file_state(archive),),
                               lambda: Received(webmentions.received_sources(cfg.webmentions)))

    view = view_for(cfg, creators, states, read_received)
    found = {"blogroll": view, "blogroll_recent": view.recent, "blogroll_creators": creators,
             "blogroll_states": states}
    if creators:
        found.update(BLOGROLL_OPML_URL=OPML_FILES[0],
                     blogroll_languages=content_languages(generators, cfg.site.lang))
    for generator in generators:
        generator.context.update(found)


def rss_channel(settings, context, base):
    """`<source:blogroll>` in every RSS channel, when this build has a blogroll to point at."""
    opml = context.get("BLOGROLL_OPML_URL")
    return ChannelElement(SOURCE_NS, "source", "blogroll", f"{base}/{opml}") if opml else None


def write_blogroll(generator, writer):
    """The page in each language of the content, the OPML and JSON forms, the avatars."""
    context = generator.context
    languages = context.get("blogroll_languages")
    if not languages:
        return
    cfg = config(generator.settings)
    template = plugin_template(generator, "blogroll", "the blogroll page")
    default_lang = cfg.site.lang

    def url_in(lang):
        return ("" if lang == default_lang else f"{lang}/") + cfg.url

    for lang in languages:
        prefix = "" if lang == default_lang else f"{lang}/"
        writer.write_file(
            prefix + cfg.save_as,
            template,
            context,
            relative_urls=cfg.relative_urls,
            url=url_in(lang),
            lang=lang,  # the page's language: what `_()` and current_lang() read
            blogroll_lang=lang,
            blogroll_translations=[(other, url_in(other)) for other in languages if other != lang],
        )
    if writing.is_helper():  # the files below are the build's own process's to write
        return
    creators: list[Creator] = context["blogroll_creators"]
    states = context["blogroll_states"]
    feeds = {c.key: (states.get(c.key) or {}).get("feed", {}).get("url", "") for c in creators}
    site = cfg.site.absolute_url + "/"
    owner = cfg.site.owner.name
    title = f"{cfg.site.name}: blogroll"
    document = write_opml(
        creators,
        feeds,
        title=title,
        owner_name=owner,
        owner_id=site if site.startswith("http") else "",
    )
    output = cfg.output_path
    for name in OPML_FILES:
        (output / name).parent.mkdir(parents=True, exist_ok=True)
        (output / name).write_text(document, encoding="utf-8")
    (output / JSON_FILE).write_text(
        dumps(blogroll_json(creators, feeds, title=title, owner=owner, site=site)), encoding="utf-8"
    )
    avatars = [m.photo for m in context["blogroll"].members if m.photo]
    for photo in avatars:
        source = cfg.data / photo.removeprefix("blogroll/")
        if source.is_file():
            target = output / photo
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
