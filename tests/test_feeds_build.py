"""Feeds of throw-away sites: deterministic output, one edit changes one entry, bad input."""

from __future__ import annotations

import json
import os
from pathlib import Path

import feedparser
from lxml import etree

from relais.build import build, load_settings
from tests.conftest import run_relais
from tests.test_feeds_rules import xml_problems

SITE = "https://tiny.example"
ATOM = "{http://www.w3.org/2005/Atom}"


def post(slug: str, date: str, body: str = "Du texte.", **fields) -> str:
    head = {"Title": f"Billet {slug}", "Date": date, "Category": "Atelier", "Slug": slug, **fields}
    return "\n".join(f"{k}: {v}" for k, v in head.items() if v is not None) + f"\n\n{body}\n"


POSTS = {
    "a.md": post("a", "2026-01-10 10:00", "Premier."),
    "b.md": post("b", "2026-02-10 10:00", 'Une image relative : <img src="../../images/pot.svg" '
                 'srcset="../../images/pot.svg 1x, ../../images/pot.svg 2x" alt="pot"> et '
                 '[un lien](../a/).', Tags="grès"),
    "c.md": post("c", "2026-03-10 10:00", "Troisième."),
}


def publish(settings: Path, output: Path, **extra):
    cwd = os.getcwd()
    os.chdir(settings.parent)
    try:
        return build(load_settings(str(settings), str(output),
                                   {"SITEURL": SITE, "RELATIVE_URLS": False, **extra}))
    finally:
        os.chdir(cwd)


def feeds_of(output: Path) -> dict[str, bytes]:
    return {p.relative_to(output).as_posix(): p.read_bytes()
            for p in sorted((output / "feeds").rglob("*")) if p.is_file()}


def test_a_rebuild_is_byte_identical_and_an_edit_changes_one_entry(tiny_site, tmp_path):
    settings = tiny_site(POSTS)
    first = feeds_of(publish(settings, tmp_path / "one").output)
    assert first == feeds_of(publish(settings, tmp_path / "two").output)

    edited = settings.parent / "content" / "posts" / "a.md"
    edited.write_text(post("a", "2026-01-10 10:00", "Premier, corrigé.",
                           Modified="2026-04-01 09:00"), encoding="utf-8")
    after = feeds_of(publish(settings, tmp_path / "three").output)
    old, new = etree.fromstring(first["feeds/all.atom.xml"]), etree.fromstring(after["feeds/all.atom.xml"])
    old_entries = {e.findtext(f"{ATOM}id"): etree.tostring(e) for e in old.findall(f"{ATOM}entry")}
    new_entries = {e.findtext(f"{ATOM}id"): etree.tostring(e) for e in new.findall(f"{ATOM}entry")}
    assert old_entries.keys() == new_entries.keys()
    changed = [i for i in old_entries if old_entries[i] != new_entries[i]]
    assert len(changed) == 1 and changed[0].endswith(":fr/a")
    assert new.findtext(f"{ATOM}updated") == "2026-04-01T09:00:00+02:00"
    for element in (old, new):
        element.remove(element.find(f"{ATOM}updated"))
        for entry in element.findall(f"{ATOM}entry"):
            element.remove(entry)
    assert etree.tostring(old) == etree.tostring(new)


def test_relative_urls_in_content_become_absolute(tiny_site, tmp_path):
    output = publish(tiny_site(POSTS), tmp_path / "out").output
    entry = next(e for e in feedparser.parse((output / "feeds/all.rss.xml").read_bytes()).entries
                 if e.link.endswith("/b/"))
    html = entry.content[0].value
    assert f'src="{SITE}/images/pot.svg"' in html
    raw = (output / "feeds/all.atom.xml").read_text("utf-8")  # feedparser's sanitizer drops srcset
    assert f'srcset="{SITE}/images/pot.svg 1x, {SITE}/images/pot.svg 2x"' in raw
    assert f'href="{SITE}/2026/a/"' in html
    for data in feeds_of(output).values():
        if data.startswith(b"<?xml"):
            assert xml_problems(data) == []


def test_summary_only_and_max_items(tiny_site, tmp_path):
    output = publish(tiny_site(POSTS), tmp_path / "out", FEEDS_CONTENT="summary",
                     FEED_MAX_ITEMS=2).output
    parsed = feedparser.parse((output / "feeds/all.atom.xml").read_bytes())
    assert [e.link for e in parsed.entries] == [f"{SITE}/2026/c/", f"{SITE}/2026/b/"]
    assert parsed.entries[1].content[0].value == parsed.entries[1].summary
    assert "Troisième" in parsed.entries[0].summary


