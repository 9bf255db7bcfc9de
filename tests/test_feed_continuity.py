"""Feed continuity: with the feeds plugin, the feeds a plain Pelican site had stay at their
paths, hold the same posts and keep Pelican's entry ids (FEEDS_ID_AUTHORITY = "pelican")."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import feedparser
import pytest
from relais.plugins.feeds.ids import entry_id, pelican_id

from tests.conftest import run_relais
from tests.test_plugins_alone import POSTS

SETTINGS = """\
PATH = "content"
SITENAME = "Old blog"
SITEURL = "https://old.example/blog"
RELATIVE_URLS = False
TIMEZONE = "Europe/Paris"
ARTICLE_URL = "posts/{date:%Y}/{slug}/"
ARTICLE_SAVE_AS = "posts/{date:%Y}/{slug}/index.html"
FEED_ALL_RSS = "feed.xml"
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = "feeds/{slug}.atom.xml"
TAG_FEED_RSS = "feeds/tag-{slug}.rss.xml"
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
"""
RELAIS = 'PLUGINS = ["relais.plugins.feeds"]\nFEEDS_ID_AUTHORITY = {ids!r}\n'


def feeds_of(output: Path) -> dict[str, list[str]]:
    return {p.relative_to(output).as_posix(): [e.id for e in feedparser.parse(p.read_bytes()).entries]
            for p in sorted(output.rglob("*.xml"))}


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    root = tmp_path_factory.mktemp("plain")
    (root / "content").mkdir()
    for name, text in POSTS.items():
        (root / "content" / name).write_text(text, encoding="utf-8")
    (root / "conf.py").write_text(SETTINGS, encoding="utf-8")
    subprocess.run([sys.executable, "-m", "pelican", "-q", "-s", "conf.py", "-o", "plain"],
                   cwd=root, check=True, capture_output=True)
    return root


def with_relais(root: Path, ids) -> dict[str, list[str]]:
    (root / "relais.conf.py").write_text(SETTINGS + RELAIS.format(ids=ids), encoding="utf-8")
    out = root / f"relais-{ids}"
    result = run_relais("build", "-s", "relais.conf.py", "-o", str(out), cwd=root)
    assert result.returncode == 0, result.stderr
    return feeds_of(out)


def test_every_pelican_feed_keeps_its_path_and_its_entry_ids(plain):
    before = feeds_of(plain / "plain")
    assert {"feed.xml", "feeds/all.atom.xml", "feeds/pots.atom.xml", "feeds/tag-clay.rss.xml",
            "feeds/all-en.atom.xml"} <= set(before)
    after = with_relais(plain, "pelican")
    for path, ids in before.items():
        assert sorted(after[path]) == sorted(ids), path
    assert after["feeds/all.rss.xml"]  # and the plugin's own feeds besides


def test_without_pelicans_ids_readers_would_see_every_post_again(plain):
    before = feeds_of(plain / "plain")
    after = with_relais(plain, None)
    assert set(after["feed.xml"]).isdisjoint(before["feed.xml"])


def test_pelicans_id_scheme():
    from datetime import date

    assert pelican_id("https://Old.example:8080/blog", "posts/2025/pot/",
                      date(2025, 1, 2)) == "tag:old.example,2025-01-02:/blog/posts/2025/pot/"
    assert entry_id("site.example,2026", permalink="https://x/", site_url="", url="", lang="fr",
                    slug="pot", published=date(2025, 1, 2)) == "tag:site.example,2026:fr/pot"
