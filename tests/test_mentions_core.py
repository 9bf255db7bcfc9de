"""The pure parts of incoming webmentions: link checks, mf2 parsing, JF2, the archive merge."""

from __future__ import annotations

import json
import re

import mf2py
import pytest
from relais.plugins.webmentions.incoming import archive
from relais.plugins.webmentions.incoming.jf2 import from_jf2, to_jf2
from relais.plugins.webmentions.incoming.links import links_to
from relais.plugins.webmentions.incoming.manifest import scan_pages
from relais.plugins.webmentions.incoming.parse import mention_from_html

TARGET = "https://atelier.example/2026/douze-tasses/"
SOURCE = "https://jeanne.example/notes/1"


@pytest.mark.parametrize("html, linked", [
    (f'<a href="{TARGET}">x</a>', True),
    ('<a href="HTTPS://Atelier.Example:443/2026/douze-tasses/#comments">x</a>', True),
    ('<base href="https://atelier.example/2026/"><a href="douze-tasses/">x</a>', True),
    (f'<img src="{TARGET}" alt="">', True),
    (f'<link rel="in-reply-to" href="{TARGET}">', True),
    (f'<p>{TARGET}</p>', False),                                        # bare text is not a link
    (f'<a href="{TARGET}extra">x</a>', False),                          # another page
    (f'<a data-href="{TARGET}">x</a>', False),
    ('<a href="https://atelier.example/2026/douze-tasses">x</a>', False),  # no slash: another URL
    (f'<a href="{TARGET}"<<<>>x', True),                                 # broken markup still read
])
def test_a_source_must_really_link_to_the_target(html, linked):
    assert links_to(html, SOURCE, TARGET) is linked


def page(body: str) -> str:
    return ("<!doctype html><html><head><title>Jeanne's notes</title></head>"
            f"<body>{body}</body></html>")


CARD = ('<span class="p-author h-card"><img class="u-photo" src="/me.jpg" alt="">'
        '<a class="p-name u-url" href="https://jeanne.example/">Jeanne Potier</a></span>')


@pytest.mark.parametrize("prop, kind", [
    ("u-in-reply-to", "reply"), ("u-like-of", "like"), ("u-repost-of", "repost"),
    ("u-bookmark-of", "bookmark"),
])
def test_the_type_comes_from_the_property_that_names_the_target(prop, kind):
    html = page(f'<article class="h-entry">{CARD}<a class="{prop}" href="{TARGET}">t</a>'
                f'<div class="e-content">Très <b>beau</b> bol</div>'
                f'<time class="dt-published" datetime="2026-03-02T10:00:00+01:00">2 mars</time>'
                f'<a class="u-url" href="{SOURCE}">permalink</a></article>')
    mention = mention_from_html(html, SOURCE, TARGET, received="2026-03-03T00:00:00+00:00",
                                via="receiver")
    assert mention["type"] == kind
    assert mention["author"] == {"name": "Jeanne Potier", "url": "https://jeanne.example/",
                                 "photo": "https://jeanne.example/me.jpg"}
    assert mention["published"] == "2026-03-02T10:00:00+01:00"
    assert mention["content"]["text"] == "Très beau bol"
    assert mention["url"] == SOURCE


def test_rsvp_mention_and_no_microformats():
    rsvp = page(f'<div class="h-entry"><a class="u-in-reply-to" href="{TARGET}">event</a>'
                f'<data class="p-rsvp" value="yes">I will come</data></div>')
    assert mention_from_html(rsvp, SOURCE, TARGET, received="", via="receiver")["rsvp"] == "yes"
    plain = page(f'<p>Lisez <a href="{TARGET}">ceci</a></p>')
    mention = mention_from_html(plain, SOURCE, TARGET, received="", via="receiver")
    assert mention["type"] == "mention"
    assert mention["name"] == "Jeanne's notes"
    assert mention["author"] == {"name": "jeanne.example", "url": "https://jeanne.example/",
                                 "photo": None}


def test_the_author_falls_back_to_the_pages_h_card():
    html = page(f'<div class="h-card"><a class="u-url p-name" href="/">Lou Ferrand</a></div>'
                f'<article class="h-entry"><p class="e-content">Vu <a href="{TARGET}">ici</a></p>'
                '</article>')
    mention = mention_from_html(html, SOURCE, TARGET, received="", via="receiver")
    assert mention["type"] == "mention"
    assert mention["author"]["name"] == "Lou Ferrand"
    assert mention["author"]["url"] == "https://jeanne.example/"


