"""A page depends on a post's text only when it reads the text (relais/pagecache.py).

Lists show a post's title, date and `Summary:` field: a body edit makes only the
post's own page again, any field change every list showing it. A list that
does read the text (a theme's own template reading `content`, a summary cut
from the text, a filter or function given posts, a piece made by `once()`
from a macro reading `content`) is made again after a body edit, whatever
path the template takes to it. Each time: the same bytes as a clean build.
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import write_tiny_site
from tests.support.posts import post
from tests.test_incremental import Site, tree

# a post with a Summary field, one without (its summary is cut from its text), another
POSTS = {
    "a.md": post("a", "Tags: grès, bol\nSummary: Un bol en grès.", day=1,
                 body="\nLe premier bol de la série.\n"),
    "b.md": post("b", "Tags: grès", day=2, body="\nUn pot sans résumé.\n"),
    "c.md": post("c", "Tags: bol\nSummary: Une tasse.", day=3, body="\nUne tasse.\n"),
}
OVERRIDES = {  # one way of reading the posts' text in a list, per page
    "index.html": "{% for a in articles %}[{{ a.content }}]{% endfor %}",
    "tags.html": '{{ articles|map(attribute="content")|join("|") }}',
    "categories.html": '{% for a in articles %}[{{ a|attr("content") }}]{% endfor %}',
    "tag.html": "{{ articles|first_words }}",
    "category.html": "{% macro body(post) %}[{{ post.content }}]{% endmacro %}"
                     "{% for a in articles %}{{ once(body, a) }}{% endfor %}",
    # a post reached as an attribute's value (c's next part: a), given to a function of the
    # context (no filter: the page cache cannot see into it)
    "authors.html": "{% for p in articles %}{% if p.series_info and p.series_info.next %}"
                    "[{{ RELAIS_TEST_TEXTS.first_words(p.series_info.next) }}]"
                    "{% endif %}{% endfor %}",
}
SERIES = {"a.md": "Series: Essais\nPart: 2\n", "c.md": "Series: Essais\nPart: 1\n"}
MORE_SETTINGS = """
from tests.support.build_filters import first_words
THEME_TEMPLATES_OVERRIDES = [{templates!r}]
JINJA_FILTERS = {{"first_words": first_words}}
RELAIS_TEST_TEXTS = {{"first_words": first_words}}
"""


def body_edit(text: str) -> str:
    return text.replace("Un texte.", "Un texte, revu.")


def tiny(root, overrides: dict[str, str] | None = None) -> Site:
    posts = POSTS
    if overrides:
        posts = {name: text.replace("Tags:", SERIES.get(name, "") + "Tags:", 1)
                 for name, text in POSTS.items()}
    settings = write_tiny_site(root, posts)
    if overrides:
        templates = root / "templates"
        templates.mkdir()
        for name, text in overrides.items():
            (templates / name).write_text(text, encoding="utf-8")
        with settings.open("a", encoding="utf-8") as more:
            more.write(MORE_SETTINGS.format(templates=str(templates)))
    return Site(root, settings=settings)


def test_a_body_edit_makes_only_the_posts_page_and_a_field_edit_every_list(tmp_path):
    """The theme's lists (home, tags, category, author, archives, year, via `once()`) show
    the title, date and Summary field: a body edit makes one page; a field edit makes every
    page showing it, as a clean build has them."""
    site = tiny(tmp_path)
    first = site.incremental()
    site.edit(site.post("a.md"), body_edit)
    made = site.incremental()
    assert (made.pages_made, made.pages_kept) == (1, first.pages_made - 1)
    assert tree(tmp_path / "output") == tree(site.clean().output)
    fields = [
        ("Title: A", "Title: Un grand bol", "Un grand bol", 7),
        ("Summary: Un bol en grès.", "Summary: Un bol bleu.", "Un bol bleu.", 7),
        ("Date: 2026-03-01 10:00", "Date: 2026-03-04 10:00", "4 mars 2026", 7),
        ("Tags: grès, bol", "Tags: grès, bol, émail", "émail", 2),
    ]
    for old, new, shown, pages in fields:
        site.edit(site.post("a.md"), lambda text, old=old, new=new: text.replace(old, new))
        made = site.incremental()
        showing = [path for path in (tmp_path / "output").rglob("*.html")
                   if shown in path.read_text(encoding="utf-8")]
        assert len(showing) > pages, new  # the post's page and its lists
        assert made.pages_made >= len(showing), (new, made.pages_made, len(showing))
        assert tree(tmp_path / "output") == tree(site.clean().output), new


@pytest.fixture(scope="module")
def edited(tmp_path_factory):
    """A site whose lists read the text in every way (OVERRIDES), built, then built again
    after a body edit of `a` (Summary field) and of `b` (none), and built clean."""
    root = tmp_path_factory.mktemp("facets")
    site = tiny(root, OVERRIDES)
    site.incremental()
    for name in ("a.md", "b.md"):
        site.edit(site.post(name), body_edit)
    site.incremental()
    return tree(root / "output"), tree(site.clean().output)


@pytest.mark.parametrize("page, how", [
    ("index.html", "post.content in a list"),
    ("tags/index.html", "map(attribute='content')"),
    ("categories/index.html", "|attr('content')"),
    ("tag/gres/index.html", "a filter given the posts"),
    ("categorie/atelier/index.html", "once() with a macro reading post.content"),
    ("auteurs/index.html", "a function of the context, given an attribute's post"),
    ("archives/index.html", "the summary cut from the text (no Summary field)"),
])
def test_a_list_reading_the_text_is_made_again_after_a_body_edit(edited, page, how):
    incremental, clean = edited
    assert "revu" in incremental[page].decode("utf-8"), how
    assert incremental[page] == clean[page], how


def test_every_page_after_a_body_edit_is_the_clean_builds(edited):
    incremental, clean = edited
    assert incremental == clean
    assert re.search("revu", clean["index.html"].decode("utf-8"))
