"""Incremental builds: after each kind of change, the same bytes as a clean build.

A copy of the sample site is built once; then, change after change, it is
built again the way a writer does (same output folder, the caches of the last
build) and, beside it, from nothing (a fresh cache, a fresh output folder).
Every file of the two outputs must be the same, byte for byte; and a build
with nothing changed makes no page at all.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from relais.build import build, load_settings
from tests.conftest import REPO, write_tiny_site
from tests.support.photos import phone_photo
from tests.support.posts import post

SETTINGS = """\
import sys
sys.path.insert(0, {repo!r})
from pelicanconf import *
PATH = "content"
THEME = "theme"
{extra}
"""
PUBLISH = 'SITEURL = "https://atelier-maelle.example"\nRELATIVE_URLS = False\n'


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


class Site:
    """A copy of the sample site (content, data, theme) with its own settings; or, given
    `settings`, the site already in `root`."""

    def __init__(self, root: Path, extra: str = "", settings: Path | None = None):
        self.root, self.settings, self.clean_count = root, settings, 0
        if settings is None:
            for name in ("content", "data", "theme"):
                shutil.copytree(REPO / name, root / name)
            self.settings = root / "site.py"
            self.settings.write_text(SETTINGS.format(repo=str(REPO), extra=extra),
                                     encoding="utf-8")

    def build(self, output: Path, cache: Path, **options):
        cwd = os.getcwd()
        os.chdir(self.root)
        try:
            settings = load_settings(str(self.settings), str(output), {"CACHE_PATH": str(cache)})
            return build(settings, **options)
        finally:
            os.chdir(cwd)

    def incremental(self):
        return self.build(self.root / "output", self.root / "cache")

    def clean(self):
        self.clean_count += 1
        name = f"clean-{self.clean_count}"
        return self.build(self.root / name, self.root / f"{name}-cache", ignore_cache=True)

    def post(self, name: str) -> Path:
        return self.root / "content" / "posts" / name

    def edit(self, path: Path, change: Callable[[str], str]) -> None:
        path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")


NEW_POST = """\
Title: Un bol tout neuf
Date: 2026-11-30 09:00
Category: Atelier
Tags: grès, bols
Slug: bol-tout-neuf
Series: Première collection
Part: 5
Summary: Le cinquième épisode.

