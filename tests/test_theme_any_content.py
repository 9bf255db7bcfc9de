"""Relais's theme with content nobody wrote for it (the adopted sites of
tests/support/pelican_sites.py): any language, neutral words for ordinary posts, the site's
own menus, code colours, admonitions, wide tables."""

from __future__ import annotations

import re

import pytest

from tests.conftest import run_relais


def html(site, path: str) -> str:
    return (site.output / path).read_text(encoding="utf-8")


def test_a_language_without_a_catalog_builds_in_english_with_a_bcp47_lang(adopted_zh):
    page = html(adopted_zh, "posts/note-1/index.html")
    assert '<html lang="zh-CN">' in page
    assert "Published" in page and "Publié" not in page  # English strings, the fallback


def test_ordinary_posts_get_neutral_words(adopted_rst, adopted_zh):
    for site, path in ((adopted_rst, "2024/03/note-2.html"), (adopted_zh, "posts/note-1/index.html")):
        page = html(site, path)
        for maker_word in ("About this piece", "kind-badge--story", "Made by hand", "Who makes this"):
            assert maker_word not in page, (path, maker_word)
        assert "min read" in page
    assert "Latest posts" in html(adopted_zh, "index.html")
    assert "Latest from the workshop" not in html(adopted_zh, "index.html")


def test_a_site_of_ordinary_posts_has_no_stories_feed_twin_of_all(adopted_zh):
    assert (adopted_zh.output / "feeds" / "all.atom.xml").is_file()
    assert not list((adopted_zh.output / "feeds").glob("stories.*"))


def test_menus_come_from_the_sites_own_settings(adopted_rst):
    page = html(adopted_rst, "2024/03/note-2.html")
    nav = page.split('class="site-nav"', 1)[1].split("</nav>", 1)[0]
    labels = re.findall(r">([^<>]+)</a>", nav)
    # Home, MENUITEMS, series, archives, the blogroll (from LINKS), categories, pages
    assert labels == ["Home", "Blog", "Series", "Archives", "Blogroll", "Engines", "Notes", "About us"]
    assert 'href="/blog/"' in nav
    footer = page.split('class="rel-me"', 1)[1].split("</nav>", 1)[0]
    assert '<a rel="me" href="https://mastodon.example/@ada">Mastodon</a>' in footer
    assert '<a href="mailto:ada@notes.example">Email</a>' in footer  # SOCIAL, not a profile


def test_links_show_in_the_footer_when_there_is_no_blogroll(tmp_path):
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "a.md").write_text("Title: A\nDate: 2025-01-01\n\nText.\n")
    (tmp_path / "conf.py").write_text(
        'import relais\nTHEME = relais.THEME\nPLUGINS = ["relais.plugins.core"]\nPATH = "content"\n'
        'SITENAME = "S"\nLINKS = (("Friend", "https://friend.example/"),)\n'
        'DISPLAY_PAGES_ON_MENU = False\n', encoding="utf-8")
    result = run_relais("build", "-s", "conf.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "output" / "index.html").read_text(encoding="utf-8")
    assert '<a href="https://friend.example/">Friend</a>' in page.split('class="site-links"', 1)[1]
    assert "Blogroll" not in page  # no blogroll: no entry in the menu


def test_pages_only_for_the_languages_the_content_uses(adopted_rst, adopted_zh):
    assert (adopted_zh.output / "blogroll" / "index.html").is_file()
    assert not (adopted_zh.output / "en").exists() and not (adopted_zh.output / "fr").exists()
    assert (adopted_rst.output / "fr" / "blogroll" / "index.html").is_file()  # a French post
    assert not (adopted_rst.output / "en" / "blogroll").exists()  # English is the default


@pytest.mark.browser
def test_code_admonitions_and_wide_tables_look_right(adopted_rst, adopted_zh, browser, artifacts,
                                                     serve_directory):
    pages = {"code": serve_directory(adopted_rst.root / "dev") + "/2024/02/note-1.html",
             "table": serve_directory(adopted_zh.root / "dev") + "/posts/note-1/"}
    code = """() => {
      const style = (sel) => getComputedStyle(document.querySelector(sel));
      return {keyword: style('.highlight .k').color, text: style('.entry-content').color,
              warning: style('.admonition.warning').backgroundColor,
              note: style('.admonition.note').backgroundColor,
              border: parseFloat(style('.admonition.note').borderLeftWidth)};
    }"""
    table = """() => {
      const table = document.querySelector('.entry-content table');
      const box = table.getBoundingClientRect();
      const column = document.querySelector('.entry-content').getBoundingClientRect();
      const wide = table.scrollWidth > table.clientWidth;
      table.scrollLeft = table.scrollWidth;
      const cells = table.querySelectorAll('tr:last-child td');
      const last = cells[cells.length - 1].getBoundingClientRect();
      return {page: document.documentElement.scrollWidth, viewport: innerWidth, wide: wide,
              box: [box.left, box.right], column: [column.left, column.right],
              last: [last.left, last.right]};
    }"""
    seen = {}
    for scheme in ("light", "dark"):
        context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
        page = context.new_page()
        page.goto(pages["code"])
        seen[scheme] = page.evaluate(code)
        page.screenshot(path=str(artifacts / f"any-content-{scheme}.png"), full_page=True)
        page.goto(pages["table"])
        seen[scheme].update(page.evaluate(table))
        context.close()
    for scheme, found in seen.items():
        assert found["keyword"] != found["text"], scheme  # code has colours
        assert found["border"] > 1 and found["warning"] != found["note"], scheme  # admonitions
        assert found["page"] <= found["viewport"], scheme  # the page never gets wider
        assert found["wide"], scheme  # the table is wider than the text column…
        assert found["column"][0] - 1 <= found["box"][0] and found["box"][1] <= found["column"][1] + 1
        assert found["box"][0] - 1 <= found["last"][0] and found["last"][1] <= found["box"][1] + 1
    assert seen["light"]["keyword"] != seen["dark"]["keyword"]


def test_an_author_is_credited_with_their_own_card(adopted_rst, tmp_path):
    """AUTHOR_CARDS gives another author's h-card; without it, the author's page on the site."""
    import mf2py

    cards = '{"Charles Babbage": {"url": "https://babbage.example/", "note": "Engines."}}'
    result = run_relais("build", "-o", str(tmp_path / "out"), "-e", f"AUTHOR_CARDS={cards}",
                        cwd=adopted_rst.site)
    assert result.returncode == 0, result.stderr
    for output, babbage in ((tmp_path / "out", "https://babbage.example/"),
                            (adopted_rst.output, "https://notes.example/author/charles-babbage.html")):
        page = (output / "2024" / "02" / "note-1.html").read_text(encoding="utf-8")
        (entry,) = [i for i in mf2py.parse(doc=page, url="https://notes.example/2024/02/note-1.html")
                    ["items"] if "h-entry" in i["type"]]
        urls = {a["properties"]["name"][0]: a["properties"]["url"][0]
                for a in entry["properties"]["author"]}
        assert urls["Charles Babbage"] == babbage
        assert urls["Ada Lovelace"].rstrip("/") in ("https://notes.example", "")
