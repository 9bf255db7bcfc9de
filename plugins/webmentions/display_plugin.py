"""Pelican glue for received webmentions: give each post its conversation, copy avatars.

The work is in `relais.plugins.webmentions.incoming.display` (pure). This reads
and groups the archive once per build, sets `.mentions`
(a Conversation; empty when nobody wrote yet) on every article, page and
translation, and copies the avatars those conversations use into the
output. Nothing here touches the network.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from pelican import signals
from relais.plugins.webmentions.incoming import settings as incoming_settings
from relais.plugins.webmentions.incoming.archive import ArchiveError, load
from relais.plugins.webmentions.incoming.avatars import AvatarShelf
from relais.plugins.webmentions.incoming.display import Conversation, conversations, target_path

from relais.problems import ProblemLines
from relais.settings import data_path

# What one build computed, kept in its own settings dict (so that it dies with the build,
# even one that stops half-way): the conversations by target path, and the avatar shelf.
STATE = "_relais_received_mentions"


class ArchiveProblem(ProblemLines):
    """The mentions archive cannot be read; the build stops with one line (nothing is written)."""

    def __init__(self, line: str):
        super().__init__([line])


def register():
    signals.article_generator_finalized.connect(attach_mentions)
    signals.page_generator_finalized.connect(attach_mentions)
    signals.finalized.connect(copy_avatars)


def archive_path(settings: dict) -> Path:
    return data_path(settings, "WEBMENTIONS_ARCHIVE")


def _site_path(settings: dict, url: str) -> str:
    """The path a post's URL has on the live site ('/2026/slug/'), SITEURL's own path included."""
    prefix = urlsplit(settings.get("SITEURL") or "").path.rstrip("/")
    return target_path(f"{prefix}/{url.lstrip('/')}")


def _aliases(item) -> list[str]:
    raw = item.metadata.get("aliases") or ""
    values = raw if isinstance(raw, list) else str(raw).replace(";", ",").split(",")
    return [target_path(v.strip()) for v in values if v.strip()]


def attach_mentions(generator):
    settings = generator.settings
    incoming_settings_apply(settings)
    if STATE not in settings:  # read and grouped once per build (articles, then pages)
        settings[STATE] = group(settings)
    found, _shelf = settings[STATE]
    siteurl = settings.get("SITEURL") or ""
    absolute = siteurl.startswith(("http://", "https://"))
    items = [*getattr(generator, "articles", ()), *getattr(generator, "pages", ()),
             *generator.translations]
    for item in items:
        conversation = found.get(_site_path(settings, item.url)) or Conversation()
        for alias in _aliases(item):  # mentions of its old addresses count too
            if alias in found:
                conversation = conversation.merged(found[alias])
        item.mentions = conversation
        # the page's public address, for the invitation's form (None while SITEURL is relative)
        item.webmention_target = f"{siteurl.rstrip('/')}/{item.url}" if absolute else None


def group(settings: dict) -> tuple[dict[str, Conversation], AvatarShelf]:
    """Every conversation of the site, keyed by the path of its target; the avatars used."""
    path = archive_path(settings)
    try:
        archive = load(path)
    except ArchiveError as error:
        raise ArchiveProblem(f"{error} (WEBMENTIONS_ARCHIVE)") from error
    shelf = AvatarShelf(path.parent / "avatars")
    return conversations(
        archive.mentions.values(),
        domains=incoming_settings.site_domains(settings),
        show_types=settings["WEBMENTIONS_SHOW_TYPES"],
        blocked=settings["WEBMENTIONS_BLOCKLIST"],
        max_length=settings["WEBMENTIONS_MAX_REPLY_LENGTH"],
        avatar_of=shelf,
    ), shelf


def incoming_settings_apply(settings: dict) -> None:
    """Defaults and checks (the core plugin does it too; this keeps the plugin usable alone)."""
    from relais.settings import apply

    apply(settings, incoming_settings.NAMES)


def copy_avatars(pelican):
    state = pelican.settings.pop(STATE, None)
    if state is not None:
        state[1].copy_to(Path(pelican.settings["OUTPUT_PATH"]))
