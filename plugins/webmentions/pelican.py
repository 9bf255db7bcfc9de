"""Pelican glue of the Webmentions plugin: the only module that imports Pelican.

Offline, like every build. Outgoing: after the build it keeps, for `relais
mentions send` and `relais publish`, what the build owes (`owed`: each post's
source URL, content hash, targets and file) and it writes a tombstone page
(`410 Gone`) at the file of every post the sent log knows that this build no
longer produces, build after build, so that receivers re-fetching the source
learn that the post was deleted. Incoming: it reads and groups the archive of
received mentions once per build, sets `.mentions` (a Conversation; empty
when nobody wrote yet) on every article, page and translation, and copies the
avatars those conversations use into the output. Last, it lists the pages
of the finished site for the receiver (`incoming/manifest.py`).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from pelican import signals
from pelican.generators import ArticlesGenerator, PagesGenerator
from relais.plugins.core import autoescape_templates
from relais.plugins.fediverse.config import bridgy_fed
from relais.plugins.webmentions import owed, sentlog
from relais.plugins.webmentions.config import Config, config
from relais.plugins.webmentions.incoming.archive import ArchiveError, read_only
from relais.plugins.webmentions.incoming.avatars import AvatarShelf
from relais.plugins.webmentions.incoming.display import Conversation, conversations, target_path
from relais.plugins.webmentions.incoming.manifest import write_manifest
from relais.plugins.webmentions.journal import read_raw
from relais.plugins.webmentions.targets import content_hash, post_targets
from relais.plugins.webmentions.tombstones import tombstones

from relais import memo
from relais.problems import ProblemLines
from relais.templates import plugin_template, use_default_templates


def connect() -> None:
    signals.generator_init.connect(autoescape_templates)  # it shows foreign data: never unescaped
    signals.generator_init.connect(add_bridgy)
    signals.all_generators_finalized.connect(remember_content)
    signals.all_generators_finalized.connect(attach_mentions)
    signals.article_writer_finalized.connect(write_tombstones)
    signals.finalized.connect(finalize)


def finalize(pelican):
    """After the build, in this order: what it owes (and tombstones), the avatars, then the
    manifest of pages for the receiver, written last so that it lists every page written."""
    finish(pelican)
    copy_avatars(pelican)
    write_manifest(config(pelican.settings).output)


# --- outgoing: what the build owes, tombstones --------------------------------------------

METADATA_KINDS = ("in-reply-to", "like-of", "repost-of", "bookmark-of")
PUBLISHED_LISTS = ("articles", "translations", "pages")
# every list a generator writes pages from: a hidden or draft page is no tombstone's place
WRITTEN_LISTS = PUBLISHED_LISTS + ("drafts", "drafts_translations", "hidden_articles",
                                   "hidden_translations", "hidden_pages", "draft_pages",
                                   "draft_translations")
# the published items (with the file each is written to) and every written file of one build,
# kept in its settings until `finish`
PENDING = "_relais_webmentions_pending"
# the sources this build wrote a tombstone for, kept in its settings until `finish`
GONE = "_relais_webmentions_gone"


def remember_content(generators):
    if generators:
        items, written = [], set()
        for generator in generators:
            for name in WRITTEN_LISTS:
                listed = [(item, getattr(item, "save_as", "")) for item in
                          getattr(generator, name, None) or ()]
                written.update(path for _item, path in listed)
                if name in PUBLISHED_LISTS:
                    items.extend(listed)
        generators[0].settings[PENDING] = (items, written - {""})


def write_tombstones(generator, writer):
    """A `410 Gone` page, from the theme, at the file of every post the sent log knows that
    this build no longer writes (WEBMENTIONS_TOMBSTONES)."""
    settings = generator.settings
    cfg = config(settings)
    _, written = settings.get(PENDING, ([], set()))
    settings[GONE] = set()
    if not cfg.tombstones:
        return
    log = sentlog.check(read_raw(cfg.sent_log), str(cfg.sent_log))
    gone = tombstones(log, written, cfg.output, cfg.default_lang)
    if gone:
        use_default_templates(generator, __file__)
        template = plugin_template(generator, "tombstone", "the webmentions plugin's 410 page")
        for page in gone:
            writer.write_file(page.save_as, template, generator.context,
                              relative_urls=bool(settings.get("RELATIVE_URLS")),
                              page=page, lang=page.lang, url=page.url)
    settings[GONE] = {page.source for page in gone}


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


def describe(item, path: str, cfg: Config, known: memo.Table,
             more: frozenset = frozenset()) -> sentlog.Post:
    """A post's source, hash and targets (`path`: the file it is written to); `more` targets
    (Bridgy Fed) leave the hash alone, so adding them re-sends nothing to the others."""
    content = item.content
    extra = metadata_urls(item)
    digest, targets = known.get(memo.digest(content, extra), lambda: (
        content_hash(content, extra),
        post_targets(content, extra, cfg.site_url, cfg.exclude, cfg.include_media)))
    return sentlog.Post(source=f"{cfg.site_url.rstrip('/')}/{item.url}", hash=digest,
                        targets=targets | more, path=path)


def add_bridgy(generator) -> None:
    """BRIDGY_FED_TARGET for the theme: each post links it, as a Webmention's source must."""
    bridgy = bridgy_fed(generator.settings)
    generator.context["BRIDGY_FED_TARGET"] = bridgy.url if bridgy else None


