"""Pelican glue for received webmentions: give each post its conversation, copy avatars.

The work is in `plugins.webmentions.incoming.display` (pure). This reads
and groups the archive once per build, sets `.mentions`
(a Conversation; empty when nobody wrote yet) on every article, page and
translation, and copies the avatars those conversations use into the
output. Nothing here touches the network.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from pelican import signals

from plugins.webmentions.incoming import settings as incoming_settings
from plugins.webmentions.incoming.archive import ArchiveError, load
from plugins.webmentions.incoming.avatars import AvatarShelf
from plugins.webmentions.incoming.display import Conversation, conversations, target_path

_shelves: dict[int, AvatarShelf] = {}
_found: dict[int, dict[str, Conversation]] = {}  # per build: conversations by target path


class ArchiveProblem(Exception):
    """The mentions archive cannot be read; the build stops with one line (nothing is written)."""

    def __init__(self, line: str):
        self.lines = [line]
        super().__init__(line)


def register():
    signals.article_generator_finalized.connect(attach_mentions)
    signals.page_generator_finalized.connect(attach_mentions)
    signals.finalized.connect(copy_avatars)


def archive_path(settings: dict) -> Path:
    path = Path(settings["WEBMENTIONS_ARCHIVE"])
    return path if path.is_absolute() else Path(settings["PATH"]).parent / path


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
    if id(settings) not in _found:  # read and grouped once per build (articles, then pages)
        _found[id(settings)] = group(settings)
    found = _found[id(settings)]
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


def group(settings: dict) -> dict[str, Conversation]:
    """Every conversation of the site, keyed by the path of its target."""
    path = archive_path(settings)
    try:
        archive = load(path)
    except ArchiveError as error:
        raise ArchiveProblem(f"{error} (WEBMENTIONS_ARCHIVE)") from error
    shelf = _shelves.setdefault(id(settings), AvatarShelf(path.parent / "avatars"))
    return conversations(
        archive.mentions.values(),
        domains=incoming_settings.site_domains(settings),
        show_types=settings["WEBMENTIONS_SHOW_TYPES"],
        blocked=settings["WEBMENTIONS_BLOCKLIST"],
        max_length=settings["WEBMENTIONS_MAX_REPLY_LENGTH"],
        avatar_of=shelf,
    )


def incoming_settings_apply(settings: dict) -> None:
    """Defaults and checks (the core plugin does it too; this keeps the plugin usable alone)."""
    from plugins.settings import apply

    apply(settings, incoming_settings.NAMES)


def copy_avatars(pelican):
    _found.pop(id(pelican.settings), None)
    shelf = _shelves.pop(id(pelican.settings), None)
    if shelf is not None:
        shelf.copy_to(Path(pelican.settings["OUTPUT_PATH"]))
