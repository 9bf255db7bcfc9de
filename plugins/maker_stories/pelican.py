"""Pelican glue for maker_stories: read every post's facts, stop on problems, enrich, write."""

from __future__ import annotations

from pelican.utils import slugify
from relais.plugins.maker_stories.config import config
from relais.plugins.maker_stories.facts import (
    ANCHORS,
    StoryFacts,
    is_maker_story,
    path_exists_under,
    read_facts,
    reading_minutes,
    split_status,
)
from relais.plugins.maker_stories.pieces import contact_link, price_text
from relais.plugins.maker_stories.series import Series, group_series, in_language, navigation

from relais import memo
from relais.problems import report_for, shown_path
from relais.templates import plugin_template, use_default_templates

# every list of content a generator keeps, published or not
CONTENT_LISTS = (
    "articles", "translations", "drafts", "drafts_translations",
    "hidden_articles", "hidden_translations",
    "pages", "hidden_pages", "draft_pages", "hidden_translations", "draft_translations",
)


def check_settings(pelican):
    config(pelican.settings)


def default_templates(generator):
    use_default_templates(generator, __file__)
    contact = config(generator.settings).contact
    generator.env.filters["piece_contact"] = (
        lambda subject, url: contact_link(contact, str(subject), str(url)) if contact else "")
    generator.env.filters["price_text"] = price_text


def move_maker_status(generator, metadata):
    split_status(metadata)


def all_content(generators):
    seen = set()
    for generator in generators:
        for attribute in CONTENT_LISTS:
            for item in getattr(generator, attribute, None) or ():
                if id(item) not in seen:
                    seen.add(id(item))
                    yield item


def enrich_all(generators):
    """Validate every post, stop with all the content problems at once (the build's report
    holds those found before), then set the template facts."""
    if not generators:
        return
    settings = generators[0].settings
    cfg = config(settings)
    file_exists = path_exists_under(cfg.content_path)
    report = report_for(settings)

    def problem(item, field_name: str, message: str, needle: str | None = None) -> None:
        report.add(item.source_path, field_name, message, near=(ANCHORS.get(field_name),),
                   needle=needle)

    items = list(all_content(generators))
    facts_of: dict[int, StoryFacts] = {}
    for item in items:
        category = getattr(getattr(item, "category", None), "name", None)
        facts, found = read_facts(
            item.metadata,
            category=category,
            notes_category=cfg.notes_category,
            file_exists=file_exists,
        )
        for field_name, message, *line_text in found:
            problem(item, field_name, message, *line_text)
        if facts.piece and facts.piece.is_available and not cfg.contact:
            problem(item, "Availability" if "availability" in item.metadata else "Price",
                    "an available piece needs a way to ask for it: set PIECES_CONTACT (your "
                    "e-mail address or a contact form's URL) in the settings")
        facts_of[id(item)] = facts

    # Series are made of the original posts; a translation takes its original's place.
    originals = [item for generator in generators for item in getattr(generator, "articles", ())]
    members = [
        (item, facts_of[id(item)].series, facts_of[id(item)].part, item.lang)
        for item in sorted(originals, key=lambda post: post.source_path)
        if facts_of[id(item)].series
    ]
    all_series, duplicates = group_series(
        members, lambda name: slugify(name, regex_subs=cfg.slug_substitutions)
    )
    for item, part, holder in duplicates:
        problem(item, "Part", f"part {part} of '{facts_of[id(item)].series}' is already "
                f"taken by {shown_path(holder.source_path)}")
    report.stop()

    infos = {}
    for series in all_series:
        if series.lang != cfg.default_lang:
            series.slug = f"{series.slug}-{series.lang}"
        series.url = cfg.series_url.format(slug=series.slug)
        series.save_as = cfg.series_save_as.format(slug=series.slug)
        infos.update(navigation(series))
        for lang in {t.lang for part in series.parts for t in part.translations}:
            localized = in_language(series.parts, lang, lambda post: post.translations)
            infos.update({key: info for key, info in navigation(series, localized).items()
                          if key not in infos})
    minutes = memo.Table(settings, "reading-minutes")  # each post's, by its text (relais build)
    for item in items:
        facts = facts_of[id(item)]
        for name, value in vars(facts).items():
            setattr(item, name, value)
        item.series_info = infos.get(id(item))
        html = item._content or ""
        item.reading_time = minutes.get(memo.digest(html, cfg.reading_speed),
                                        lambda html=html: reading_minutes(html, cfg.reading_speed))
    minutes.save()

    all_series.sort(key=lambda s: (s.lang != cfg.default_lang, s.name.lower()))
    maker_site = any(is_maker_story(facts) for facts in facts_of.values())
    pieces = [item for item in originals if facts_of[id(item)].piece]
    pieces_pages = {}
    if pieces:
        for lang in sorted({cfg.default_lang} | {t.lang for item in originals
                                                 for t in [item, *item.translations]}):
            localized = in_language(pieces, lang, lambda post: post.translations)
            url, save_as = cfg.pieces_page(lang)
            pieces_pages[lang] = {
                "url": url,
                "save_as": save_as,
                "available": sorted((p for p in localized if p.piece.is_available),
                                    key=lambda post: post.date, reverse=True),
            }
    for generator in generators:
        generator.context["all_series"] = all_series
        generator.context["pieces_pages"] = pieces_pages  # lang -> url, save_as, available
        generator.context["maker_site"] = maker_site  # the theme speaks of stories and pieces


def write_series_pages(generator, writer):
    """One page per series and an index of them all (none when the site has no series)."""
    cfg = config(generator.settings)
    all_series: list[Series] = generator.context.get("all_series", [])
    if not all_series:
        return
    template = plugin_template(generator, "series", "a series page (maker_stories)")
    for series in all_series:
        writer.write_file(
            series.save_as, template, generator.context, relative_urls=cfg.relative_urls,
            series=series, url=series.url,
        )
    writer.write_file(
        cfg.series_index_save_as,
        plugin_template(generator, "series_index", "the list of series (maker_stories)"),
        generator.context, relative_urls=cfg.relative_urls, url=cfg.series_index_url,
    )


def write_pieces_pages(generator, writer):
    """The available pieces, one page per language the site writes in (none without pieces)."""
    cfg = config(generator.settings)
    pages = generator.context.get("pieces_pages") or {}
    if not pages:
        return
    template = plugin_template(generator, "pieces", "the available pieces page (maker_stories)")
    for lang, page in pages.items():
        writer.write_file(page["save_as"], template, generator.context,
                          relative_urls=cfg.relative_urls, url=page["url"], lang=lang,
                          pieces=page["available"], pieces_lang=lang)
