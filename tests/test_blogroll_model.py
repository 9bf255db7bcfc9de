"""The blogroll file, OPML in and out (judged by listparser), reciprocity from data files."""

from __future__ import annotations

import json
import pickle

import listparser
import pytest
from relais.plugins.blogroll import site as blogroll_site
from relais.plugins.blogroll.config import config as blogroll_config
from relais.plugins.blogroll.importer import merge_opml
from relais.plugins.blogroll.model import BlogrollError, Creator, parse_blogroll, site_key
from relais.plugins.blogroll.opml import OpmlError, read_opml, write_opml
from relais.plugins.blogroll.reciprocity import (
    Received,
    evidence_for,
    group_by_host,
    notified_targets,
    received_by_host,
)
from relais.plugins.blogroll.render import build_view
from relais.plugins.blogroll.text import Profile, terms
from relais.plugins.webmentions import api as webmentions

from relais.store import StoreError
from tests.conftest import run_relais

GOOD = """\
# my people
creators:
  - name: Jeanne Potier
    site: https://jeanne-potier.example/
    interests: [grès, cuisson]
    note: Elle m'a appris à tenir un carnet.   # the owner's words
    rel: friend met
    groups: [Céramique]
  - name: Théo
    site: https://theo.example/
    feed: https://theo.example/feed.xml
"""


def test_a_good_file_gives_creators():
    jeanne, theo = parse_blogroll(GOOD)
    assert jeanne.rel == ["friend", "met"] and jeanne.interests == ["grès", "cuisson"]
    assert jeanne.note == "Elle m'a appris à tenir un carnet."
    assert theo.feed == "https://theo.example/feed.xml" and theo.rel == []
    assert jeanne.key == "jeanne-potier.example"
    assert site_key("http://127.0.0.1:8001/lou/") == "127.0.0.1-8001-lou"


def test_every_problem_is_one_line_with_its_line_number():
    text = """\
creators:
  - name: A
    site: jeanne.example
  - name: B
    site: https://b.example/
    rel: [friend, acquaintance]
    intrests: [x]
  - site: https://b.example
  - name: C
    site: https://c.example/
    rel: [bff]
"""
    with pytest.raises(BlogrollError) as error:
        parse_blogroll(text, "content/blogroll.yaml")
    assert error.value.lines == [
        "content/blogroll.yaml:3: creators[1] (A): site: 'jeanne.example' is not an absolute http(s) URL",  # noqa: E501
        "content/blogroll.yaml:6: creators[2] (B): rel: XFN allows only one of friend, acquaintance, "  # noqa: E501
        "contact (got friend, acquaintance)",
        "content/blogroll.yaml:7: creators[2] (B): intrests: unknown field (expected one of: name, "
        "site, feed, interests, note, rel, groups)",
        "content/blogroll.yaml:8: creators[3]: name: a creator needs a name",
        "content/blogroll.yaml:8: creators[3]: site: https://b.example is already in the blogroll "
        "(creators[2])",
        "content/blogroll.yaml:11: creators[4] (C): rel: unknown XFN value 'bff' (expected some of: "  # noqa: E501
        "friend, acquaintance, contact, met, co-worker, colleague, co-resident, neighbor, child, "
        "parent, sibling, spouse, kin, muse, crush, date, sweetheart)",
    ]


def test_broken_yaml_is_one_line():
    with pytest.raises(BlogrollError) as error:
        parse_blogroll("creators:\n  - name: [unclosed\n", "blogroll.yaml")
    assert len(error.value.lines) == 1 and error.value.lines[0].startswith(
        "blogroll.yaml:3: not valid YAML"
    )


SUBSCRIPTIONS = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>Feeds</title></head><body>
  <outline text="Pottery">
    <outline text="Jeanne (again)" type="rss" xmlUrl="https://jeanne-potier.example/feed.xml"
             htmlUrl="https://jeanne-potier.example/"/>
    <outline text="Camille Rivi&#232;re" type="rss" xmlUrl="https://camille.example/atom.xml"
             htmlUrl="https://camille.example/" description="Des &#233;maux de cendre"/>
  </outline>
  <outline text="Theo by feed" type="rss" xmlUrl="https://theo.example/feed.xml"/>
  <outline text="Nadia" type="rss" xmlUrl="https://nadia.example/rss"/>
