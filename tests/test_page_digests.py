"""The digests of Pelican's paginated pages (`articles_page`, its next and previous), each
page described by its number, its file and its paginator (relais/pagecache.py
`describe_page`): no build, real Pelican posts, paginators and pages."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from pelican.contents import Article
from pelican.paginator import Paginator
from pelican.settings import DEFAULT_CONFIG

from relais.pagecache import PageCache

SETTINGS = {**copy.deepcopy(DEFAULT_CONFIG), "PATH": "/site/content", "DEFAULT_ORPHANS": 0}


def posts(count: int) -> list[Article]:
    return [Article("Un texte.", {"title": f"Bol {n}", "date": dt.datetime(2026, 3, 1 + n)},
                    settings=SETTINGS, source_path=f"/site/content/posts/bol-{n}.md")
            for n in range(count)]


def digest(paginator: Paginator, number: int) -> bytes:
    """The digest of one page in a new build's page cache (nothing remembered from before)."""
    cache = PageCache({"CACHE_PATH": "unused"}, b"test", use=False)
    return cache.digest(paginator.page(number))


def paginator(items, per_page=2, name="index.html") -> Paginator:
    found = Paginator(name, "", items, SETTINGS, per_page)
    found.num_pages  # noqa: B018  (as Pelican's writer does before making the pages)
    return found


@pytest.fixture(scope="module")
def shelf():
    return posts(7)


def test_the_same_page_digests_the_same_in_another_build(shelf):
    assert digest(paginator(list(shelf)), 2) == digest(paginator(list(shelf)), 2)


def test_its_posts_their_order_its_number_and_the_counts_change_its_digest(shelf):
    page = digest(paginator(list(shelf)), 2)
    other_post = [*shelf[:2], posts(9)[8], *shelf[3:]]
    changes = {
        "a post of the page replaced": digest(paginator([*shelf[:3], shelf[6], *shelf[4:6]]), 2),
        "a post of another page replaced": digest(paginator(other_post[:6] + shelf[6:]), 2),
        "two posts of the page swapped": digest(paginator([*shelf[:2], shelf[3], shelf[2],
                                                           *shelf[4:]]), 2),
        "another page's posts swapped": digest(paginator([shelf[1], shelf[0], *shelf[2:]]), 2),
        "the next page": digest(paginator(list(shelf)), 3),
        "a post fewer in all": digest(paginator(shelf[:6]), 2),
        "three a page": digest(paginator(list(shelf), per_page=3), 2),
        "another list's file": digest(paginator(list(shelf), name="tag/bol.html"), 2),
    }
    assert page not in changes.values()
    assert len(set(changes.values())) == len(changes)


def test_a_page_whose_posts_were_changed_after_it_was_made_is_described_by_them(shelf):
    """A plugin may change a page's posts: then they are not the paginator's for its number."""
    pages = paginator(list(shelf))
    natural, changed = pages.page(2), pages.page(2)
    changed.object_list = [shelf[6], shelf[5]]
    cache = PageCache({"CACHE_PATH": "unused"}, b"test", use=False)
    assert cache.digest(natural) != cache.digest(changed)
    again = pages.page(2)
    again.object_list = [shelf[6], shelf[5]]
    assert cache.digest(again) == cache.digest(changed)


def test_a_pages_posts_are_described_once_for_its_list_not_for_each_page(shelf, monkeypatch):
    """Every paginated page reads three pages (itself, the next, the previous), each with its
    own copy of its posts: once the list is described, the pages name none of its posts."""
    pages = paginator(list(shelf))
    cache = PageCache({"CACHE_PATH": "unused"}, b"test", use=False)
    cache.digest(pages)
    named = []
    reference = PageCache.reference
    monkeypatch.setattr(PageCache, "reference",
                        lambda self, value: named.append(value) or reference(self, value))
    for number in (1, 2, 3):
        cache.digest(pages.page(number))
    assert [value for value in named if isinstance(value, Article)] == []
