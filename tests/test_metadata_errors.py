"""Bad story metadata stops `relais build` with `file:line: field: what`, all problems at once."""

import pytest

from tests.conftest import run_relais
from tests.support.posts import post

CASES = [
    ("Status: fini\n", "bad.md:5: Status: unknown status 'fini'"),
    ("Cover: images/pot.svg\n", "bad.md:5: Cover_alt: a cover needs a text alternative"),
    ("In-Reply-To: ftp://example.org/x\n", "bad.md:5: In-Reply-To: 'ftp://example.org/x' is not"),
    ("Like-Of: javascript:alert(1)\n", "bad.md:5: Like-Of: 'javascript:alert(1)' is not"),
    ("Collaborators: Jo <mailto:jo@example.org>\n", "bad.md:5: Collaborators: 'mailto:jo@"),
    ("Series: Pots\nPart: deux\n", "bad.md:6: Part: 'deux' is not a part number"),
    # Photos: each problem at its own line (the second photo is on line 6)
    ("Photos: images/pot.svg | Le pot\n    images/absent.jpg | Rien\n",
     "bad.md:6: Photos: no such file 'images/absent.jpg' under the content folder"),
    ("Photos: images/pot.svg | Le pot\n    images/pot.svg\n",
     "bad.md:6: Photos: 'images/pot.svg' needs a text alternative: write 'images/pot.svg | what"),
]


@pytest.mark.parametrize("extra, expected", CASES, ids=[c[1].split(":")[2] for c in CASES])
def test_each_kind_of_bad_metadata_has_its_message(tiny_site, extra, expected):
    settings = tiny_site({"good.md": post("good"), "bad.md": post("bad", extra, day=2)})
    result = run_relais("build", "-s", str(settings), cwd=settings.parent)
    assert result.returncode == 1
    assert f"error: content/posts/{expected}" in result.stderr, result.stderr


def test_a_duplicate_part_names_the_second_file(tiny_site):
    settings = tiny_site({
        "one.md": post("one", "Series: Pots\nPart: 1\n"),
        "two.md": post("two", "Series: Pots\nPart: 1\n", day=2),
    })
    result = run_relais("build", "-s", str(settings), cwd=settings.parent)
    assert result.returncode == 1
    assert "two.md:6: Part: part 1 of 'Pots' is already taken by content/posts/one.md" in result.stderr


def test_three_bad_files_are_all_reported(tiny_site):
    settings = tiny_site({
        "a.md": post("a", "Status: bientot\n", day=1),
        "b.md": post("b", "Cover: images/pot.svg\n", day=2),
        "c.md": post("c", "Bookmark-Of: www.example.org\n", day=3),
    })
    result = run_relais("build", "-s", str(settings), cwd=settings.parent)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 3, result.stderr
    assert [e.split(":")[1].strip() for e in errors] == [
        "content/posts/a.md", "content/posts/b.md", "content/posts/c.md"]