def test_future_posts_are_skipped_with_one_line_or_included(tiny_site, tmp_path):
    settings = tiny_site({**POSTS, "futur.md": post("futur", "2099-01-01 10:00")})
    report = publish(settings, tmp_path / "skip")
    assert [w for w in report.warnings if "futur.md" in w] == [
        next(w for w in report.warnings if "futur.md" in w)]
    line = next(w for w in report.warnings if "futur.md" in w)
    assert "dated in the future" in line and "\n" not in line
    assert b"/futur/" not in (report.output / "feeds/all.atom.xml").read_bytes()
    included = publish(settings, tmp_path / "include", FEEDS_FUTURE_POSTS="include")
    assert b"/futur/" in (included.output / "feeds/all.atom.xml").read_bytes()


def test_posts_without_title_or_date_are_named_and_left_out(tiny_site, tmp_path):
    """A lenient build (a strict one stops on them: tests/test_content_checks.py)."""
    settings = tiny_site({**POSTS, "sans-titre.md": post("sans-titre", "2026-03-01", Title=None),
                          "sans-date.md": post("sans-date", None)})
    report = publish(settings, tmp_path / "out", CONTENT_LENIENT=True)
    assert any("sans-titre.md" in w for w in report.warnings)
    assert any("sans-date.md" in w for w in report.warnings)
    for data in feeds_of(report.output).values():
        assert b"sans-" not in data
    assert feedparser.parse((report.output / "feeds/all.atom.xml").read_bytes()).bozo == 0


def test_an_invalid_siteurl_in_publish_mode_stops_with_one_line(tiny_site):
    settings = tiny_site(POSTS)
    result = run_relais("build", "-s", str(settings), "-e", 'SITEURL="tiny.example"',
                        "-e", "RELATIVE_URLS=false", cwd=settings.parent)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith(
        "error: setting SITEURL: feeds need an absolute http(s) URL")


def entry_ids(output: Path) -> list[list[tuple[str, str, bool]]]:
    """(id, link, is the permalink) of every entry, per format: ids and links as feedparser
    reads them (JSON Feed as its spec says: feedparser 6.0 does not read it); RSS's
    isPermaLink from the XML (feedparser's `guidislink` is false whenever there is a <link>)."""
    feeds = output / "feeds"
    atom, rss = (feedparser.parse((feeds / name).read_bytes()).entries
                 for name in ("all.atom.xml", "all.rss.xml"))
    permalink = [g.get("isPermaLink") == "true"
                 for g in etree.fromstring((feeds / "all.rss.xml").read_bytes()).iter("guid")]
    items = json.loads((feeds / "all.json").read_text("utf-8"))["items"]
    return [[(e.id, e.link, False) for e in atom],
            [(e.id, e.link, p) for e, p in zip(rss, permalink, strict=True)],
            [(i["id"], i["url"], False) for i in items]]


def test_one_id_in_the_three_formats_and_published_rss_guids_kept_on_request(tiny_site, tmp_path):
    settings = tiny_site(POSTS)
    authority = {"FEEDS_ID_AUTHORITY": "tiny.example,2026"}
    atom, rss, json_feed = entry_ids(publish(settings, tmp_path / "one", **authority).output)
    ids = [i for i, _, _ in atom]
    assert ids == ["tag:tiny.example,2026:fr/c", "tag:tiny.example,2026:fr/b",
                   "tag:tiny.example,2026:fr/a"]
    assert [i for i, _, _ in rss] == [i for i, _, _ in json_feed] == ids
    assert not any(is_link for _, _, is_link in rss)  # isPermaLink="false"

    # a site upgrading keeps the permalink guids it published (posts up to the day it says)
    kept = publish(settings, tmp_path / "two", FEEDS_PERMALINK_GUIDS_UNTIL="2026-02-10", **authority)
    atom, rss, _ = entry_ids(kept.output)
    assert [i for i, _, _ in atom] == ids
    assert rss[0] == (ids[0], f"{SITE}/2026/c/", False)
    assert rss[1:] == [(f"{SITE}/2026/b/", f"{SITE}/2026/b/", True),
                       (f"{SITE}/2026/a/", f"{SITE}/2026/a/", True)]


def test_pages_announce_each_feed_with_its_title_escaped(tiny_site, tmp_path):
    """The `<link rel="alternate">`s are made once per build (FEED_LINK_TAGS), as the theme's
    autoescaping makes them: a site name with `&`, quotes and `<` stays one attribute."""
    output = publish(tiny_site(POSTS), tmp_path / "out",
                     SITENAME='Pots & "bols" <grès>').output
    page = (output / "tag" / "gres" / "index.html").read_text(encoding="utf-8")
    name = "Pots &amp; &#34;bols&#34; &lt;grès&gt;"
    assert (f'<link rel="alternate" type="application/atom+xml" title="{name} (Atom)" '
            f'href="{SITE}/feeds/all.atom.xml"><link rel="alternate" '
            f'type="application/rss+xml" title="{name} (RSS)" '
            f'href="{SITE}/feeds/all.rss.xml">') in page
    assert (f'<link rel="alternate" type="application/atom+xml" title="{name} · #grès (Atom)" '
            f'href="{SITE}/feeds/tag/gres.atom.xml">') in page