def bridgy_targets(settings, item) -> frozenset:
    """Bridgy Fed, for a post it should hear of (FEDIVERSE_BRIDGY_FED, docs/fediverse.md)."""
    bridgy = bridgy_fed(settings)
    posted = getattr(item, "date", None)
    if bridgy is None or posted is None or not bridgy.wants(posted.date()):
        return frozenset()
    return frozenset([bridgy.url])


def finish(pelican):
    settings = pelican.settings
    cfg = config(settings)
    items, _ = settings.pop(PENDING, ([], set()))
    seen, posts = set(), []
    known = memo.Table(settings, "webmention-targets")  # each post's, by its text (relais build)
    for item, path in items:
        if id(item) not in seen and path:
            seen.add(id(item))
            posts.append(describe(item, path, cfg, known, bridgy_targets(settings, item)))
    known.save()
    result = owed.BuildResult(cfg.site_url, cfg.sent_log, posts)
    result.gone = settings.pop(GONE, set())
    owed.keep(settings, result)


# --- incoming: each post's conversation, the avatars ----------------------------------------

# What one build computed, kept in its own settings dict (so that it dies with the build,
# even one that stops half-way): the conversations by target path, and the avatar shelf.
STATE = "_relais_received_mentions"


class ArchiveProblem(ProblemLines):
    """The mentions archive cannot be read; the build stops with one line (nothing is written)."""

    def __init__(self, line: str):
        super().__init__([line])


def _site_path(cfg: Config, url: str) -> str:
    """The path a post's URL has on the live site ('/2026/slug/'), SITEURL's own path included."""
    prefix = urlsplit(cfg.site_url).path.rstrip("/")
    return target_path(f"{prefix}/{url.lstrip('/')}")


def _aliases(item) -> list[str]:
    raw = item.metadata.get("aliases") or ""
    values = raw if isinstance(raw, list) else str(raw).replace(";", ",").split(",")
    return [target_path(v.strip()) for v in values if v.strip()]


def attach_mentions(generators):
    """Each article's, page's and translation's conversation and public address.

    Once every generator is done: by then the core plugin (before this one in PLUGINS) has
    worked each post's address out for good (`settle_urls`), so it is not worked out here
    too."""
    if not generators:
        return
    settings = generators[0].settings
    cfg = config(settings)
    if STATE not in settings:  # read and grouped once per build
        avatars = cfg.archive.parent / "avatars"
        inputs = (memo.file_state(cfg.archive), memo.folder_state(avatars),
                  memo.file_state(avatars / "index.json"))
        settings[STATE] = memo.remembered(settings, "received-mentions", inputs,
                                          lambda: group(cfg))
    found, _shelf = settings[STATE]
    siteurl = cfg.site_url
    absolute = siteurl.startswith(("http://", "https://"))
    items = [item for generator in generators
             if isinstance(generator, ArticlesGenerator | PagesGenerator)
             for item in (*getattr(generator, "articles", ()), *getattr(generator, "pages", ()),
                          *generator.translations)]
    for item in items:
        conversation = found.get(_site_path(cfg, item.url)) or Conversation()
        for alias in _aliases(item):  # mentions of its old addresses count too
            if alias in found:
                conversation = conversation.merged(found[alias])
        item.mentions = conversation
        # the page's public address, for the invitation's form (None while SITEURL is relative)
        item.webmention_target = f"{siteurl.rstrip('/')}/{item.url}" if absolute else None


def group(cfg: Config) -> tuple[dict[str, Conversation], AvatarShelf]:
    """Every conversation of the site, keyed by the path of its target; the avatars used."""
    try:
        archive = read_only(cfg.archive)
    except ArchiveError as error:
        raise ArchiveProblem(f"{error} (WEBMENTIONS_ARCHIVE)") from error
    shelf = AvatarShelf(cfg.archive.parent / "avatars")
    return conversations(
        archive.mentions.values(),
        domains=list(cfg.domains),
        show_types=cfg.show_types,
        blocked=cfg.blocklist,
        max_length=cfg.max_reply_length,
        avatar_of=shelf,
    ), shelf


def copy_avatars(pelican):
    state = pelican.settings.pop(STATE, None)
    if state is not None:
        state[1].copy_to(config(pelican.settings).output)
