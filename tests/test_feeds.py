"""The sample site's feeds, judged by feedparser and by the validator rules; dev and publish builds."""

from __future__ import annotations

import json
import os
from pathlib import Path

import feedparser
import pytest

from relais.build import build, load_settings
from tests.conftest import REPO
from tests.test_feeds_rules import json_feed_problems, relative_urls, xml_problems

SITE = "https://atelier-maelle.example"
HUB = "https://websub.example/hub"


@pytest.fixture(scope="session")
def published_site(tmp_path_factory):
    """The sample site built with publishconf.py (absolute URLs), with a WebSub hub set."""
    output = tmp_path_factory.mktemp("published") / "output"
    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        return build(load_settings("publishconf.py", str(output),
                                   {"SITEURL": SITE, "WEBSUB_HUB": HUB}))
    finally:
        os.chdir(cwd)


def parse(path: Path):
    """feedparser on an XML feed (feedparser 6.0 does not read JSON Feed: the JSON Feed 1.1
    checker judges those)."""
    return feedparser.parse(path.read_bytes())


def feed_files(output: Path) -> list[Path]:
    return sorted(p for p in (output / "feeds").rglob("*") if p.is_file())


def test_both_builds_are_clean_and_dev_writes_no_feed(sample_site, published_site):
    assert sample_site.warnings == [] and published_site.warnings == []
    assert not (sample_site.output / "feeds").exists()
    dev_index = (sample_site.output / "index.html").read_text(encoding="utf-8")
    assert "application/atom+xml" not in dev_index  # no link to a feed that is not there
    assert (sample_site.output / "suivre" / "index.html").is_file()


def test_every_feed_parses_without_errors(published_site):
    files = feed_files(published_site.output)
    names = {p.relative_to(published_site.output).as_posix() for p in files}
    assert {"feeds/all.atom.xml", "feeds/all.rss.xml", "feeds/all.json",
            "feeds/stories.atom.xml", "feeds/stories.rss.xml", "feeds/stories.json",
            "feeds/category/notes.atom.xml", "feeds/tag/gres.rss.xml",
            "feeds/author/maelle-garnier.atom.xml", "feeds/lang/en.atom.xml"} <= names
    for path in (p for p in files if p.suffix == ".xml"):
        parsed = parse(path)
        assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))
        assert parsed.entries, path


def test_the_site_feed_holds_every_original_newest_first_with_absolute_links(published_site):
    output = published_site.output
    originals = list(output.glob("20[0-9][0-9]/*/index.html"))
    items = json.loads((output / "feeds" / "all.json").read_text("utf-8"))["items"]
    assert len(items) == len(originals)
    assert [i["date_published"] for i in items] == sorted(
        (i["date_published"] for i in items), reverse=True)
    for name in ("all.atom.xml", "all.rss.xml"):
        parsed = parse(output / "feeds" / name)
        assert len(parsed.entries) == len(originals), name
        dates = [e.published_parsed for e in parsed.entries]
        assert dates == sorted(dates, reverse=True), name
        for entry in parsed.entries:
            assert entry.link.startswith(SITE + "/"), entry.link
            assert (output / entry.link[len(SITE) + 1:] / "index.html").is_file()
            assert not relative_urls(entry.content[0].value if "content" in entry
                                     else entry.summary)


def test_full_content_keeps_the_story_image_and_a_reply_its_target(published_site):
    parsed = feedparser.parse((published_site.output / "feeds" / "all.atom.xml").read_bytes())
    photos = next(e for e in parsed.entries if "/photos-et-mise-en-ligne/" in e.link)
    assert f'src="{SITE}/images/etiquette.svg"' in photos.content[0].value
    assert photos.content[0].value.count("<p>") > 5  # the whole story, not its summary
    reply = next(e for e in parsed.entries if "/reponse-carnet-de-cuisson/" in e.link)
    assert 'href="https://jeanne-potier.example/2026/02/carnet-de-cuisson/"' in \
        reply.content[0].value
    covered = [e for e in parsed.entries if any(link.rel == "enclosure" for link in e.links)]
    assert covered and all(e.get("media_content") for e in covered)


