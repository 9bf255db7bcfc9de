"""The page cache's notes on what a page read (relais/pagecache.py), on its own: no build."""

from __future__ import annotations

import jinja2

from relais.pagecache import PageCache, TrackedTemplate


def test_a_value_made_after_a_freed_context_copy_is_not_taken_for_the_settings(tmp_path):
    """Pelican writes its period archives with copies of the context, each freed after its
    page: a dict or list a later page reads may be given a freed copy's place in memory (its
    id); it must still be digested by what it holds, never named "settings" (then a change to
    it would go unseen and the page be kept)."""
    cache = PageCache({"CACHE_PATH": str(tmp_path)}, b"test", use=False)
    context = {"generated_content": {}, "static_content": {}}
    for _ in range(50):
        cache.index(dict(context))  # as Pelican's period archives: a copy, freed after its page
    later = [{"page": n} for n in range(200)]
    assert [cache.refs(value) for value in later] == [None] * len(later)
    assert cache.digest({"page": 1}) != cache.digest({"page": 2})


def test_a_name_an_includer_set_first_is_still_noted_when_the_page_reads_its_own():
    """A name is noted (with the value the page was given) the first time the page reads its
    own value, even when an included template read the includer's value of that name first."""
    env = jinja2.Environment(loader=jinja2.DictLoader({
        "page.html": "{% for item in items %}{% include 'part.html' %}{% endfor %}"
                     "{% include 'part.html' %}",
        "part.html": "[{{ item }}]",
    }))
    cache = PageCache({"CACHE_PATH": "unused"}, b"test", use=False)
    page = TrackedTemplate(env.get_template("page.html"), cache, {"items": ["a", "b"]})
    given = ["the page's own"]
    text = page.render({"output_file": "p.html", "items": ["a", "b"], "item": given})
    assert text.startswith("[a][b][") and "own" in text
    assert dict(cache.new["p.html"].names)["item"] == cache.digest(given)


def test_dates_in_other_time_zones_digest_apart():
    """Time zones are pickled by their offset and name (relais.pagecache.reference_table): a
    received mention's date moved to another offset, or named, is a change."""
    import datetime as dt

    from relais.pagecache import pickled_digest, reference_table

    table = reference_table()

    def date(hours, name=None):
        offset = dt.timedelta(hours=hours)
        zone = dt.timezone(offset, name) if name else dt.timezone(offset)
        return pickled_digest({"published": dt.datetime(2026, 11, 29, 12, tzinfo=zone)}, table)

    assert date(1) == date(1)
    assert len({date(1), date(2), date(1, "CET"), date(0)}) == 4


def test_a_tags_posts_given_to_a_filter_count_as_read(tmp_path):
    """A tag's posts are a list of Relais's own kind (relais.plugins.core.members); given to a
    filter, they count as read all the same: a changed title makes the tag's page again."""
    from tests.conftest import write_tiny_site
    from tests.support.posts import post
    from tests.test_incremental import tree
    from tests.test_parallel_build import run

    settings = write_tiny_site(tmp_path, {"a.md": post("a", "Tags: grès"),
                                          "b.md": post("b", "Tags: grès")})
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "tag.html").write_text("{{ articles|titles }}")
    with settings.open("a") as more:
        more.write("from tests.support.build_filters import titles\n"
                   f"THEME_TEMPLATES_OVERRIDES = [{str(tmp_path / 'templates')!r}]\n"
                   'JINJA_FILTERS = {"titles": titles}\n')
    output, cache = tmp_path / "output", tmp_path / "cache"
    run(settings, output, cache, workers=1)
    story = tmp_path / "content" / "posts" / "a.md"
    story.write_text(story.read_text(encoding="utf-8").replace("Title: ", "Title: Nouveau "),
                     encoding="utf-8")
    run(settings, output, cache, workers=1)
    tags = [path for path in output.rglob("*.html") if path.relative_to(output).parts[0] == "tag"]
    assert tags and all("Nouveau" in path.read_text(encoding="utf-8") for path in tags)
    run(settings, tmp_path / "clean", tmp_path / "clean-cache", workers=1, ignore_cache=True)
    assert tree(output) == tree(tmp_path / "clean")


def test_what_each_attribute_of_a_post_reads():
    """`facet_of`: plain values and the properties checked in Pelican's source are fields;
    the text, methods, other descriptors and a subclass's own property read the text."""
    from pelican.contents import Article

    from relais.pagecache import FIELDS, SUMMARY, WHOLE, facet_of

    class Retitled(Article):
        @property
        def url(self):
            return self.content[:10]

    fields = ("title", "date", "tags", "metadata", "url", "save_as", "status", "reading_time",
              "default_template")
    assert {name: facet_of(Article, name) for name in fields} == dict.fromkeys(fields, FIELDS)
    whole = ("content", "_content", "_summary", "_get_content", "get_content", "get_summary",
             "__dict__", "get_siteurl")
    assert {name: facet_of(Article, name) for name in whole} == dict.fromkeys(whole, WHOLE)
    assert facet_of(Article, "summary") == SUMMARY
    assert facet_of(Retitled, "url") == WHOLE


def test_a_value_made_with_its_own_digest_is_digested_by_it(tmp_path):
    """A post's received mentions (a Conversation, made with a digest of all it shows) count
    in its fields by that digest, not pickled again: the same digest, the same fields; another
    digest, other fields."""
    import copy

    from pelican.contents import Article
    from pelican.settings import DEFAULT_CONFIG
    from relais.plugins.webmentions.incoming.display import Conversation

    settings = {**copy.deepcopy(DEFAULT_CONFIG), "PATH": str(tmp_path)}
    post = Article("<p>Un bol.</p>", {"title": "Bol"}, settings=settings,
                   source_path=str(tmp_path / "bol.md"), context={})
    post.mentions = Conversation().sealed()

    def fields() -> bytes:
        cache = PageCache({"CACHE_PATH": str(tmp_path),
                           "INTRASITE_LINK_REGEX": DEFAULT_CONFIG["INTRASITE_LINK_REGEX"]},
                          b"test", use=False)
        cache.index({"generated_content": {"bol.md": post}, "static_content": {}})
        return cache.fields_digest(cache.reference(post))

    before = fields()
    post.mentions.links.append("changed, but made with the same digest")
    assert fields() == before
    post.mentions.sealed()
    assert fields() != before