</body></opml>"""


def test_import_appends_new_creators_and_keeps_every_word_already_written():
    merge = merge_opml(GOOD, SUBSCRIPTIONS, "content/blogroll.yaml", "feeds.opml")
    assert [o.title for o in merge.added] == ["Camille Rivière", "Nadia"]
    assert sorted(name for _, name in merge.skipped) == ["Jeanne Potier", "Théo"]
    assert merge.text.startswith(GOOD)  # comments, notes and order untouched
    creators = parse_blogroll(merge.text)
    camille = creators[2]
    assert (camille.site, camille.feed, camille.groups, camille.note) == (
        "https://camille.example/",
        "https://camille.example/atom.xml",
        ["Pottery"],
        "Des émaux de cendre",
    )
    assert creators[3].site == "https://nadia.example/"
    again = merge_opml(merge.text, SUBSCRIPTIONS, "content/blogroll.yaml", "feeds.opml")
    assert again.added == [] and again.text == merge.text


def test_import_into_an_empty_file():
    merge = merge_opml("", SUBSCRIPTIONS, "b.yaml", "feeds.opml")
    assert len(parse_blogroll(merge.text)) == 4


def test_our_opml_round_trips_through_listparser():
    creators = parse_blogroll(GOOD)
    document = write_opml(
        creators,
        {creators[0].key: "https://jeanne-potier.example/feed.xml"},
        title="Atelier & co",
        owner_name="Maëlle",
        owner_id="https://m.example/",
    )
    parsed = listparser.parse(document.encode())
    assert not parsed.bozo and parsed.meta.title == "Atelier & co"
    assert [(f.title, f.url) for f in parsed.feeds] == [
        ("Jeanne Potier", "https://jeanne-potier.example/feed.xml"),
        ("Théo", "https://theo.example/feed.xml"),
    ]
    assert {"grès", "cuisson", "Céramique"} <= set(parsed.feeds[0].tags)
    back = read_opml(document)
    assert back[0].site == "https://jeanne-potier.example/"
    assert back[0].description == "Elle m'a appris à tenir un carnet."


@pytest.mark.parametrize(
    "document", [b"", b"<html><body>not a list</body></html>", b"\x00\xff" * 50]
)
def test_what_is_not_opml_is_refused_in_one_line(document):
    with pytest.raises(OpmlError) as error:
        read_opml(document, "feeds.opml")
    assert str(error.value).startswith("feeds.opml: not a usable OPML list") and "\n" not in str(
        error.value
    )


def test_the_import_command_reports_broken_and_huge_files(tmp_path, tiny_site):
    settings = tiny_site({})
    broken = tmp_path / "broken.opml"
    broken.write_text("<opml><body><outline", encoding="utf-8")
    result = run_relais("blogroll", "import", str(broken), "-s", str(settings), cwd=settings.parent)
    assert result.returncode == 1
    assert result.stderr.strip().startswith(f"error: {broken}: not a usable OPML list")
    huge = tmp_path / "huge.opml"
    with huge.open("wb") as stream:
        stream.truncate(10_000_001)
    result = run_relais("blogroll", "import", str(huge), "-s", str(settings), cwd=settings.parent)
    assert result.returncode == 1 and "more than an OPML list should be" in result.stderr
    good = tmp_path / "feeds.opml"
    good.write_bytes(SUBSCRIPTIONS)
    result = run_relais("blogroll", "import", str(good), "-s", str(settings), cwd=settings.parent)
    assert result.returncode == 0, result.stderr
    assert "4 added, 0 already in" in result.stdout
    assert len(parse_blogroll((settings.parent / "content" / "blogroll.yaml").read_text())) == 4


US = ["https://atelier.example/"]


def test_reciprocity_has_four_sources_each_with_its_evidence(tmp_path):
    state = {
        "blogroll": {
            "by_source": {
                "https://j.example/blogroll.opml": [
                    {"site": "https://atelier.example", "feed": "", "title": "A"}
                ],
                "https://j.example/other.opml": [
                    {"site": "https://else.example/", "feed": "", "title": "E"}
                ],
            }
        },
        "entries": [
            {
                "url": "https://j.example/p/1",
                "links": ["https://atelier.example/2026/bols/", "https://else.example/"],
            }
        ],
    }
    # the Webmentions plugin's files where its settings put them, not at data/webmentions/
    settings = {"PATH": str(tmp_path / "content"), "WEBMENTIONS_ARCHIVE": "elsewhere/in.json",
                "WEBMENTIONS_SENT_LOG": "elsewhere/out.json"}
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "in.json").write_text(
        json.dumps(
            {
                "cursors": {},
                "mentions": [
                    {
                        "source": "https://j.example/reply",
                        "target": "https://atelier.example/x",
                        "type": "reply",
                        "author": {"name": "J", "url": "https://j.example/"},
                    },
                    {
                        "source": "https://bridgy.example/like/9",
                        "target": "https://atelier.example/x",
                        "type": "like",
                        "author": {"name": "J", "url": "https://j.example/"},
                    },
                    {
                        "source": "https://other.example/",
                        "target": "https://atelier.example/x",
                        "type": "mention",
                    },
                ],
            }
        )
    )
    (tmp_path / "elsewhere" / "out.json").write_text(
        json.dumps(
            {
                "version": 1,
                "hosts": {},
                "sources": {
                    "https://atelier.example/a": {
                        "hash": "h",
                        "path": "a/index.html",
                        "targets": {
                            "https://j.example/post": {"status": "sent", "code": 202},
                            "https://j.example/failed": {"status": "retry", "code": 500},
                            "https://j.example/planned": {"hash": None, "linked": False,
                                                          "tries": 0},
                            "https://k.example/": {"status": "sent"},
                        },
                    }
                },
            }
        )
    )
    notified = tmp_path / "notified.json"  # --notify's log
    notified.write_text(
        json.dumps(
            {
                "j.example": {"target": "https://j.example/", "status": "sent"},
                "x.example": {"target": "https://x.example/", "status": "no-endpoint"},
            }
        )
    )
    assert notified_targets(notified) == ["https://j.example/"]
    sent = webmentions.sent_targets(settings)
    assert sent == ["https://j.example/post", "https://k.example/"]  # planned ≠ sent
    evidence = evidence_for(
        "https://j.example/", state, US, webmentions.received_sources(settings), sent
    )
    assert evidence.lists_us == ["https://j.example/blogroll.opml"]
    assert evidence.links_to_us == [
        {"entry": "https://j.example/p/1", "link": "https://atelier.example/2026/bols/"}
    ]
    assert evidence.mentioned_us == ["https://bridgy.example/like/9", "https://j.example/reply"]
    assert evidence.we_mentioned == ["https://j.example/post"]
    assert evidence.mutual
    assert evidence.sources() == ["lists us", "links to us", "mentioned us", "we mentioned them"]


def test_missing_or_broken_webmention_files_are_no_evidence_and_one_warning(tmp_path, caplog):
    settings = {"PATH": str(tmp_path / "content"), "BLOGROLL_DATA": "data/blogroll"}
    assert webmentions.received_sources(settings) == []
    assert webmentions.sent_targets(settings) == []
    (tmp_path / "data" / "webmentions").mkdir(parents=True)
    (tmp_path / "data" / "webmentions" / "sent.json").write_text("{not json")
    with pytest.raises(StoreError):
        webmentions.sent_targets(settings)
    assert blogroll_site.sent(blogroll_config(settings)) == []
    assert "reciprocity without sent Webmentions" in caplog.text and "sent.json" in caplog.text
    evidence = evidence_for("https://j.example/", {}, US, [], [])
    assert not evidence.mutual and evidence.sources() == []


def test_the_blogroll_page_finds_each_creators_mentions_as_a_look_at_every_mention_would():
    """build_view looks only at the mentions from a creator's host: the same evidence."""
    sites = ["https://j.example/", "http://www.K.example:8080/blog", "https://k.example/",
             "https://l.example/lou/"]
    urls = ["https://j.example/reply", "https://J.EXAMPLE", "https://www.j.example/x#frag",
            "https://j.example.evil/", "http://k.example:8080/blog/1", "http://k.example:8080/",
            "https://k.example/blog/2", "https://l.example/lou", "https://l.example/louise/3",
            "https://l.example/lou/4", "https://m.example:99999/x", "not a url", ""]  # a port no
    # URL can have: no site's
    received = [{"source": source, "author_url": author}
                for source in urls for author in ("", *urls[::3])]
    view = build_view([Creator(name=f"C{n}", site=site) for n, site in enumerate(sites)], {},
                      inactive_months=6, recent_count=3, own_urls=US, received=received, sent=[])
    found = {m.site: m.evidence.mentioned_us for m in view.active + view.inactive}
    assert found == {site: evidence_for(site, {}, US, received, []).mentioned_us
                     for site in sites}
    assert {"https://J.EXAMPLE", "https://www.j.example/x#frag"} <= set(found["https://j.example/"])
    assert all(found.values())


