"""The blogroll as one site has it: its file, the stored states and the view the templates
and the CLI share. No Pelican, no network; everything it knows comes from the Config."""

from __future__ import annotations

import logging

from relais.plugins.blogroll.cache import NOTIFIED, load_state
from relais.plugins.blogroll.config import Config
from relais.plugins.blogroll.model import BlogrollError, Creator, load_blogroll
from relais.plugins.blogroll.reciprocity import notified_targets
from relais.plugins.blogroll.render import BlogrollView, build_view
from relais.plugins.webmentions import api as webmentions

from relais import avatar
from relais.problems import ProblemLines
from relais.store import StoreError

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
        if state.get("avatar") and not avatar.stored_ok(config.data / state["avatar"]):
            state["avatar"] = ""  # never point at a picture that is not there, or not ours
        states[creator.key] = state
    return states


def received(config: Config, read=None) -> list[dict]:
    """Who sent us webmentions, from the Webmentions plugin (none if its data is unreadable);
    `read()` reads them instead (the build's remembered copy)."""
    try:
        return read() if read else webmentions.received_sources(config.webmentions)
    except StoreError as error:
        log.warning("blogroll: reciprocity without received mentions: %s", error)
        return []


def sent(config: Config) -> list[str]:
    """Whom we told, confirmed: Webmentions sent, and --notify's log."""
    found = []
    for what, read in (("sent Webmentions", lambda: webmentions.sent_targets(config.webmentions)),
                       ("notifications", lambda: notified_targets(config.data / NOTIFIED))):
        try:
            found.extend(read())
        except StoreError as error:
            log.warning("blogroll: reciprocity without %s: %s", what, error)
    return found


def view_for(config: Config, creators: list[Creator], states: dict[str, dict],
             read_received=None) -> BlogrollView:
    return build_view(
        creators,
        states,
        inactive_months=config.inactive_months,
        recent_count=config.recent_count,
        own_urls=list(config.own_urls),
        received=received(config, read_received),
        sent=sent(config),
    )