def test_jf2_round_trip_keeps_every_field():
    html = page(f'<article class="h-entry">{CARD}<a class="u-in-reply-to" href="{TARGET}">t</a>'
                '<p class="e-content">Bravo</p></article>')
    mention = mention_from_html(html, SOURCE, TARGET, received="2026-03-03T00:00:00+00:00",
                                via="receiver")
    assert from_jf2(to_jf2(mention, 7), "receiver") == mention


def test_a_reply_to_a_reply_keeps_what_else_it_answers_through_the_gate():
    other = "https://theo.example/2026/reponse/"
    html = page(f'<article class="h-entry">{CARD}<a class="u-in-reply-to" href="{TARGET}">t</a>'
                f'<a class="u-in-reply-to" href="{other}#c">o</a>'
                '<a class="u-in-reply-to" href="javascript:alert(1)">x</a>'
                '<p class="e-content">Oui</p></article>')
    mention = mention_from_html(html, SOURCE, TARGET, received="", via="receiver")
    assert mention["type"] == "reply" and mention["in_reply_to"] == [other]
    assert from_jf2(to_jf2(mention, 7), "receiver") == mention  # our receiver serves the thread
    assert from_jf2({**to_jf2(mention, 7), "in-reply-to": TARGET}, "x")["in_reply_to"] == []


def mention(source="https://a.example/1", text="hello", **extra):
    return {"source": source, "target": TARGET, "type": "reply", "url": source,
            "author": {"name": "A", "url": None, "photo": None}, "published": None,
            "name": None, "content": {"html": "", "text": text}, "rsvp": None,
            "received": "2026-01-01T00:00:00+00:00", "via": "receiver", **extra}


def test_the_merge_is_idempotent_updates_in_place_and_removes_only_deletions(tmp_path):
    path = tmp_path / "received.json"
    store = archive.load(path)
    assert str(archive.merge(store, [mention(), mention("https://b.example/2")])) == \
        "2 new, 0 updated, 0 removed"
    assert archive.save(path, store)
    before = path.read_bytes()
    again = archive.load(path)
    assert not archive.merge(again, [mention(), mention("https://b.example/2")])
    assert not archive.save(path, again) and path.read_bytes() == before
    edited = mention(text="hello again", received="2026-02-01T00:00:00+00:00")
    assert archive.merge(again, [edited]).updated == 1
    kept = again.mentions[(edited["source"], TARGET)]
    assert kept["content"]["text"] == "hello again"
    assert kept["received"] == "2026-01-01T00:00:00+00:00"  # first seen stays first seen
    changes = archive.merge(again, [{"source": "https://b.example/2", "target": TARGET,
                                     "deleted": True}])
    assert changes.removed == 1 and len(again.mentions) == 1


@pytest.mark.parametrize("content, message", [
    ("{not json", "not valid JSON"),
    ('{"mentions": {}}', "expected an object with a 'mentions' list"),
    ('{"mentions": [{"source": "x"}]}', "mentions[0]: field 'target' is missing"),
    ('{"mentions": [{"source": "x", "target": "y", "type": "poke"}]}', "field 'type' is 'poke'"),
])
def test_a_corrupt_archive_is_a_clear_error_and_is_never_overwritten(tmp_path, content, message):
    path = tmp_path / "received.json"
    path.write_text(content)
    with pytest.raises(archive.ArchiveError, match=re.escape(message)) as caught:
        archive.load(path)
    assert str(path) in str(caught.value)
    with pytest.raises(archive.ArchiveError):
        archive.save(path, archive.Archive())
    assert path.read_text() == content


def test_the_archive_file_is_sorted_and_diff_friendly(tmp_path):
    path = tmp_path / "received.json"
    store = archive.Archive()
    archive.merge(store, [mention("https://z.example/"), mention("https://a.example/")])
    archive.save(path, store)
    data = json.loads(path.read_text())
    assert [m["source"] for m in data["mentions"]] == ["https://a.example/", "https://z.example/"]
    assert path.read_text().endswith("}\n")
    assert mf2py  # the parser the tests trust is importable


def test_the_manifest_lists_every_page_of_the_site_however_its_folder_is_written(tmp_path,
                                                                                 monkeypatch):
    site = tmp_path / "site"
    for name in ("index.html", "about.html", "2026/bol/index.html", "a b/%C3%A9t%C3%A9/index.html",
                 "theme/style.css", "feeds/all.atom.xml"):
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text("x", encoding="utf-8")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "index.html").write_text("x", encoding="utf-8")
    (site / "linked").symlink_to(tmp_path / "elsewhere")  # a link to a folder: not followed
    expected = ["/", "/2026/bol/", "/a b/été/", "/about.html"]
    monkeypatch.chdir(tmp_path)
    for written in (site, f"{site}/", "site", "./site/"):
        assert scan_pages(written) == expected, written