Un bol, enfin. Voir [les tests]({filename}/posts/collection-2-tests-email.md).
"""


def new_mention(site: Site) -> None:
    path = site.root / "data" / "webmentions" / "received.json"
    archive = json.loads(path.read_text(encoding="utf-8"))
    archive["mentions"].append({
        "author": {"name": "Nouvelle Voisine", "photo": None, "url": "https://voisine.example/"},
        "content": {"html": "<p>Très beau travail !</p>", "text": "Très beau travail !"},
        "name": None, "published": "2026-11-29T12:00:00+01:00",
        "received": "2026-11-29T12:00:00+01:00", "rsvp": None,
        "source": "https://voisine.example/notes/1",
        "target": "https://atelier-maelle.example/2026/tests-email/", "type": "reply",
        "url": "https://voisine.example/notes/1", "via": "receiver"})
    path.write_text(json.dumps(archive, ensure_ascii=False, indent=1), encoding="utf-8")


# (what changes, how) — in this order, each on top of the ones before
CHANGES = [
    ("the text of one post", lambda s: s.edit(
        s.post("collection-2-tests-email.md"), lambda t: t.replace(
            "Je voulais un vert d'eau.", "Je voulais un vert d'eau, vraiment."))),
    ("a post's title (in lists, neighbours, links to it)", lambda s: s.edit(
        s.post("collection-1-douze-tasses.md"), lambda t: re.sub(
            r"(?m)^Title: .*$", "Title: Douze tasses, et une de plus", t, count=1))),
    ("a new post in a series, linking to another", lambda s: s.post("bol-tout-neuf.md")
        .write_text(NEW_POST, encoding="utf-8")),
    ("a post's slug (its URL, and the links to it)", lambda s: s.edit(
        s.post("collection-2-tests-email.md"), lambda t: t.replace(
            "Slug: tests-email", "Slug: essais-email"))),
    ("the slug of a note a story links to", lambda s: s.edit(
        s.post("notes/tour-occasion.md"), lambda t: t.replace(
            "Slug: tour-occasion", "Slug: un-tour-d-occasion"))),
    ("a post deleted", lambda s: s.post("bols-et-plateaux.md").unlink()),
    ("a translation added", lambda s: s.post("bol-tout-neuf-en.md").write_text(
        NEW_POST.replace("Title: Un bol tout neuf", "Title: A brand new bowl")
        .replace("Slug: bol-tout-neuf", "Slug: bol-tout-neuf\nLang: en"), encoding="utf-8")),
    ("a received mention in data/", new_mention),
    ("the blogroll file", lambda s: s.edit(
        s.root / "content" / "blogroll.yaml", lambda t: t.replace("Jeanne Potier", "Jeanne P."))),
    ("a setting", lambda s: s.edit(
        s.settings, lambda t: t + 'SITESUBTITLE = "Des bols, des tasses, des essais"\n')),
    ("a theme template", lambda s: s.edit(
        s.root / "theme" / "templates" / "partials" / "footer.html",
        lambda t: t.replace("</footer>", "<p>Merci de votre visite.</p></footer>", 1))),
    ("a translation of the theme", lambda s: s.edit(
        s.root / "theme" / "translations" / "fr.json",
        lambda t: t.replace('"Reading time": "', '"Reading time": "Lecture : ', 1))),
    ("an image", lambda s: (s.root / "content" / "images" / "tests-email.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><rect width="4" height="4"/>'
        "</svg>", encoding="utf-8")),
    ("a photo shown in a post", lambda s: (
        phone_photo(s.root / "content" / "images" / "atelier.jpg", (1200, 900), seed=3),
        s.edit(s.post("collection-2-tests-email.md"),
               lambda t: t + "\n![L'atelier](/images/atelier.jpg)\n"))),
    ("the photo replaced, of another size (its page's text is the same)", lambda s: phone_photo(
        s.root / "content" / "images" / "atelier.jpg", (700, 1000), seed=4)),
]


@pytest.mark.parametrize("mode", ["development", "publish"])
def test_incremental_builds_are_clean_builds_byte_for_byte(tmp_path, mode):
    site = Site(tmp_path, PUBLISH if mode == "publish" else "")
    first = site.incremental()
    assert first.pages_made > 50 and first.pages_kept == 0
    again = site.incremental()
    assert (again.pages_made, again.pages_kept) == (0, first.pages_made)
    assert tree(site.root / "output") == tree(site.clean().output)
    for what, change in CHANGES:
        change(site)
        made = site.incremental()
        assert tree(site.root / "output") == tree(site.clean().output), what
        if what == "the text of one post":
            assert made.pages_kept > made.pages_made, (what, made.pages_made, made.pages_kept)


def test_a_failed_build_leaves_the_last_good_site_and_caches(tmp_path):
    site = Site(tmp_path)
    site.incremental()
    before = tree(site.root / "output")
    site.edit(site.post("collection-1-douze-tasses.md"),
              lambda t: re.sub(r"(?m)^Date: .*$", "Date: demain", t, count=1))
    with pytest.raises(Exception, match="Date: 'demain' is not a date"):
        site.incremental()
    assert tree(site.root / "output") == before
    assert not list(site.root.glob(".output*"))
    site.edit(site.post("collection-1-douze-tasses.md"),
              lambda t: t.replace("Date: demain", "Date: 2026-02-01 10:00"))
    site.incremental()
    assert tree(site.root / "output") == tree(site.clean().output)


TRICKY = {
    "notes.md": "Title: Notes\nDate: 2026-01-01\nSummary: Un *résumé* avec [un lien](https://x.example).\n\n"
                "Un texte[^1] avec une HTML abbr.\n\n*[HTML]: HyperText\n\n[^1]: La note.\n",
    "table.md": "Title: Table\nDate: 2026-01-02\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
                "```python\nprint('x')\n```\n\nUne autre note[^1].\n\n[^1]: Pas la même.\n",
    "plain.md": "Title: Sans rien\nDate: 2026-01-03\n\nPas de HTML ici, ni de note.\n",
    "nometa.md": "Juste un texte, sans métadonnées.\n",
}


def test_the_reused_markdown_parser_reads_like_a_new_one_each_time(tmp_path):
    """Every file of the sample, then files whose footnotes and abbreviations must not leak
    into the next one: the same HTML and metadata as Pelican's own reader."""
    from pelican.readers import MarkdownReader
    from pelican.settings import DEFAULT_CONFIG

    from relais.pagecache import reusing_reader

    for name, text in TRICKY.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    files = sorted((REPO / "content").rglob("*.md")) + [tmp_path / name for name in TRICKY]
    settings = {**DEFAULT_CONFIG, "MARKDOWN": {**DEFAULT_CONFIG["MARKDOWN"]}}
    reused = reusing_reader(MarkdownReader)(settings)
    for path in files * 2:
        assert reused.read(str(path)) == MarkdownReader(settings).read(str(path)), path


def test_a_kept_reading_time_follows_the_text(tmp_path):
    """Each post's reading time is kept between builds by its text (relais.memo): a longer
    text gives a longer time in the next build, as in a clean one."""
    site = Site(tmp_path, settings=write_tiny_site(
        tmp_path, {"pot.md": post("pot", body="Un bol. " * 30)}))
    page = tmp_path / "output" / "2026" / "pot" / "index.html"
    site.incremental()
    assert "1 min de lecture" in page.read_text(encoding="utf-8")
    site.edit(site.post("pot.md"), lambda text: text + "Un bol de plus. " * 400)
    site.incremental()
    assert "9 min de lecture" in page.read_text(encoding="utf-8")
    assert tree(tmp_path / "output") == tree(site.clean().output)
