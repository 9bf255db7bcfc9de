"""The sample site builds cleanly, every internal link resolves, and parsers read it right."""

import re
from pathlib import Path

import mf2py
import pytest

from tests.support.linkcheck import broken_links


def article_pages(output: Path) -> list[Path]:
    """Every built article page (year folders and their translations)."""
    pages = [p for p in output.glob("20[0-9][0-9]/*/index.html")]
    pages += [p for p in output.glob("*/20[0-9][0-9]/*/index.html") if not p.parts[-4] == "page"]
    return sorted(pages)


def items_of(path: Path, kind: str):
    parsed = mf2py.parse(doc=path.read_text(encoding="utf-8"), url="http://site.invalid/"
                         + path.as_posix().split("/output/", 1)[1])
    found = []

    def walk(items):
        for item in items:
            if kind in item.get("type", []):
                found.append(item)
            walk(item.get("children", []))

    walk(parsed["items"])
    return parsed, found


def test_the_sample_site_builds_with_zero_warnings(sample_site):
    assert sample_site.warnings == []


def test_every_internal_link_and_image_resolves(sample_site):
    assert broken_links(sample_site.output) == []


def test_there_are_enough_posts_and_translations(sample_site):
    pages = article_pages(sample_site.output)
    english = [p for p in pages if p.relative_to(sample_site.output).parts[0] == "en"]
    assert len(pages) - len(english) >= 10 and len(english) >= 2


def test_each_article_page_is_one_complete_h_entry(sample_site):
    for page in article_pages(sample_site.output):
        _parsed, entries = items_of(page, "h-entry")
        assert len(entries) == 1, page
        props = entries[0]["properties"]
        for name in ("name", "content", "published", "url"):
            assert props.get(name), f"{page}: no {name}"
        author = props["author"][0]
        assert "h-card" in author["type"], page
        assert author["properties"].get("name") and author["properties"].get("url"), page


@pytest.mark.parametrize("metadata, prop", [
    ("In-Reply-To", "in-reply-to"), ("Like-Of", "like-of"), ("Bookmark-Of", "bookmark-of"),
])
def test_interactions_carry_their_target(sample_site, metadata, prop):
    sources = [p for p in Path("content/posts").rglob("*.md")
               if f"\n{metadata}:" in p.read_text(encoding="utf-8")]
    assert sources, f"the sample site has no post with {metadata}"
    found = 0
    for page in article_pages(sample_site.output):
        _parsed, entries = items_of(page, "h-entry")
        cited = entries[0]["properties"].get(prop)
        if cited:
            target = cited[0]
            assert "h-cite" in target["type"]
            assert target["properties"]["url"][0].startswith("https://")
            found += 1
    assert found == len(sources)


def test_the_home_page_is_an_h_feed_of_h_entries(sample_site):
    parsed, feeds = items_of(sample_site.output / "index.html", "h-feed")
    assert len(feeds) == 1
    entries = [c for c in feeds[0].get("children", []) if "h-entry" in c["type"]]
    assert len(entries) >= 5
    dates = [e["properties"]["published"][0] for e in entries]
    # one feed, two runs each newest first: the stories (the grid), then the short posts
    rises = [i for i in range(1, len(dates)) if dates[i] > dates[i - 1]]
    assert len(rises) == 1, "home page: stories newest first, then the short posts"
    stories, short = entries[:rises[0]], entries[rises[0]:]
    assert not any(k in e["properties"] for e in stories
                   for k in ("in-reply-to", "like-of", "repost-of", "bookmark-of"))
    assert any("like-of" in e["properties"] for e in short)


def test_every_page_has_the_owner_h_card_and_rel_me(sample_site):
    for page in [sample_site.output / "index.html", *article_pages(sample_site.output)[:3]]:
        parsed, cards = items_of(page, "h-card")
        top = [i for i in parsed["items"] if "h-card" in i["type"]]
        assert top and top[0]["properties"]["name"] and top[0]["properties"].get("photo"), page
        assert parsed["rels"].get("me"), page


def test_series_pages_list_their_parts_in_order(sample_site):
    index = sample_site.output / "series" / "index.html"
    assert index.is_file()
    page = sample_site.output / "series" / "premiere-collection" / "index.html"
    _parsed, feeds = items_of(page, "h-feed")
    urls = [c["properties"]["url"][0] for c in feeds[0]["children"]]
    parts = []
    for url in urls:
        path = sample_site.output / url.split("site.invalid/", 1)[1].lstrip("/") / "index.html"
        source = path.resolve().read_text(encoding="utf-8")
        parts.append(int(re.search(r'class="series-part">\D*(\d+)', source).group(1)))
    assert len(parts) >= 3 and parts == sorted(parts)


def test_the_404_page_exists(sample_site):
    assert (sample_site.output / "404.html").is_file()
