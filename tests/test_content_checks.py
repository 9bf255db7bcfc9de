"""Every content problem stops the build with `file:line: Field: what to do`, all at once.

Each case here used to drop a post (or a link, an image) in silence: the build
said "1 warning(s)" and exited 0.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from relais.build import BuildError, build, load_settings
from tests.conftest import run_relais
from tests.support.posts import post


def build_errors(settings: Path, **overrides) -> list[str]:
    """The problem lines an in-process build stops with ([] if it builds)."""
    cwd = os.getcwd()
    os.chdir(settings.parent)
    try:
        build(load_settings(str(settings), overrides=overrides or None))
    except BuildError as error:
        return str(error).splitlines()
    finally:
        os.chdir(cwd)
    return []


# (the bad post's text, the line the build stops with)
CASES = {
    "unreadable date": (
        "Title: Demain\nDate: demain\nSlug: bad\n\nUn texte.\n",
        "content/posts/bad.md:2: Date: 'demain' is not a date Relais can read: write it as "
        "YYYY-MM-DD or YYYY-MM-DD HH:MM"),
    "impossible date": (
        "Title: Faux\nDate: 2026-13-45\nSlug: bad\n\nUn texte.\n",
        "content/posts/bad.md:2: Date: '2026-13-45' is not a real date"),
    "ambiguous date": (
        "Title: Ambigu\nSlug: bad\nDate: 01/12/2026\n\nUn texte.\n",
        "content/posts/bad.md:3: Date: '01/12/2026' could be 1 December or 12 January 2026: "
        "write 2026-12-01 or 2026-01-12 (YYYY-MM-DD)"),
    "ambiguous modified date": (
        post("bad", "Modified: 03/04/2026\n"),
        "content/posts/bad.md:5: Modified: '03/04/2026' could be 3 April or 4 March 2026"),
    "missing title": (
        "Date: 2026-03-02 10:00\nSlug: bad\n\nUn texte.\n",
        "content/posts/bad.md:1: Title: missing: add a line such as 'Title: Mon titre'"),
    "missing date": (
        "Title: Sans date\nSlug: bad\n\nUn texte.\n",
        "content/posts/bad.md:1: Date: missing: add a line such as 'Date: 2026-03-14 10:30'"),
    "no metadata": (
        "Juste du texte, sans en-tête.\n\nUn deuxième paragraphe.\n",
        "content/posts/bad.md:1: Title: the file has no metadata: start it with lines such as "
        "'Title: ...' and 'Date: YYYY-MM-DD HH:MM'"),
    "mistyped field": (
        post("bad", "Material: grès\n"),
        "content/posts/bad.md:5: Material: unknown field: did you mean Materials?"),
    "unknown field": (
        post("bad", "Couleur: bleu\n"),
        "content/posts/bad.md:5: Couleur: unknown field: (a field another plugin or your theme "
        "reads goes in the CONTENT_FIELDS setting)"),
    "French field name": (
        post("bad", "Outils: tour\n"),
        "content/posts/bad.md:5: Outils: unknown field: did you mean Tools?"),
    "language name": (
        post("bad", "Lang: francais\n"),
        "content/posts/bad.md:5: Lang: 'francais' is not a language code: write it as a "
        "two-letter code, fr"),
    "language in capitals": (
        post("bad", "Lang: FR\n"),
        "content/posts/bad.md:5: Lang: 'FR' is not a language code: write it in lower case, fr"),
    "broken filename link": (
        post("bad", body="\nVoir [la suite]({filename}/posts/nope.md).\n"),
        "content/posts/bad.md:8: Link: {filename}/posts/nope.md: no post or page at that path, "
        "from the content folder; check its name"),
    "broken relative link": (
        post("bad", body="\n\nPlus loin : [ici]({filename}autre.md).\n"),
        "content/posts/bad.md:9: Link: {filename}autre.md: no post or page at that path, "
        "relative to this file"),
    "broken static link": (
        post("bad", body="\n![un pot]({static}/images/nope.svg)\n"),
        "content/posts/bad.md:8: Link: {static}/images/nope.svg: no file copied into the site "
        "at that path"),
    "broken link in the summary": (
        post("bad", "Summary: Lire [avant]({filename}/posts/avant.md).\n"),
        "content/posts/bad.md:5: Link: {filename}/posts/avant.md: no post or page"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_silent_case_stops_the_build_with_its_line(tiny_site, case):
    text, expected = CASES[case]
    settings = tiny_site({"good.md": post("good"), "bad.md": text})
    errors = build_errors(settings)
    assert len(errors) == 1 and errors[0].startswith(expected), errors
    assert not (settings.parent / "output" / "index.html").exists()  # nothing was written


def test_a_missing_author_photo_names_the_settings_line(tiny_site):
    settings = tiny_site({"good.md": post("good")})
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text + 'AUTHOR_CARD = {"name": "Test", "photo": "images/nope.svg"}\n')
    line = len(text.splitlines()) + 1
    assert build_errors(settings) == [
        f"site.py:{line}: AUTHOR_CARD: photo 'images/nope.svg': no such file under the content "
        "folder; put it there or fix the path"]


def test_an_author_photo_outside_the_static_paths_is_named(tiny_site):
    settings = tiny_site({"good.md": post("good")})
    (settings.parent / "content" / "portraits").mkdir()
    (settings.parent / "content" / "portraits" / "moi.svg").write_text("<svg/>", encoding="utf-8")
    with settings.open("a", encoding="utf-8") as handle:
        handle.write('AUTHOR_CARD = {"name": "Test", "photo": "portraits/moi.svg"}\n')
    errors = build_errors(settings)
    assert len(errors) == 1 and "photo 'portraits/moi.svg' is not copied into the site: add its " \
        "folder to STATIC_PATHS (e.g. 'portraits')" in errors[0], errors


def test_every_problem_of_every_file_is_listed_at_once_by_the_command(tiny_site):
    settings = tiny_site({
        "a.md": "Title: A\nDate: demain\n\nTexte.\n",
        "b.md": post("b", "Material: grès\nLang: francais\n", day=2),
        "c.md": post("c", "Status: fini\n", day=3, body="\n[x]({filename}/posts/nope.md)\n"),
        "d.md": "Pas de métadonnées.\n",
        "e.md": post("e", day=5),
    })
    result = run_relais("build", "-s", str(settings), cwd=settings.parent)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    where = [":".join(line.removeprefix("error: ").split(":")[:3]) for line in errors]
    assert where == [
        "content/posts/a.md:2: Date", "content/posts/b.md:5: Material", "content/posts/b.md:6: Lang",
        "content/posts/c.md:5: Status", "content/posts/c.md:9: Link", "content/posts/d.md:1: Title",
    ], result.stderr
    # Pelican's own vaguer lines about the same files are not repeated
    assert "Could not process" not in result.stderr and "Skipping" not in result.stderr
    assert not (settings.parent / "output" / "index.html").exists()


def test_lenient_builds_with_warnings_and_leaves_out_what_cannot_be_read(tiny_site):
    settings = tiny_site({"good.md": post("good"), "bad.md": "Title: B\nDate: demain\n\nTexte.\n",
                          "odd.md": post("odd", "Couleur: bleu\n", day=2)})
    result = run_relais("build", "-s", str(settings), "--lenient", cwd=settings.parent)
    assert result.returncode == 0, result.stderr
    assert "WARNING: content/posts/bad.md:2: Date: 'demain' is not a date" in result.stderr
    assert "WARNING: content/posts/odd.md:5: Couleur: unknown field" in result.stderr
    assert "2 warning(s)" in result.stdout
    output = settings.parent / "output"
    assert (output / "2026" / "good" / "index.html").is_file()
    assert (output / "2026" / "odd" / "index.html").is_file()
    assert not list(output.rglob("*demain*"))


def test_fields_listed_in_content_fields_are_allowed(tiny_site):
    settings = tiny_site({"good.md": post("good", "Couleur: bleu\nOg_image: x.png\n")})
    assert build_errors(settings, CONTENT_FIELDS=["Couleur", "og_image"]) == []


def test_fields_pelican_takes_from_paths_and_settings_are_known(tiny_site):
    settings = tiny_site({"good.md": post("good", "Featured: oui\n")})
    assert build_errors(settings, DEFAULT_METADATA={"featured": "non"}) == []


def test_a_good_story_with_every_field_builds(tiny_site):
    settings = tiny_site({
        "one.md": post("one", "Series: Pots\nPart: 1\n"),
        "full.md": post("full", "Modified: 2026-03-05\nTags: grès\nLang: fr\nSummary: Court.\n"
                        "Status: finished\nSeries: Pots\nPart: 2\nMaterials: grès\nTools: tour\n"
                        "Time: 3 h\nCollaborators: Jo <https://jo.example/>\n"
                        "Cover: images/pot.svg\nCover_alt: Un pot\nAuthor: Test Maker\n",
                        day=2, body="\n[un]({filename}/posts/one.md) ![pot]({static}/images/pot.svg)\n"),
        "en.md": post("full", "Lang: en\n", day=2).replace("Title: Full", "Title: Full EN"),
    })
    assert build_errors(settings) == []


def test_a_development_build_says_in_one_line_that_it_writes_no_feeds(tiny_site):
    settings = tiny_site({"good.md": post("good")})
    result = run_relais("build", "-s", str(settings), cwd=settings.parent)
    assert result.returncode == 0, result.stderr
    notes = [line for line in result.stdout.splitlines() if "feeds" in line]
    assert notes == ["note: no feeds written: this development build has no absolute SITEURL or "
                     "FEED_DOMAIN; `relais build --publish` writes them"]
    assert not (settings.parent / "output" / "feeds").exists()


def test_a_missing_photo_of_another_author_is_named(tiny_site):
    settings = tiny_site({"good.md": post("good")})
    with settings.open("a", encoding="utf-8") as handle:
        handle.write('AUTHOR_CARDS = {"Ada": {"url": "https://ada.example/", '
                     '"photo": "images/ada.svg"}}\n')
    errors = build_errors(settings)
    assert len(errors) == 1 and errors[0].startswith("site.py:") and \
        "AUTHOR_CARDS['Ada']: photo 'images/ada.svg': no such file" in errors[0], errors
