"""What the other plugins know, read through their own functions: the blogroll (and what its
refresh stored), received and sent Webmentions, the collaborators credited in her stories.

The only module of the relays that talks to other plugins; every value leaves it as the
plain data `gather` takes. No network, no Pelican.

Stories are read from the content folder with the parser the build uses for their
metadata (Python-Markdown's `meta` extension, as Pelican's Markdown reader) and the
maker_stories plugin's own `read_facts` for the Collaborators field; their URL is
formed from `ARTICLE_URL` / `ARTICLE_LANG_URL` as Pelican forms it (date, slug, lang).
Only Markdown posts are read (`relais new` writes Markdown).
"""

from __future__ import annotations

import logging
import statistics
from datetime import datetime

import markdown
from relais.plugins.blogroll import site as blogroll_site
from relais.plugins.blogroll.config import config as blogroll_config
from relais.plugins.blogroll.model import Creator as BlogrollCreator
from relais.plugins.maker_stories.config import config as stories_config
from relais.plugins.maker_stories.facts import read_facts, split_status
from relais.plugins.relays.config import Config, slug
from relais.plugins.relays.gather import Creator, Sent, Sources, Story
from relais.plugins.webmentions import sentlog
from relais.plugins.webmentions.config import config as webmentions_config
from relais.plugins.webmentions.incoming.archive import load as load_archive
from relais.plugins.webmentions.journal import read_raw
from relais.plugins.webmentions.outcome import SENT

from relais.store import StoreError

log = logging.getLogger(__name__)
HIDDEN = ("draft", "hidden", "skip")


class SourceProblem(Exception):
    """A source file exists but cannot be read; one line naming it."""


def _dates(entries: list[dict]) -> list[datetime]:
    found = []
    for entry in entries:
        try:
            found.append(datetime.fromisoformat(entry["date"]))
        except (KeyError, TypeError, ValueError):
            continue
    return sorted(set(found), reverse=True)


def _creator(creator: BlogrollCreator, state: dict, evidence) -> Creator:
    entries = state.get("entries") or []
    dates = _dates(entries)
    gaps = [(a - b).days for a, b in zip(dates, dates[1:], strict=False)]
    by_url = {e.get("url"): e for e in entries}
    card = state.get("card") or {}
    return Creator(
        name=creator.name,
        site=creator.site,
        rel=list(creator.rel),
        card={k: card.get(k) for k in ("name", "url", "photo", "note") if card.get(k)},
        lists_me=list(evidence.lists_us),
        links_to_me=[
            {**link, "date": (by_url.get(link["entry"]) or {}).get("date"),
             "title": (by_url.get(link["entry"]) or {}).get("title") or ""}
            for link in evidence.links_to_us
        ],
        last_post=dates[0].isoformat() if dates else None,
        rhythm_days=round(statistics.median(gaps), 1) if gaps else None,
        posts=len(entries),
        seen=state.get("last_success"),
    )


def blogroll(settings: dict) -> tuple[list[Creator], dict[str, dict]]:
    """Her blogroll as gather takes it, and the refresh's stored state of each creator
    (by site), which the two-hop reach reads."""
    blogroll_cfg = blogroll_config(settings)
    try:
        creators = blogroll_site.read_blogroll(blogroll_cfg)
    except blogroll_site.BlogrollProblems as error:
        raise SourceProblem("; ".join(error.lines)) from None
    states = blogroll_site.read_states(blogroll_cfg, creators)
    view = blogroll_site.view_for(blogroll_cfg, creators, states)
    evidence = {m.site: m.evidence for m in view.members}
    return (
        [_creator(c, states.get(c.key) or {}, evidence[c.site]) for c in creators],
        {c.site: states.get(c.key) or {} for c in creators},
    )


def received(settings: dict) -> list[dict]:
    """Every received mention, whole (type, date, author, title): the archive as the
    webmentions plugin loads it (`webmentions.api.received_sources` gives sources only)."""
    try:
        archive = load_archive(webmentions_config(settings).archive)
    except StoreError as error:
        raise SourceProblem(str(error)) from None
    return sorted(archive.mentions.values(), key=lambda m: (m.get("published") or "", m["source"]))


