"""Pelican glue: read the blogroll file and `data/blogroll/`, give the templates the view,
write the blogroll page (one per theme language), `/blogroll.opml`,
`/.well-known/recommendations.opml`, `/blogroll.json` and the local avatars.

Offline by design: the build only reads what `relais blogroll refresh` stored.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from relais.plugins.blogroll import feed_link
from relais.plugins.blogroll.model import Creator
from relais.plugins.blogroll.opml import write_opml
from relais.plugins.blogroll.render import blogroll_json
from relais.plugins.blogroll.site import data_dir, read_blogroll, read_states, view_for

from relais.store import dumps

log = logging.getLogger(__name__)

OPML_FILES = ("blogroll.opml", ".well-known/recommendations.opml")
JSON_FILE = "blogroll.json"


def add_to_context(generators):
    """Every template sees `blogroll` (the view) and `blogroll_recent` (the widget's posts)."""
    if not generators:
        return
    settings = generators[0].settings
    creators = read_blogroll(settings)
    states = read_states(settings, creators)
    view = view_for(settings, creators, states)
    feed_link.install(settings, OPML_FILES[0])
    for generator in generators:
        generator.context.update(
            blogroll=view,
            blogroll_recent=view.recent,
            blogroll_creators=creators,
            blogroll_states=states,
            BLOGROLL_OPML_URL=OPML_FILES[0],
        )


def _languages(settings) -> list[str]:
    catalogs = settings.get("RELAIS_CATALOGS")
    others = [
        lang for lang in getattr(catalogs, "languages", []) if lang != settings["DEFAULT_LANG"]
    ]
    return [settings["DEFAULT_LANG"], *others]


def write_blogroll(generator, writer):
    """The page in each language of the theme, the OPML and JSON forms, the avatars."""
    settings = generator.settings
    context = generator.context
    if "blogroll" not in context:
        return
    output = Path(settings["OUTPUT_PATH"])
    template = generator.get_template("blogroll")
    default_lang = settings["DEFAULT_LANG"]
    for lang in _languages(settings):
        prefix = "" if lang == default_lang else f"{lang}/"
        writer.write_file(
            prefix + settings["BLOGROLL_SAVE_AS"],
            template,
            context,
            relative_urls=settings["RELATIVE_URLS"],
            url=prefix + settings["BLOGROLL_URL"],
            lang=lang,  # the page's language: what `_()` and current_lang() read
            blogroll_lang=lang,
            blogroll_translations=[
                (other, ("" if other == default_lang else f"{other}/") + settings["BLOGROLL_URL"])
                for other in _languages(settings)
                if other != lang
            ],
        )
    creators: list[Creator] = context["blogroll_creators"]
    states = context["blogroll_states"]
    feeds = {c.key: (states.get(c.key) or {}).get("feed", {}).get("url", "") for c in creators}
    site = (settings.get("SITEURL") or "") + "/"
    owner = settings["AUTHOR_CARD"].get("name") or settings.get("AUTHOR") or ""
    title = f"{settings['SITENAME']}: blogroll"
    document = write_opml(
        creators,
        feeds,
        title=title,
        owner_name=owner,
        owner_id=site if site.startswith("http") else "",
    )
    for name in OPML_FILES:
        (output / name).parent.mkdir(parents=True, exist_ok=True)
        (output / name).write_text(document, encoding="utf-8")
    (output / JSON_FILE).write_text(
        dumps(blogroll_json(creators, feeds, title=title, owner=owner, site=site)), encoding="utf-8"
    )
    avatars = [m.photo for m in context["blogroll"].members if m.photo]
    for photo in avatars:
        source = data_dir(settings) / photo.removeprefix("blogroll/")
        if source.is_file():
            target = output / photo
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
