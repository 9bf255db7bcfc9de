"""The blogroll as one site has it: its file, its data folder, who "we" are, the stored
states and the view the templates and the CLI share. No Pelican, no network."""

from __future__ import annotations

import logging
from pathlib import Path

from relais.plugins.blogroll.cache import NOTIFIED, load_state
from relais.plugins.blogroll.model import BlogrollError, Creator, load_blogroll
from relais.plugins.blogroll.reciprocity import received_mentions, sent_targets
from relais.plugins.blogroll.render import BlogrollView, build_view

from relais.problems import ProblemLines
from relais.settings import data_path, project_root

log = logging.getLogger(__name__)


class BlogrollProblems(ProblemLines):
    """The blogroll file has problems; `lines` are shown one per line by the build."""


def data_dir(settings) -> Path:
    return data_path(settings, "BLOGROLL_DATA")


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
