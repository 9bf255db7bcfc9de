"""Pelican glue: read the blogroll file and `data/blogroll/`, give the templates the view,
write the blogroll page (one per theme language), `/blogroll.opml`,
`/.well-known/recommendations.opml`, `/blogroll.json` and the local avatars.

Offline by design: the build only reads what `relais blogroll refresh` stored.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from plugins.blogroll import feed_link
from plugins.blogroll.cache import NOTIFIED, load_state
from plugins.blogroll.model import BlogrollError, Creator, load_blogroll
from plugins.blogroll.opml import write_opml
from plugins.blogroll.reciprocity import received_mentions, sent_targets
from plugins.blogroll.render import BlogrollView, blogroll_json, build_view
from plugins.problems import ProblemLines
from plugins.store import dumps

log = logging.getLogger(__name__)

OPML_FILES = ("blogroll.opml", ".well-known/recommendations.opml")
JSON_FILE = "blogroll.json"


class BlogrollProblems(ProblemLines):
    """The blogroll file has problems; `lines` are shown one per line by the build."""


def project_root(settings) -> Path:
    """The folder that holds `content/` (and `data/`)."""
    return Path(settings["PATH"]).resolve().parent


def data_dir(settings) -> Path:
    path = Path(settings["BLOGROLL_DATA"])
    return path if path.is_absolute() else project_root(settings) / path


def blogroll_file(settings) -> Path:
    return Path(settings["PATH"]) / settings["BLOGROLL_FILE"]


def own_urls(settings) -> list[str]:
    """The addresses that are "us": an absolute SITEURL and BLOGROLL_OWN_URLS."""
    site = settings.get("SITEURL") or ""
    urls = [site] if site.startswith(("http://", "https://")) else []
    return urls + list(settings.get("BLOGROLL_OWN_URLS") or [])


def read_blogroll(settings) -> list[Creator]:
    path = blogroll_file(settings)
    where = f"{Path(settings['PATH']).name}/{settings['BLOGROLL_FILE']}"
    try:
        return load_blogroll(path, where)
    except BlogrollError as error:
        raise BlogrollProblems(error.lines) from None


def read_states(settings, creators: list[Creator]) -> dict[str, dict]:
    states = {}
    for creator in creators:
        state, problem = load_state(data_dir(settings), creator.key, creator.site)
        if problem:
            log.warning("blogroll: %s", problem)
        if state.get("avatar") and not (data_dir(settings) / state["avatar"]).is_file():
            state["avatar"] = ""  # never point at a picture that is not there
        states[creator.key] = state
    return states


def view_for(settings, creators: list[Creator], states: dict[str, dict]) -> BlogrollView:
    webmentions = project_root(settings) / "data" / "webmentions"
    return build_view(
        creators,
        states,
        inactive_months=settings["BLOGROLL_INACTIVE_MONTHS"],
        recent_count=settings["BLOGROLL_RECENT_COUNT"],
        own_urls=own_urls(settings),
        received=received_mentions(webmentions / "received.json"),
        sent=sent_targets(webmentions / "sent.json") + sent_targets(data_dir(settings) / NOTIFIED),
    )


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
