"""The blogroll on the built site: the page (mf2py), the OPML and JSON forms (listparser),
the widget's data, and the build's one-line errors. All offline, from committed data."""

from __future__ import annotations

import json
import re

import listparser
import mf2py
from relais.plugins.blogroll.model import load_blogroll

from relais.avatar import file_name
from tests.conftest import REPO, run_relais


def test_the_sample_blogroll_page_has_an_h_card_per_creator(sample_site):
    output = sample_site.output
    html = (output / "blogroll" / "index.html").read_text(encoding="utf-8")
    parsed = mf2py.parse(doc=html, url="https://atelier-maelle.example/blogroll/")
    # a list of h-cards, not an h-feed (a feed of no entries); the owner's card is the footer's
    assert not [i for i in parsed["items"] if "h-feed" in i["type"]]
    cards = [c for c in parsed["items"] if "h-card" in c["type"]
             and c["properties"]["name"][0] != "Maëlle Garnier"]
    creators = load_blogroll(REPO / "content" / "blogroll.yaml")
    assert sorted(c["properties"]["name"][0] for c in cards) == sorted(c.name for c in creators)
    jeanne = next(c for c in cards if c["properties"]["name"][0] == "Jeanne Potier")
    assert jeanne["properties"]["url"] == ["https://jeanne-potier.example/"]
    assert jeanne["properties"]["note"][0].startswith("Elle tourne depuis trente ans")
    picture = file_name("https://jeanne-potier.example/avatar.png", ".png")  # relais.avatar
    assert jeanne["properties"]["photo"][0]["value"].endswith(f"blogroll/avatars/{picture}")
    rels = parsed["rel-urls"]["https://jeanne-potier.example/"]["rels"]
    assert set(rels) >= {"friend", "met", "colleague"}
    assert (output / "blogroll" / "avatars" / picture).read_bytes().startswith(b"\x89PNG")
    # sorted by recent activity; the café, quiet since February, is apart
    active, _, inactive = html.partition('class="blogroll-inactive"')
    assert (
        active.index("Jeanne Potier") < active.index("Lou Ferrand") < active.index("Salomé Diallo")
    )
    assert "La Bonne Tasse" in inactive and "La Bonne Tasse" not in active
    assert (
        'class="blogroll-mutual"' in active.split("Théo Marchal")[0]
    )  # Jeanne lists and links to us
    english = (output / "en" / "blogroll" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in english and "Jeanne Potier" in english
    # "mutual" says why, in words true of each: Lou does not list us, she replied to a post
    evidence = dict(re.findall(r'rel="[^"]*">([^<]+)</a>\s*</h2>\s*<p class="blogroll-reciprocity">'
                               r'<span class="blogroll-mutual">[^<]+</span> ([^<]+)</p>', html))
    assert evidence["Lou Ferrand"] == "a répondu à un billet d’ici ou l’a cité"
    assert evidence["Jeanne Potier"] == ("cite ce site dans son blogroll · renvoie vers ce site "
                                         "dans un billet · a répondu à un billet d’ici ou l’a cité")
    assert "title=" not in html[html.index('class="blogroll-list"'):]  # no tooltip-only facts
    assert "lists this site in their blogroll" in english


def test_the_blogroll_is_served_as_opml_and_json(sample_site):
    output = sample_site.output
    creators = load_blogroll(REPO / "content" / "blogroll.yaml")
    for name in ("blogroll.opml", ".well-known/recommendations.opml"):
        parsed = listparser.parse((output / name).read_bytes())
        assert not parsed.bozo
        assert [f.title for f in parsed.feeds] == [c.name for c in creators]
        assert (
            parsed.feeds[0].url == "https://jeanne-potier.example/feed.xml"
        )  # discovered by refresh
    data = json.loads((output / "blogroll.json").read_text(encoding="utf-8"))
    assert [c["site"] for c in data["creators"]] == [c.site for c in creators]
    assert data["creators"][0]["rel"] == ["friend", "met", "colleague"]


def test_a_broken_blogroll_stops_the_build_with_one_line(tiny_site):
    settings = tiny_site({})
    (settings.parent / "content" / "blogroll.yaml").write_text(
        "creators:\n  - name: Jeanne\n    site: jeanne.example\n", encoding="utf-8"
    )
    result = run_relais("build", "-s", str(settings), cwd=settings.parent)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "error: content/blogroll.yaml:3: creators[1] (Jeanne): site: 'jeanne.example' is not an "
        "absolute http(s) URL"
    )


def test_a_site_without_blogroll_or_data_still_builds(tiny_site):
    settings = tiny_site({})
    (settings.parent / "content" / "blogroll.yaml").write_text(
        "creators:\n  - name: Jeanne\n    site: https://jeanne.example/\n", encoding="utf-8"
    )
    result = run_relais("build", "-s", str(settings), cwd=settings.parent)
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stdout.lower() + result.stderr.lower()
    page = (settings.parent / "output" / "blogroll" / "index.html").read_text(encoding="utf-8")
    assert "Jeanne" in page and "blogroll-latest" not in page


def test_the_rss_feed_advertises_the_blogroll(tmp_path):
    import os

    import feedparser

    from relais.build import build, load_settings

    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        report = build(load_settings("publishconf.py", str(tmp_path / "out")))
    finally:
        os.chdir(cwd)
    parsed = feedparser.parse((report.output / "feeds" / "all.rss.xml").read_bytes())
    assert parsed.feed.source_blogroll == "https://atelier-maelle.example/blogroll.opml"


def test_the_widget_is_on_the_home_page_and_under_posts_and_every_page_links_the_opml(sample_site):
    output = sample_site.output
    for page in ("index.html", "2026/dix-personnes/index.html", "en/2026/dix-personnes/index.html"):
        html = (output / page).read_text(encoding="utf-8")
        assert '<link rel="blogroll" type="text/xml"' in html, page
        widget = html[html.index('class="blogroll-recent"'):]
        items = mf2py.parse(doc=widget, url="https://atelier-maelle.example/")["items"]
        cites = [i for i in items if "h-cite" in i["type"]]
        assert len(cites) == 5, page  # BLOGROLL_RECENT_COUNT, the newest post of each creator
        authors = [c["properties"]["author"][0]["properties"]["name"][0] for c in cites]
        assert authors[:2] == ["Le Four Partagé", "Jeanne Potier"] and len(set(authors)) == 5
    for page in ("archives/index.html", "blogroll/index.html"):
        assert '<link rel="blogroll"' in (output / page).read_text(encoding="utf-8")
