"""`relais new` writes a post of each kind that builds, and never overwrites."""

import re

import pytest

from relais.scaffold import KINDS
from tests.conftest import run_relais


@pytest.mark.parametrize("kind", KINDS)
def test_a_new_post_of_each_kind_builds(tiny_site, kind):
    settings = tiny_site({})
    args = ["new", f"Un {kind} tout neuf", "--kind", kind, "-s", str(settings)]
    if kind not in ("story", "note"):
        args += ["--of", "https://potiere.example/billet"]
    created = run_relais(*args, cwd=settings.parent)
    assert created.returncode == 0, created.stderr
    path = settings.parent / re.search(r"Wrote (\S+)", created.stdout).group(1)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d-un-" + kind + "-tout-neuf.md", path.name)
    built = run_relais("build", "-s", str(settings), cwd=settings.parent)
    assert built.returncode == 0, built.stderr
    pages = list((settings.parent / "output").glob(f"*/un-{kind}-tout-neuf/index.html"))
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
