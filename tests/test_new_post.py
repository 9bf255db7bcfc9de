"""`relais new` writes a post of each kind that builds, and never overwrites."""

import re

import pytest

from relais.scaffold import KINDS
from tests.conftest import run_relais, write_tiny_site

TITLES = ["???", "日本語のタイトル", "« — »", "x" * 200, "!!!"]


def new_args(title: str, kind: str, settings) -> list[str]:
    args = ["new", title, "--kind", kind, "-s", str(settings)]
    if kind not in ("story", "note"):
        args += ["--of", "https://potiere.example/billet"]
    return args


@pytest.fixture(scope="module")
def new_posts(tmp_path_factory):
    """One site given a new post of each kind and one for each of TITLES, then built once:
    ({kind or title: the `relais new` run}, the build's run, the site's folder)."""
    settings = write_tiny_site(tmp_path_factory.mktemp("new-posts"), {})
    created = {kind: run_relais(*new_args(f"Un {kind} tout neuf", kind, settings),
                                cwd=settings.parent) for kind in KINDS}
    created |= {title: run_relais("new", title, "-s", str(settings), cwd=settings.parent)
                for title in TITLES}
    built = run_relais("build", "-s", str(settings), cwd=settings.parent)
    return created, built, settings.parent


def written(new_posts, key):
    created, _built, root = new_posts
    assert created[key].returncode == 0, created[key].stderr
    return root / re.search(r"Wrote (\S+)", created[key].stdout).group(1)


@pytest.mark.parametrize("kind", KINDS)
def test_a_new_post_of_each_kind_builds(new_posts, kind):
    path = written(new_posts, kind)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d-un-" + kind + "-tout-neuf.md", path.name)
    _created, built, root = new_posts
    assert built.returncode == 0, built.stderr
    pages = list((root / "output").glob(f"*/un-{kind}-tout-neuf/index.html"))
    assert len(pages) == 1


def test_new_refuses_to_overwrite_and_checks_its_input(tiny_site):
    settings = tiny_site({})
    first = run_relais("new", "Deux fois", "-s", str(settings), cwd=settings.parent)
    again = run_relais("new", "Deux fois", "-s", str(settings), cwd=settings.parent)
    assert first.returncode == 0 and again.returncode == 1
    assert "already exists, not overwritten" in again.stderr
    no_target = run_relais("new", "Un like", "--kind", "like", "-s", str(settings),
                           cwd=settings.parent)
    assert no_target.returncode == 1 and "needs --of URL" in no_target.stderr


def header(text: str) -> dict[str, str]:
    head = text.split("\n\n", 1)[0]
    return dict(line.split(":", 1) for line in head.splitlines())


@pytest.mark.parametrize("kind", KINDS)
def test_every_field_of_the_kind_is_written_and_explained(new_posts, kind):
    from relais.scaffold import fields_of

    path = written(new_posts, kind)
    text = path.read_text(encoding="utf-8")
    fields = header(text)
    expected = {"Title", "Date", "Category", *(name for name, _ in fields_of(kind))}
    assert set(fields) == expected
    if kind == "story":
        assert {"Summary", "Series", "Part", "Materials", "Tools", "Time", "Collaborators",
                "Cover", "Cover_alt", "Status"} <= set(fields)
    if kind not in ("story", "note"):
        assert {"Target-Title", "Target-Author"} <= set(fields)
    for name in set(fields) - {"Title", "Date", "Category"}:
        assert f'[//]: # "{name}: ' in text, name


def test_empty_fields_count_as_absent_and_the_comments_show_nowhere(tiny_site):
    settings = tiny_site({})
    created = run_relais("new", "Un pot vide", "-s", str(settings), cwd=settings.parent)
    path = settings.parent / re.search(r"Wrote (\S+)", created.stdout).group(1)
    path.write_text(path.read_text(encoding="utf-8") + "Le début du texte, pour le résumé.\n",
                    encoding="utf-8")
    built = run_relais("build", "-s", str(settings), cwd=settings.parent)
    assert built.returncode == 0, built.stderr
    page = next((settings.parent / "output").glob("*/un-pot-vide/index.html"))
    html = page.read_text(encoding="utf-8")
    assert "Le début du texte" in html and "[//]" not in html and "counts as absent" not in html
    home = (settings.parent / "output" / "index.html").read_text(encoding="utf-8")
    assert "Le début du texte, pour le résumé." in home  # the empty Summary: the text's start


@pytest.mark.parametrize("title", TITLES[:-1])
def test_any_title_gets_a_safe_slug_and_builds(new_posts, title):
    path = written(new_posts, title)
    slug = header(path.read_text(encoding="utf-8"))["Slug"].strip()
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug) and len(slug) <= 60, slug
    assert path.name == f"{path.name[:10]}-{slug}.md"
    assert slug != "post"
    _created, built, root = new_posts
    assert built.returncode == 0, built.stderr
    assert list((root / "output").glob(f"*/{slug}/index.html"))


def test_two_titles_without_letters_do_not_collide(new_posts):
    assert written(new_posts, "???") != written(new_posts, "!!!")


@pytest.mark.parametrize("url, reason", [
    ("https://exa mple.com/billet", "it contains a space or a line break"),
    ("https://example.com/un billet", "it contains a space or a line break"),
    ("potiere.example/billet", "it must start with http:// or https://"),
    ("https://", "it has no valid host name"),
    ("https://example.com:99999/", "it is not a well-formed URL"),
])
def test_of_must_be_a_url_one_can_follow(tiny_site, url, reason):
    settings = tiny_site({})
    result = run_relais("new", "Un like", "--kind", "like", "--of", url, "-s", str(settings),
                        cwd=settings.parent)
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: --of {url}: not an http(s) URL: {reason}" + (
        " (write a space in a path as %20)" if "space" in reason else "")
    assert not list((settings.parent / "content" / "posts").glob("*.md"))


def test_a_title_on_two_lines_is_refused(tiny_site):
    settings = tiny_site({})
    result = run_relais("new", "Deux\nlignes", "-s", str(settings), cwd=settings.parent)
    assert result.returncode == 1 and "the title is on one line" in result.stderr
