"""relais.plugins.core settles each post's address and file once the generators are done
(`settle_urls`): Pelican no longer works `save_as` out again for writing and for the
plugins, and two things written to one file still stop the build."""

from __future__ import annotations

import copy
import datetime as dt
import os
from collections import Counter

import pelican.contents
import pytest
from pelican.contents import Article, Content
from pelican.contents import Page as PelicanPage
from pelican.settings import DEFAULT_CONFIG
from pelican.urlwrappers import Category
from relais.plugins.core.pelican import _worked_out, url_and_save_as

from relais.build import BuildError, build, load_settings
from relais.pagecache import FIELDS, facet_of
from tests.conftest import write_tiny_site
from tests.support.posts import post


def build_site(root, extra: str = "") -> dict:
    settings_file = write_tiny_site(root, {"un-bol.md": post("un-bol"),
                                           "une-tasse.md": post("une-tasse", day=2)})
    with settings_file.open("a", encoding="utf-8") as handle:
        handle.write(extra)
    cwd = os.getcwd()
    os.chdir(root)
    try:
        settings = load_settings(str(settings_file), str(root / "output"),
                                 {"CACHE_PATH": str(root / "cache")})
        return build(settings)
    finally:
        os.chdir(cwd)


def test_a_post_written_to_the_home_page_file_still_stops_the_build(tmp_path):
    """A post sharing its file with another page is an error (Pelican's "already written"):
    a settled save_as must not make the post's write an overriding one."""
    extra = 'ARTICLE_URL = ARTICLE_SAVE_AS = "{slug}.html"\n'
    (tmp_path / "content" / "posts").mkdir(parents=True)
    (tmp_path / "content" / "posts" / "home.md").write_text(post("index"), encoding="utf-8")
    with pytest.raises(BuildError, match=r"already written to it.*index\.html|index\.html.*already"):
        build_site(tmp_path, extra)


def test_each_post_file_is_worked_out_once_after_reading(tmp_path, monkeypatch):
    """Pelican's save_as from the settings: once when the post is read (its checks); when
    the generators are done, with its url (`url_and_save_as`, tested below); not again for
    the writing loop nor the plugins."""
    worked_out: Counter = Counter()
    expand = Content._expand_settings

    def counting(self, key, klass=None):
        if key.endswith("save_as"):
            worked_out[self.source_path] += 1
        return expand(self, key, klass)

    monkeypatch.setattr(Content, "_expand_settings", counting)
    build_site(tmp_path)
    posts = {path: count for path, count in worked_out.items() if "/posts/" in path}
    assert len(posts) == 2 and set(posts.values()) == {1}, worked_out
    # still Pelican's property: the page cache knows a page reading it reads no post's text
    assert facet_of(Article, "save_as") == FIELDS


def test_the_settled_address_and_file_are_pelicans_from_one_url_format(monkeypatch):
    """`url_and_save_as`: Pelican's values for posts and pages, published or drafts, in the
    site's language or another, with the `url_format` (a metadata copy, a relative path, the
    slugs) worked out once for both."""
    settings = {**copy.deepcopy(DEFAULT_CONFIG), "PATH": "/site/content"}
    for kind in ("ARTICLE", "DRAFT", "PAGE", "DRAFT_PAGE"):
        for lang in ("", "LANG_"):
            settings[f"{kind}_{lang}URL"] = f"{kind}/{lang}{{lang}}/{{slug}}/"
            settings[f"{kind}_{lang}SAVE_AS"] = f"{kind}/{lang}{{lang}}/{{slug}}/index.html"
    made = [kind("Un texte.", {"title": "Bol", "date": dt.datetime(2026, 3, 1), "lang": lang,
                               "status": status, "category": Category("Atelier", settings)},
                 settings=settings, source_path="/site/content/posts/bol.md")
            for kind in (Article, PelicanPage) for lang in ("en", "fr")
            for status in ("published", "draft")]
    formats = Counter()
    plain = pelican.contents.path_to_url
    monkeypatch.setattr(pelican.contents, "path_to_url",
                        lambda path: formats.update([path]) or plain(path))
    settled = set()
    for item in made:
        formats.clear()
        found = url_and_save_as(item)
        assert formats == {"posts/bol.md": 1}  # one url_format for both
        assert found == (_worked_out(item, "url"), _worked_out(item, "save_as"))
        settled.add(found)
    assert len(settled) == len(made)  # each kind, status and language its own settings


# -- the slugs of tags, categories and authors, remembered ----------------------------------


def test_remembered_slugs_are_pelicans_and_each_is_worked_out_once(monkeypatch):
    import pelican.urlwrappers as urlwrappers
    from pelican.urlwrappers import Tag
    from pelican.utils import slugify
    from relais.plugins.core.pelican import remember_slugs

    asked = Counter()

    def counting(value, **options):
        asked[value] += 1
        return slugify(value, **options)

    monkeypatch.setattr(urlwrappers, "slugify", counting)
    remember_slugs()
    plain = dict(DEFAULT_CONFIG)
    special = {**plain, "TAG_REGEX_SUBSTITUTIONS": [(r"[^\w\s-]", ""), (r"(?u)\A\s*", ""),
                                                    (r"(?u)\s*\Z", ""), (r"[-\s]+", "_")]}
    names = ["Grès et émail", "Céladon", "grès et émail", "Pot à thé", "Grès et émail"]
    for settings in (plain, special, plain):
        for name in names * 20:
            subs = settings.get("TAG_REGEX_SUBSTITUTIONS",
                                settings.get("SLUG_REGEX_SUBSTITUTIONS", []))
            expected = slugify(name, regex_subs=subs, preserve_case=False, use_unicode=False)
            assert Tag(name, settings).slug == expected
    assert set(asked.values()) == {2}  # each name once per set of substitutions
    assert Tag("Grès et émail", special).slug == "gres_et_email"
