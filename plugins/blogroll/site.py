"""The blogroll as one site has it: its file, the stored states and the view the templates
and the CLI share. No Pelican, no network; everything it knows comes from the Config."""

from __future__ import annotations

import logging

from relais.plugins.blogroll.cache import NOTIFIED, load_state
from relais.plugins.blogroll.config import Config
from relais.plugins.blogroll.model import BlogrollError, Creator, load_blogroll
from relais.plugins.blogroll.reciprocity import received_mentions, sent_targets
from relais.plugins.blogroll.render import BlogrollView, build_view

from relais.problems import ProblemLines

log = logging.getLogger(__name__)


class BlogrollProblems(ProblemLines):
    """The blogroll file has problems; `lines` are shown one per line by the build."""


def read_blogroll(config: Config) -> list[Creator]:
    """The creators of the blogroll file; none when the site has no such file."""
    try:
        return load_blogroll(config.file, config.file_shown)
    except BlogrollError as error:
        raise BlogrollProblems(error.lines) from None


def read_states(config: Config, creators: list[Creator]) -> dict[str, dict]:
    states = {}
    for creator in creators:
        state, problem = load_state(config.data, creator.key, creator.site)
        if problem:
            log.warning("blogroll: %s", problem)
        if state.get("avatar") and not (config.data / state["avatar"]).is_file():
            state["avatar"] = ""  # never point at a picture that is not there
        states[creator.key] = state
    return states


def view_for(config: Config, creators: list[Creator], states: dict[str, dict]) -> BlogrollView:
    webmentions = config.root / "data" / "webmentions"
    return build_view(
        creators,
        states,
        inactive_months=config.inactive_months,
        recent_count=config.recent_count,
        own_urls=list(config.own_urls),
        received=received_mentions(webmentions / "received.json"),
        sent=sent_targets(webmentions / "sent.json") + sent_targets(config.data / NOTIFIED),
    )