def test_stories_feed_holds_only_stories(published_site):
    document = json.loads((published_site.output / "feeds" / "stories.json").read_text("utf-8"))
    kinds = {item["_relais"]["kind"] for item in document["items"]}
    assert kinds == {"story"}
    everything = json.loads((published_site.output / "feeds" / "all.json").read_text("utf-8"))
    assert len(everything["items"]) > len(document["items"])


def test_the_validator_rules_find_nothing(published_site):
    for path in feed_files(published_site.output):
        if path.suffix == ".xml":
            assert xml_problems(path.read_bytes()) == [], path
        else:
            assert json_feed_problems(json.loads(path.read_text("utf-8"))) == [], path


def test_one_id_per_post_in_atom_rss_and_json_feed(published_site):
    feeds = published_site.output / "feeds"
    atom, rss = (feedparser.parse((feeds / name).read_bytes())
                 for name in ("all.atom.xml", "all.rss.xml"))
    json_items = json.loads((feeds / "all.json").read_text("utf-8"))["items"]  # feedparser 6.0: no JSON Feed
    assert all(e.id.startswith("tag:atelier-maelle.example,2026:") for e in atom.entries)
    ids = [e.id for e in atom.entries]
    assert ids == [e.id for e in rss.entries] == [i["id"] for i in json_items]
    assert all(not e.guidislink and e.link != e.id for e in rss.entries)
    assert b'isPermaLink="false"' in (feeds / "all.rss.xml").read_bytes()


def test_hub_and_self_links_in_every_format(published_site):
    feeds = published_site.output / "feeds"
    for name in ("all.atom.xml", "all.rss.xml"):
        links = {(link.rel, link.href) for link in feedparser.parse((feeds / name).read_bytes()).feed.links}
        assert ("hub", HUB) in links and ("self", f"{SITE}/feeds/{name}") in links, name
    document = json.loads((feeds / "all.json").read_text("utf-8"))
    assert document["hubs"] == [{"type": "WebSub", "url": HUB}]
    assert document["feed_url"] == f"{SITE}/feeds/all.json"


def test_pages_announce_their_feeds(published_site):
    output = published_site.output
    home = (output / "index.html").read_text(encoding="utf-8")
    assert ('type="application/atom+xml" title="Atelier Maëlle (Atom)" '
            f'href="{SITE}/feeds/all.atom.xml"') in home
    notes = (output / "categorie" / "notes" / "index.html").read_text(encoding="utf-8")
    assert f'href="{SITE}/feeds/category/notes.atom.xml"' in notes
    assert "feeds/category/" not in home
    english = next(output.glob("en/20[0-9][0-9]/*/index.html")).read_text(encoding="utf-8")
    assert f'href="{SITE}/feeds/lang/en.atom.xml"' in english
    assert 'class="follow-block"' in home and f'href="{SITE}/suivre/"' in home
    start = home.index('class="follow-block"')
    footer = home[start:home.index("</section>", start)]
    assert "/feeds/" not in footer  # the footer leads to the follow page, not to raw XML


def test_the_available_pieces_feed_beside_its_page_in_each_language(published_site):
    output = published_site.output
    titles = {}
    for lang, page, title in (("fr", "pieces/", "Pièces disponibles"),
                              ("en", "en/pieces/", "Available pieces")):
        feed = feedparser.parse((output / "feeds" / "pieces" / f"{lang}.atom.xml").read_bytes())
        assert feed.feed.title == f"Atelier Maëlle · {title}" and feed.feed.link == f"{SITE}/{page}"
        titles[lang] = [e.title for e in feed.entries]
        html = (output / page / "index.html").read_text(encoding="utf-8")
        assert f'href="{SITE}/feeds/pieces/{lang}.atom.xml"' in html  # announced by its page
        assert all(t in html for t in titles[lang])  # the page's pieces, no other
        assert html.count('class="piece-listing"') == len(feed.entries)
    assert titles["fr"] == ["Six bols et deux plateaux, avec Théo",
                            "Des photos au téléphone, et la collection en ligne"]
    everything = [e.title for e in parse(output / "feeds" / "all.atom.xml").entries]
    sold = "Le bol à la cendre de bois"
    assert not any(sold in t for t in titles["fr"]) and any(sold in t for t in everything)
    document = json.loads((output / "feeds" / "pieces" / "fr.json").read_text("utf-8"))
    assert "145" in document["items"][0]["content_html"]  # the card: its price