def test_received_mentions_keep_their_grouping_through_the_builds_memo():
    """The build remembers Received mentions (relais.memo pickles them): their grouping by
    host comes back with them and is not worked out again; the page finds the same."""
    mentions = [{"source": f"https://{host}.example/{n}", "author_url": author}
                for n, host in enumerate("jkjlj") for author in ("", "https://k.example/")]
    again = pickle.loads(pickle.dumps(Received(mentions), protocol=pickle.HIGHEST_PROTOCOL))
    assert again == mentions and again.by_host == group_by_host(mentions)
    assert received_by_host(again) is again.by_host
    creators = [Creator(name=h, site=f"https://{h}.example/") for h in "jkl"]
    views = [build_view(creators, {}, inactive_months=6, recent_count=3, own_urls=US,
                        received=received, sent=[]) for received in (mentions, again)]
    assert views[0] == views[1]


def test_terms_fold_french_and_english():
    found = [key for key, _ in terms("Les tasses en grès et l'émail des Émaux; glazes, the kiln")]
    assert found == ["tasse", "gres", "email", "emau", "glaze", "kiln"]
    profile = Profile().add("émail émail email")
    assert profile.surface("email") == "émail"


def test_a_creator_is_plain_data():
    assert Creator("A", "https://a.example/").key == "a.example"
