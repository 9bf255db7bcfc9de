"""Each plugin works on its own, with any theme: no plugin needs another's settings applied
first, and a page a plugin writes uses the site's theme or the plugin's own default template."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jinja2 import DictLoader, Environment

from relais.templates import MissingTemplate, plugin_template
from tests.conftest import run_relais

POSTS = {
    "a.md": "Title: First pot\nDate: 2025-01-02 10:00\nCategory: Pots\nTags: clay\n"
            "Author: Ada Lovelace\nSeries: Pots\n\nHello.\n",
    "b.md": "Title: Second pot\nDate: 2025-01-05 10:00\nCategory: Pots\n"
            "Authors: Ada Lovelace, Bob Smith\nSeries: Pots\n\nAgain, after [the first]({filename}a.md).\n",
}
BLOGROLL = "creators:\n  - name: Jeanne\n    site: https://jeanne.example/\n"
SETTINGS = """\
PATH = "content"
SITENAME = "Alone"
SITEURL = "https://alone.example"
RELATIVE_URLS = False
TIMEZONE = "UTC"
PLUGINS = {plugins!r}
"""


def site_with(root: Path, plugins: list[str], blogroll: str = BLOGROLL) -> Path:
    """A plain Pelican site (Pelican's default theme) with only the given plugins."""
    (root / "content").mkdir(parents=True)
    for name, text in POSTS.items():
        (root / "content" / name).write_text(text, encoding="utf-8")
    (root / "content" / "blogroll.yaml").write_text(blogroll, encoding="utf-8")
    settings = root / "conf.py"
    settings.write_text(SETTINGS.format(plugins=plugins), encoding="utf-8")
    return settings


def built(settings: Path, *extra: str) -> Path:
    """Built by `relais build` in a process of its own: Pelican never disconnects a plugin it
    registered, so in-process builds would run every plugin some earlier build loaded."""
    output = settings.parent / "output"
    result = run_relais("build", "-s", str(settings), "-o", str(output), *extra, cwd=settings.parent)
    assert result.returncode == 0, result.stderr
    return output


@pytest.mark.parametrize("plugin, written", [
    ("relais.plugins.feeds", ["feeds/all.rss.xml", "feeds/category/pots.atom.xml", "follow/index.html"]),
    ("relais.plugins.maker_stories", ["series/pots/index.html", "series/index.html"]),
    ("relais.plugins.blogroll", ["blogroll/index.html", "blogroll.opml"]),
])
def test_each_plugin_builds_alone_with_pelicans_default_theme(tmp_path, plugin, written):
    output = built(site_with(tmp_path, [plugin]))
    for path in written:
        page = output / path
        assert page.is_file(), path
        if page.suffix == ".html":  # the plugin's default template, inside the theme's layout
            text = page.read_text(encoding="utf-8")
            assert "theme/css/main.css" in text and 'class="relais-' in text


def test_a_deleted_post_becomes_a_410_page_with_pelicans_default_theme(tmp_path):
    """The webmentions plugin alone: the tombstone is its default template inside the theme's
    layout, says 410 Gone in the head, links home under SITEURL (never href="/")."""
    settings = site_with(tmp_path, ["relais.plugins.webmentions"])
    gone = "https://alone.example/2024/gone/"
    (tmp_path / "data" / "webmentions").mkdir(parents=True)
    log = {"sources": {gone: {"path": "2024/gone/index.html", "targets": {}}}}
    (tmp_path / "data" / "webmentions" / "sent.json").write_text(json.dumps(log), encoding="utf-8")
    page = (built(settings) / "2024" / "gone" / "index.html").read_text(encoding="utf-8")
    assert "theme/css/main.css" in page and 'class="h-entry relais-tombstone"' in page
    assert '<meta http-equiv="Status" content="410 Gone">' in page
    assert f'href="{gone}"' in page and '<a href="https://alone.example/">' in page
    assert 'href="/"' not in page


def test_the_feeds_plugin_writes_pelicans_feeds_in_its_place(tmp_path):
    output = built(site_with(tmp_path, ["relais.plugins.feeds"]))
    # Pelican's defaults: everything, per category, per author, per language (Atom, some RSS)
    for path in ("feeds/all.atom.xml", "feeds/pots.atom.xml", "feeds/ada-lovelace.rss.xml",
                 "feeds/all-en.atom.xml"):
        text = (output / path).read_text(encoding="utf-8")
        assert ">Relais</generator>" in text, path


def test_a_theme_can_replace_a_plugin_template(tmp_path):
    settings = site_with(tmp_path, ["relais.plugins.blogroll"])
    theme = tmp_path / "mytheme" / "templates"
    theme.mkdir(parents=True)
    pelican_theme = Path(__import__("pelican").__file__).parent / "themes" / "notmyidea" / "templates"
    for template in pelican_theme.glob("*.html"):
        (theme / template.name).write_text(template.read_text(encoding="utf-8"), encoding="utf-8")
    (theme / "blogroll.html").write_text('{% extends "base.html" %}{% block content %}'
                                         '<p id="mine">{{ blogroll.active|length }}</p>'
                                         '{% endblock %}', encoding="utf-8")
    settings.write_text(settings.read_text() + 'THEME = "mytheme"\n', encoding="utf-8")
    page = (built(settings) / "blogroll" / "index.html").read_text(encoding="utf-8")
    assert '<p id="mine">1</p>' in page and "relais-blogroll" not in page


def test_the_rss_channel_hook_answers_only_for_a_build_with_the_blogroll(tmp_path):
    with_blogroll = built(site_with(tmp_path / "a", ["relais.plugins.feeds", "relais.plugins.blogroll"]))
    rss = (with_blogroll / "feeds" / "all.rss.xml").read_text(encoding="utf-8")
    assert "<source:blogroll>https://alone.example/blogroll.opml</source:blogroll>" in rss
    without = built(site_with(tmp_path / "b", ["relais.plugins.feeds"]))
    assert "source:blogroll" not in (without / "feeds" / "all.rss.xml").read_text(encoding="utf-8")
    # an empty blogroll: no page, no OPML, nothing announced
    empty = built(site_with(tmp_path / "c", ["relais.plugins.feeds", "relais.plugins.blogroll"],
                            blogroll="creators: []\n"))
    assert not (empty / "blogroll").exists() and not (empty / "blogroll.opml").exists()
    assert "source:blogroll" not in (empty / "feeds" / "all.rss.xml").read_text(encoding="utf-8")


def test_a_missing_template_is_one_line_naming_it():
    class Generator:
        env = Environment(loader=DictLoader({}))
        settings = {"TEMPLATE_EXTENSIONS": [".html"]}

    with pytest.raises(MissingTemplate) as error:
        plugin_template(Generator(), "blogroll", "the blogroll page")
    assert error.value.lines == ["theme: the blogroll page needs a template blogroll.html; the "
                                 "theme has none: add one to its templates/ folder"]


def test_a_wrong_setting_of_a_lone_plugin_still_stops_the_build(tmp_path):
    settings = site_with(tmp_path, ["relais.plugins.feeds"])
    result = run_relais("build", "-s", str(settings), "-e", 'FEEDS_CONTENT="all"', cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith(
        "error: setting FEEDS_CONTENT: must be one of full, summary")
