"""Pelican glue for outgoing Webmentions: what each built post links to, and tombstones.

Offline, like every build: it reads the committed sent log but never the
network. After the build it keeps, for `relais mentions send` and `relais
publish`, the list of posts (source URL, content hash, targets, file), and
it writes a tombstone page (`410 Gone`) at the file of every post the sent
log knows that this build no longer produces, build after build, so that
receivers re-fetching the source learn that the post was deleted.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

from pelican import signals
from relais.plugins.webmentions import sentlog
from relais.plugins.webmentions.targets import content_hash, post_targets

from relais.settings import Setting, data_path, declare, is_bool, is_int, is_text, is_text_list
from relais.store import read_json

SETTINGS = (
    Setting("WEBMENTIONS_SENT_LOG", "data/webmentions/sent.json", is_text,
            "The sent log, relative to the folder that holds `content/`; committed to git.",
            kind="data_path"),
    Setting("WEBMENTIONS_EXCLUDE", [], is_text_list,
            "Hosts (`example.com`, subdomains included) or URL prefixes never sent Webmentions."),
    Setting("WEBMENTIONS_INCLUDE_MEDIA", False, is_bool,
            "Also send Webmentions to the URLs of images, audio and video in posts."),
    Setting("WEBMENTIONS_MAX_TRIES", 5, is_int(1, 100),
            "Runs in a row a pair or a host may fail (5xx, network) before it is given up."),
    Setting("WEBMENTIONS_RETRY_DELAY", 3600, is_int(0),
            "Seconds before retrying a pair or host that failed; doubles after each failure."),
    Setting("WEBMENTIONS_TOMBSTONES", True, is_bool,
            "Write a `410 Gone` page where a post the sent log knows was deleted."),
)
declare(*SETTINGS)

METADATA_KINDS = ("in-reply-to", "like-of", "repost-of", "bookmark-of")
PUBLISHED_LISTS = ("articles", "translations", "pages")


@dataclass
class BuildResult:
    """What one build owes: its posts, the sources it tombstoned, the site URL it was built for."""

    site_url: str
    log_path: Path
    posts: list[sentlog.Post] = field(default_factory=list)
    gone: set[str] = field(default_factory=set)


LAST_BUILD: dict[str, BuildResult] = {}  # by absolute output path; read by the commands


def register():
    signals.all_generators_finalized.connect(remember_content)
    signals.finalized.connect(finish)


# every list a generator writes pages from: a hidden or draft page is no tombstone's place
WRITTEN_LISTS = PUBLISHED_LISTS + ("drafts", "drafts_translations", "hidden_articles",
                                   "hidden_translations", "hidden_pages", "draft_pages",
                                   "draft_translations")

_pending: dict[int, tuple[list, set[str]]] = {}


def remember_content(generators):
    if generators:
        items, written = [], set()
        for generator in generators:
            for name in PUBLISHED_LISTS:
                items.extend(getattr(generator, name, None) or ())
            for name in WRITTEN_LISTS:
                listed = getattr(generator, name, None) or ()
                written.update(getattr(item, "save_as", "") for item in listed)
        _pending[id(generators[0].settings)] = (items, written - {""})


def log_path(settings) -> Path:
    return data_path(settings, "WEBMENTIONS_SENT_LOG")


def metadata_urls(item) -> list[str]:
    """The reply/like/repost/bookmark URL and the collaborators' URLs of a post."""
    urls = []
    target = getattr(item, "target", None)
    if target is not None and getattr(target, "url", None):
        urls.append(target.url)
    else:
        urls.extend(str(item.metadata[key]).strip() for key in METADATA_KINDS
                    if item.metadata.get(key))
    urls.extend(c.url for c in getattr(item, "collaborators", None) or () if getattr(c, "url", ""))
    return urls


def describe(item, settings) -> sentlog.Post:
    site_url = settings.get("SITEURL") or ""
    content = item.content
    extra = metadata_urls(item)
    return sentlog.Post(
        source=f"{site_url.rstrip('/')}/{item.url}",
        hash=content_hash(content, extra),
        targets=post_targets(content, extra, site_url, settings["WEBMENTIONS_EXCLUDE"],
                             settings["WEBMENTIONS_INCLUDE_MEDIA"]),
        path=item.save_as,
    )


def finish(pelican):
    settings = pelican.settings
    items, written = _pending.pop(id(settings), ([], set()))
    seen, posts = set(), []
    for item in items:
        if id(item) not in seen and getattr(item, "save_as", None):
            seen.add(id(item))
            posts.append(describe(item, settings))
    result = BuildResult(settings.get("SITEURL") or "", log_path(settings), posts)
    if settings["WEBMENTIONS_TOMBSTONES"]:
        log = sentlog.check(read_json(result.log_path), str(result.log_path))
        result.gone = write_tombstones(log, written | {p.path for p in posts},
                                       Path(settings["OUTPUT_PATH"]),
                                       settings.get("DEFAULT_LANG", "en"))
    LAST_BUILD[str(Path(settings["OUTPUT_PATH"]).resolve())] = result


TOMBSTONE_TEXT = {
    "fr": ("Billet supprimé", "Ce billet a été supprimé par son autrice ou son auteur.",
           "Retour à l’accueil"),
    "en": ("Post deleted", "This post was deleted by its author.", "Back to the home page"),
}


def tombstone_html(source: str, lang: str) -> str:
    """A page that says 410 Gone the only way a static host lets us, and links to nothing else."""
    title, text, home = TOMBSTONE_TEXT.get(lang, TOMBSTONE_TEXT["en"])
    return (
        f'<!doctype html>\n<html lang="{html.escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta http-equiv="Status" content="410 Gone">\n'
        '<meta name="robots" content="noindex">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>410 Gone — {html.escape(title)}</title>\n</head>\n<body>\n"
        f'<main class="h-entry tombstone">\n<h1>{html.escape(title)}</h1>\n'
        f"<p>{html.escape(text)} (410 Gone)</p>\n"
        f'<p><a class="u-url" href="{html.escape(source)}">{html.escape(source)}</a></p>\n'
        f'<p><a href="/">{html.escape(home)}</a></p>\n</main>\n</body>\n</html>\n'
    )


def write_tombstones(log: dict, built_paths: set[str], output: Path, lang: str) -> set[str]:
    """Tombstone every logged source whose file this build does not write; returns them."""
    gone = set()
    root = output.resolve()
    for source, entry in sorted(log["sources"].items()):
        path = entry.get("path")
        if not path or path in built_paths:
            continue
        destination = (root / path).resolve()
        if root not in destination.parents:
            raise ValueError(f"sent log: sources.{source}.path {path!r} is outside the output")
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(tombstone_html(source, lang), encoding="utf-8")
        gone.add(source)
    return gone
