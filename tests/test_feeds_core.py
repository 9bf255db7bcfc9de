"""The pure parts of the feeds plugin: URLs, planning, settings, documents."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from relais.plugins.feeds.jsonfeed import json_feed
from relais.plugins.feeds.model import Feed, Post
from relais.plugins.feeds.plan import Placed, Section, plan
from relais.plugins.feeds.urls import absolutize
from relais.plugins.feeds.xmlfeeds import ChannelExtra, rss

from relais import settings as relais_settings
from tests.test_feeds_rules import json_feed_problems, xml_problems

BASE = "https://x.example/2026/post/"
PATHS = {"all": "f/all.{ext}", "stories": "f/s.{ext}", "category": "f/c/{slug}.{ext}",
         "tag": None, "author": "f/a/{slug}.{ext}", "lang": "f/l/{lang}.{ext}"}


def test_absolutize_links_images_and_srcset_but_not_fragments_or_mail():
    html = ('<a href="../other/">o</a><img src="img.png" srcset="a.png 1x, /b.png 2x">'
            '<a href="#notes">n</a><a href="mailto:m@x.example">m</a><a href="https://y.example/">y</a>')
    assert absolutize(html, BASE) == (
        '<a href="https://x.example/2026/other/">o</a>'
        '<img src="https://x.example/2026/post/img.png" '
        'srcset="https://x.example/2026/post/a.png 1x, https://x.example/b.png 2x">'
        '<a href="#notes">n</a><a href="mailto:m@x.example">m</a><a href="https://y.example/">y</a>')


def test_absolutize_finds_what_a_scan_of_every_space_finds():
    """`absolutize` looks for attributes from the `=` signs (fast); it must change exactly
    what the plain regular expressions, tried at every position, change."""
    import random

    from relais.plugins.feeds.urls import (
        SRCSET_ATTRIBUTE,
        URL_ATTRIBUTE,
        URL_NAMES,
        absolute,
        absolute_srcset,
        matches,
    )

    def everywhere(html, base):
        html = URL_ATTRIBUTE.sub(
            lambda m: f"{m['before']}{m['q']}{absolute(m['url'], base)}{m['q']}", html)
        return SRCSET_ATTRIBUTE.sub(
            lambda m: f"{m['before']}{m['q']}{absolute_srcset(m['value'], base)}{m['q']}", html)

    spaces = ["", " ", "  ", "\n", "\t", "\u00a0"]
    names = ["href", "HREF", "src", "sRc", "\u017frc", "poster", "cite", "data", "srcset",
             "data-src", "a", "title"]
    values = ["", " ", "x/y.png", "../z/", "http://h.example/", "#f", "mailto:m@h.example",
              "a.png 1x, b.png 2x", " src='i.png'", ' href="j/"', "a\nb", "="]
    noise = ["<img", "<a", ">", "=", '"', "'", "word", "\n"]

    def attribute(rng):
        quote = rng.choice(['"', "'", ""])
        return "".join([rng.choice(spaces[1:]), rng.choice(names), rng.choice(spaces), "=",
                        rng.choice(spaces), quote, rng.choice(values), rng.choice([quote, ""])])

    rng = random.Random(13)
    for _ in range(4000):
        html = "".join(attribute(rng) if rng.random() < 0.6 else rng.choice(noise)
                       for _ in range(rng.randint(0, 12)))
        assert [m.span() for m in matches(URL_ATTRIBUTE, URL_NAMES, html)] == \
            [m.span() for m in URL_ATTRIBUTE.finditer(html)], html
        assert absolutize(html, BASE) == everywhere(html, BASE), html


def make_post(slug, day, kind="story", lang="fr"):
    date = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=day)
    return Post(id=f"tag:x.example,2026:{lang}/{slug}", url=f"https://x.example/{slug}/",
                title=slug, summary="<p>s</p>", content="<p>c</p>", published=date,
                updated=date, lang=lang, kind=kind)


def test_plan_sorts_newest_first_and_skips_what_is_off_or_empty():
    notes = Section("notes", "Notes", "categorie/notes/")
    placed = [Placed(make_post("a", 1), True, notes),
              Placed(make_post("b", 3, kind="note"), True, notes),
              Placed(make_post("c", 2), True, None),
              Placed(make_post("c", 2, lang="en"), False, None)]
    feeds = {f.key: f for f in plan(placed, PATHS, ["all"], "Site", "fr")}
    assert list(feeds) == ["all", "stories", "category:notes", "lang:en", "lang:fr"]
    assert [p.title for p in feeds["all"].posts] == ["b", "c", "a"]
    assert [p.title for p in feeds["stories"].posts] == ["c", "a"]
    assert feeds["all"].paths == {"atom": "f/all.atom.xml", "rss": "f/all.rss.xml",
                                  "json": "f/all.json"}
    assert "json" not in feeds["stories"].paths
    assert feeds["category:notes"].home == "categorie/notes/"
    assert [p.lang for p in feeds["lang:en"].posts] == ["en"]


@pytest.mark.parametrize("name, value, message", [
    ("FEEDS_TAG", "feeds/tag.{ext}", "must contain {slug}"),
    ("FEEDS_ALL", "/feeds/all.xml", "must be a relative path or None"),
    ("FEEDS_JSON", ["everything"], "must be a list taken from"),
    ("FEEDS_ID_AUTHORITY", "atelier.example", "must be None, 'pelican' or 'domain,YYYY'"),
    ("FEEDS_PERMALINK_GUIDS_UNTIL", "2026-13-01", "must be None or a date 'YYYY-MM-DD'"),
    ("WEBSUB_HUB", "hub.example", "must be an absolute http(s) URL"),
    ("FEEDS_FOLLOW_PAGES", {"fr": "/suivre"}, "must map a language to a URL"),
])
def test_wrong_feed_settings_name_themselves(name, value, message):
    import relais.plugins.feeds  # noqa: F401  (declares the settings)

    with pytest.raises(relais_settings.SettingsError) as error:
        relais_settings.apply({name: value}, [name])
    assert str(error.value).startswith(f"setting {name}: {message}")


def test_documents_pass_the_rules_and_rss_takes_extra_channel_elements():
    posts = (make_post("b", 2), make_post("a", 1))
    feed = Feed("Site", "https://x.example/", "https://x.example/f/all.rss.xml", "fr", posts,
                authors=(), hub="https://hub.example/")
    source = "http://source.scripting.com/"

    def blogroll(channel):
        from lxml import etree
        etree.SubElement(channel, f"{{{source}}}blogroll").text = "https://x.example/b.opml"

    data = rss(feed, [ChannelExtra(blogroll, {"source": source})])
    assert b'<source:blogroll>https://x.example/b.opml</source:blogroll>' in data
    assert xml_problems(data) == []
    assert rss(feed) == rss(feed)  # no clock in the output
    problems = json_feed_problems(__import__("json").loads(json_feed(feed)))
    assert problems == ["authors missing or without names"]  # the feed above has none


def test_a_post_in_many_feeds_reads_as_in_feedgen_s_own_whole_document():
    """The writer builds each post's entry once per format and puts its text in every feed
    that holds it: each document is still, byte for byte, the one feedgen makes with the
    entries in its tree (the depth and namespaces of an entry are those of its document)."""
    from relais.plugins.feeds.model import Image, Person
    from relais.plugins.feeds.xmlfeeds import Writer, _new_entry

    def rich(slug, day, lang="fr"):
        post = make_post(slug, day, lang=lang)
        return replace(post, summary="<p>r\u00e9sum\u00e9 &amp; <em>plus</em></p>",
                       content="<p>a\nb</p>\n<pre>  c\n    d</pre>",
                       authors=(Person("Ma\u00eblle", "https://x.example/"), Person("Sans")),
                       tags=("Atelier", "gr\u00e8s"),
                       image=Image("https://x.example/c.jpg", "image/jpeg", 1234, "alt"))

    posts = [rich("a", 1), rich("b", 2), rich("c", 3, lang="en"), make_post("d", 4)]
    source = "http://source.scripting.com/"

    def blogroll(channel):
        from lxml import etree
        etree.SubElement(channel, f"{{{source}}}blogroll").text = "https://x.example/b.opml"

    extras = [ChannelExtra(blogroll, {"source": source})]
    feeds = [Feed("Site", "https://x.example/", "https://x.example/f/all", "fr",
                  tuple(reversed(posts)), subtitle="Sub", authors=(Person("M"),)),
             Feed("Site \u00b7 en", "https://x.example/en/", "https://x.example/f/en", "en",
                  (posts[2], posts[0]), hub="https://hub.example/"),
             Feed("Site \u00b7 one", "https://x.example/t/", "https://x.example/f/t", "fr",
                  (posts[1],))]
    writer = Writer(extras)
    for feed in feeds + feeds:  # the second time, every entry is one already written
        for rss_format in (False, True):
            whole = writer._generator(feed, rss=rss_format)
            for post in feed.posts:
                whole.add_entry(_new_entry(post), order="append")
            if rss_format:
                assert writer.rss(feed) == whole.rss_str(pretty=True, encoding="UTF-8")
            else:
                assert writer.atom(feed) == whole.atom_str(pretty=True, encoding="UTF-8")


def test_json_items_written_once_read_as_in_the_whole_document():
    """The JSON Feed writer writes each post's item once and reuses its text: each document is
    still, byte for byte, `json.dumps` of the whole document (indent 2, UTF-8 as is)."""
    import json

    from relais.plugins.feeds.jsonfeed import JsonWriter, _item, _person
    from relais.plugins.feeds.model import Image, Person

    posts = [replace(make_post("a", 1), summary="", authors=(Person("Ma\u00eblle", "https://x/"),),
                     tags=("gr\u00e8s", 'a "b"\nc'), content="<p>l\u00e0\n\t\u2028</p>"),
             replace(make_post("b", 2, lang="en"),
                     image=Image("https://x.example/c.jpg", "image/jpeg", 3)),
             make_post("c", 3, kind="note")]
    feeds = [Feed("Site", "https://x/", "https://x/all.json", "fr", tuple(posts),
                  subtitle="Sous-titre", authors=(Person("M"),), hub="https://hub.example/"),
             Feed("Site \u00b7 en", "https://x/en/", "https://x/en.json", "en", (posts[1],)),
             Feed("Vide", "https://x/", "https://x/vide.json", "fr", ())]
    writer = JsonWriter()
    for feed in feeds + feeds:
        whole = {"version": "https://jsonfeed.org/version/1.1", "title": feed.title,
                 "home_page_url": feed.home_url, "feed_url": feed.self_url,
                 **({"description": feed.subtitle} if feed.subtitle else {}),
                 "language": feed.lang,
                 **({"authors": [_person(p) for p in feed.authors]} if feed.authors else {}),
                 **({"hubs": [{"type": "WebSub", "url": feed.hub}]} if feed.hub else {}),
                 "items": [_item(p) for p in feed.posts]}
        expected = (json.dumps(whole, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        assert writer.json(feed) == expected
