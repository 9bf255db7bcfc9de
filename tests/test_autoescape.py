"""Autoescape is on in every template; the owner's own HTML still renders as she wrote it."""

from __future__ import annotations

from pathlib import Path

import pytest
from markupsafe import Markup
from relais.plugins.core.escaping import html_text

from relais.build import build, load_settings
from relais.i18n import Catalogs
from tests.conftest import REPO, run_relais

CODE_POST = """\
Title: Tom & Jerry's <em>pots</em>
Date: 2026-03-01 10:00
Category: Atelier
Slug: code-sample

How I wrote the `<script>alert(1)</script>` tag in *my* notes, & more.

```html
<script>alert(2)</script>
```
"""


def build_tiny(tiny_site, tmp_path, posts, **overrides):
    settings = tiny_site(posts)
    return build(load_settings(str(settings), str(tmp_path / "out"), overrides))


def test_the_owners_html_renders_and_code_samples_stay_text(tiny_site, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    report = build_tiny(tiny_site, tmp_path, {"code.md": CODE_POST})
    page = (report.output / "2026" / "code-sample" / "index.html").read_text(encoding="utf-8")
    # the title is HTML in Pelican's convention: shown as written, its text in <title>
    assert "<h1 class=\"p-name entry-title\">Tom & Jerry's <em>pots</em></h1>" in page
    assert "<title>Tom &amp; Jerry's pots · " in page
    # the content is the owner's Markdown made HTML: rendered, not escaped
    assert "<em>my</em>" in page and "&lt;em&gt;" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>" not in page
    # the archives show the summary as text: the code sample must not become a live tag
    # (Jinja's striptags alone decodes &lt;script&gt; into <script>)
    archives = (report.output / "archives" / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in archives
    assert "<script>" not in archives


MENU_SITE = """\
AUTHOR = "Test Maker"
SITENAME = "Tiny <b>site</b>"
PATH = "content"
THEME = "simple"
PLUGINS = [{plugin!r}]
MENUITEMS = [("<script>alert(3)</script>", "/x/")]
TIMEZONE = "UTC"
"""


@pytest.mark.parametrize("plugin", ["relais.plugins.core",
                                    "relais.plugins.webmentions"])
def test_any_theme_gets_autoescape_and_keeps_pelicans_html(tmp_path, plugin):
    """Pelican's own `simple` theme, with one Relais plugin: values are escaped, the post's
    HTML, title and SITENAME still render as HTML. Built in its own process: Pelican's signals
    are global, and the plugins other tests loaded would stay connected here."""
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "post.md").write_text(
        "Title: A <em>post</em>\nDate: 2026-03-01\n\nSome *emphasis*.\n", encoding="utf-8")
    (tmp_path / "site.py").write_text(MENU_SITE.format(plugin=plugin), encoding="utf-8")
    done = run_relais("build", "-s", "site.py", "-o", "out", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in index and "<script>" not in index
    assert "<em>emphasis</em>" in index and "A <em>post</em>" in index
    assert "Tiny <b>site</b>" in index


def test_the_text_filter_keeps_text_and_escapes_what_could_be_markup():
    assert html_text(Markup("<p>l'atelier &amp; <b>moi</b> &lt;script&gt;</p>")) == Markup(
        "l'atelier &amp; moi &lt;script&gt;")
    assert html_text('a "quote" <i>x</i>') == Markup("a &#34;quote&#34; x")


def test_theme_strings_are_markup_and_unknown_values_passed_to_gettext_are_escaped():
    catalogs = Catalogs(REPO / "theme" / "translations", "fr")
    said = catalogs.markup("en", "Read the whole reply on the author's site")
    assert isinstance(said, Markup) and said == "Read the whole reply on the author's site"
    assert catalogs.markup("fr", "yes") == "oui"
    assert catalogs.markup("fr", "<img src=x onerror=alert(1)>") == (
        "&lt;img src=x onerror=alert(1)&gt;")


def test_the_theme_has_no_hand_written_escape_left():
    """With autoescape, `|e` is noise; a template that still needs it is a template that relies
    on it, which autoescape made unnecessary."""
    for template in (REPO / "theme" / "templates").rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert "|e }}" not in text and "|e)" not in text and "|safe" not in text, template


def test_autoescape_is_in_the_settings_pelican_uses(tiny_site, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = load_settings(str(tiny_site({})), str(tmp_path / "out"))
    from pelican import Pelican

    Pelican(settings)  # plugins registered, `initialized` sent
    assert settings["JINJA_ENVIRONMENT"]["autoescape"] is True
    assert settings["JINJA_ENVIRONMENT"]["auto_reload"] is False  # the site's own keys kept
    assert Path(settings["THEME"]).is_dir()