def sent(settings: dict) -> list[Sent]:
    """Every pair of the sent log with its status and date, read as `webmentions.api` reads
    it (the journal of a killed run replayed)."""
    path = webmentions_config(settings).sent_log
    try:
        sent_log = sentlog.check(read_raw(path), str(path))
    except (StoreError, ValueError) as error:
        raise SourceProblem(str(error)) from None
    return [
        Sent(source, target, record.get("status") == SENT, record.get("last_try"))
        for source, entry in sorted(sent_log["sources"].items())
        for target, record in sorted(entry["targets"].items())
        if record.get("linked", True) and record.get("status")
    ]


def _metadata(text: str) -> dict[str, str]:
    """A post's metadata as Pelican's Markdown reader gets it: the `meta` extension."""
    reader = markdown.Markdown(extensions=["markdown.extensions.meta"])
    reader.convert(text.partition("\n\n")[0])  # the metadata block is all `meta` reads
    return {key: " ".join(lines).strip() for key, lines in reader.Meta.items()}


def _story_url(config: Config, meta: dict, when: datetime | None) -> str:
    lang = meta.get("lang") or config.default_lang
    pattern = config.article_url if lang == config.default_lang else config.article_lang_url
    try:
        path = pattern.format(slug=meta.get("slug") or slug(meta.get("title", "")), lang=lang,
                              date=when, category=slug(meta.get("category", "")))
    except (AttributeError, KeyError, IndexError, ValueError):
        return ""
    base = config.own_urls[0] if config.own_urls else ""
    return base.rstrip("/") + "/" + path if base else path


def stories(settings: dict, config: Config) -> list[Story]:
    """Her stories that credit collaborators (drafts and hidden posts left out)."""
    notes_category = stories_config(settings).notes_category
    found: dict[str, Story] = {}
    for folder in config.article_paths:
        for path in sorted((config.content / folder).rglob("*.md")):
            meta = _metadata(path.read_text(encoding="utf-8", errors="replace"))
            split_status(meta)
            if meta.get("status", "").lower() in HIDDEN or not meta.get("collaborators"):
                continue
            facts, _ = read_facts(meta, category=meta.get("category"),
                                  notes_category=notes_category,
                                  file_exists=lambda _: True)
            try:
                when = datetime.fromisoformat(meta.get("date", ""))
            except ValueError:
                when = None
            key = meta.get("slug") or slug(meta.get("title", ""))
            translation = (meta.get("lang") or config.default_lang) != config.default_lang
            if translation and key in found:
                continue  # one story, credited once: the original language's version
            found[key] = Story(
                title=meta.get("title", path.stem),
                url=_story_url(config, meta, when),
                date=when.date().isoformat() if when else meta.get("date", ""),
                series=facts.series or "",
                collaborators=[(c.name, c.url) for c in facts.collaborators],
            )
    return sorted(found.values(), key=lambda s: (s.date, s.url))


def all_sources(settings: dict, config: Config) -> tuple[Sources, dict[str, dict]]:
    """Every source, and the blogroll's stored states by site."""
    creators, states = blogroll(settings)
    return Sources(creators, received(settings), sent(settings), stories(settings, config)), states


def post_url(config: Config, path) -> str:
    """The public URL of one of her posts (a file under the content folder)."""
    meta = _metadata(path.read_text(encoding="utf-8"))
    try:
        when = datetime.fromisoformat(meta.get("date", ""))
    except ValueError:
        when = None
    return _story_url(config, meta, when)


def discovered(settings: dict, url: str) -> tuple[str, str, list[str], list[str]] | None:
    """A candidate of `relais discover` (from what its last run stored, offline): name, site,
    who among her blogroll lists them, and the terms they share with her."""
    from relais.plugins.blogroll.discover import discover
    from relais.plugins.blogroll.model import belongs_to

    cfg = blogroll_config(settings)
    creators = blogroll_site.read_blogroll(cfg)
    states = blogroll_site.read_states(cfg, creators)
    result = discover(
        creators, states, cfg.data, content=cfg.content_path, article_paths=list(cfg.article_paths),
        own_urls=list(cfg.own_urls), received=[], depth=3, offline=True,
        weights=dict(cfg.discover_weights), inactive_months=cfg.inactive_months)
    for ranked in result.ranked:
        if belongs_to(url, ranked.candidate.site):
            candidate = ranked.candidate
            return (candidate.name, candidate.site, [li.name for li in candidate.listers],
                    ranked.shared_terms)
    return None
