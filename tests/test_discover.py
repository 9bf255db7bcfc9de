"""`relais discover` end to end on a fleet: the planted like-minded creator listed by two
people I follow ranks above a popular site with unrelated writing; depth, dead sites,
the evidence, and the three output formats."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from relais.plugins.blogroll.config import SETTINGS
from relais.plugins.blogroll.discover import discover
from relais.plugins.blogroll.model import load_blogroll
from relais.plugins.blogroll.refresh import refresh

from tests.conftest import REPO, run_relais
from tests.support.fleet import Creator, Fleet, Post, publish, status

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
WEIGHTS = next(s.default for s in SETTINGS if s.name == "DISCOVER_WEIGHTS")
MY_POSTS = {
    "a.md": "Title: Des tests d'émail sur grès\nDate: 2026-10-01\nTags: émail, grès, cuisson\n"
    "Summary: Douze carreaux, trois émaux céladon, une cuisson partagée.\n\nTexte.\n",
    "b.md": "Title: Tourner des tasses\nDate: 2026-09-01\nTags: tournage, tasses, grès\n"
    "Summary: Anses, tasses et bols en grès.\n\nVoir https://jeanne.example/ et "
    "https://linked-by-me.example/x.\n",
}
POTTERY = [
    Post(
        "Céladon sur grès",
        "2026-11-10",
        "Émail céladon, cuisson en réduction, tasses en grès.",
        ["émail", "céladon", "grès"],
    ),
    Post(
        "Anses de tasses",
        "2026-10-20",
        "Tournage et anses pour des tasses.",
        ["tournage", "tasses"],
    ),
]
MARKETING = [
    Post(
        f"Growth hack {n}",
        f"2026-11-{n:02d}",
        "Funnels, audience growth, conversion.",
        ["marketing", "growth"],
    )
    for n in range(1, 16, 2)
]
TEXTILE = [
    Post("Linen weaving", "2026-11-01", "Linen, looms and natural dyes.", ["weaving", "linen"])
]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Four people I follow; two list the planted potter, all four list the popular site."""
    root = tmp_path_factory.mktemp("discover")
    with Fleet() as fleet:
        slugs = ["f1", "f2", "f3", "f4", "planted", "popular", "deep", "dead"]
        sites = {slug: fleet.add(slug) for slug in slugs}
        known = {slug: (slug.capitalize(), site.url) for slug, site in sites.items()}
        lists = {
            "f1": ["planted", "popular", "f2"],
            "f2": ["planted", "popular"],
            "f3": ["popular", "dead"],
            "f4": ["popular"],
            "planted": ["deep", "f1"],
        }
        writing = {
            "f1": POTTERY,
            "f2": TEXTILE,
            "f3": TEXTILE,
            "f4": MARKETING,
            "planted": POTTERY,
            "popular": MARKETING,
            "deep": POTTERY,
            "dead": POTTERY,
        }
        for slug, site in sites.items():
            publish(
                site,
                Creator(
                    slug,
                    slug.capitalize(),
                    f"{slug} note",
                    writing[slug],
                    lists.get(slug, []),
                    "link",
                ),
                known,
            )
        sites["dead"].behaviours["/feed.xml"] = status(410)
        (root / "content" / "posts").mkdir(parents=True)
        for name, text in MY_POSTS.items():
            (root / "content" / "posts" / name).write_text(text, encoding="utf-8")
        (root / "content" / "blogroll.yaml").write_text(
            "creators:\n"
            + "".join(
                f"  - name: {slug.capitalize()}\n    site: {sites[slug].url}\n"
                for slug in ("f1", "f2", "f3", "f4")
            ),
            encoding="utf-8",
        )
        (root / "site.py").write_text(
            f"import sys\nsys.path.insert(0, {str(REPO)!r})\nfrom pelicanconf import *\n"
            f"PATH = 'content'\nTHEME = {str(REPO / 'theme')!r}\n"
            "BLOGROLL_OWN_URLS = ['https://me.example/']\n"
        )
        creators = load_blogroll(root / "content" / "blogroll.yaml")
        refresh(creators, root / "data" / "blogroll", allow_private=True, now=NOW)
        yield root, sites, creators, fleet


def run_discover(world, depth=2, offline=False, max_sites=40):
    from relais.plugins.blogroll.cache import load_all

    root, sites, creators, _ = world
    states = load_all(root / "data" / "blogroll", {c.key: c.site for c in creators})
    return discover(
        creators,
        states,
        root / "data" / "blogroll",
        content=root / "content",
        article_paths=["posts"],
        own_urls=["https://me.example/"],
        received=[],
        depth=depth,
        offline=offline,
        allow_private=True,
        weights=WEIGHTS,
        now=NOW,
        max_sites=max_sites,
    )


def test_the_planted_like_minded_creator_ranks_above_the_popular_site(world):
    root, sites, creators, fleet = world
    result = run_discover(world)
    names = [r.candidate.name for r in result.ranked]
    assert names.index("Planted") < names.index("Popular"), names
    planted = result.ranked[names.index("Planted")]
    popular = result.ranked[names.index("Popular")]
    assert sorted(li.name for li in planted.candidate.listers) == ["F1", "F2"]
    assert (
        len(popular.candidate.listers) == 4 and popular.parts["network"] > planted.parts["network"]
    )
    assert popular.parts["affinity"] == 0 and planted.parts["affinity"] == 1
    assert {"céladon", "grès", "tasses"} & set(planted.shared_terms)
    assert names[-1] == "Dead" and result.ranked[-1].status == "dead"
    assert "Deep" not in names  # depth 2: only the lists of people I follow
    assert not {c.name for c in creators} & set(names)  # never someone I already follow


def test_depth_3_goes_one_list_further_and_a_second_run_is_conditional(world):
    root, sites, creators, fleet = world
    result = run_discover(world, depth=3)
    deep = next(r for r in result.ranked if r.candidate.name == "Deep")
    assert [(li.name, li.depth) for li in deep.candidate.listers] == [("Planted", 3)]
    fleet.clear_logs()
    again = run_discover(world, depth=3)
    assert [r.status for r in sites["planted"].requests("/feed.xml")] == [304]
    assert [r.candidate.name for r in again.ranked] == [r.candidate.name for r in result.ranked]
    fleet.clear_logs()
    offline = run_discover(world, depth=3, offline=True)
    assert [r.candidate.name for r in offline.ranked] == [r.candidate.name for r in result.ranked]
    assert offline.fetched == 0 and all(not site.log for site in sites.values())
    capped = run_discover(world, depth=3, max_sites=2)
    assert capped.fetched == 2
    assert sum(1 for site in sites.values() if site.requests("/feed.xml")) == 2


def test_the_command_prints_a_table_json_an_explanation_and_a_private_report(world):
    root, sites, creators, fleet = world
    env = {"COLUMNS": "200"}
    table = run_relais("discover", "-s", "site.py", "--offline", cwd=root, env=env)
    assert table.returncode == 0, table.stderr
    assert table.stdout.index("Planted") < table.stdout.index("Popular")
    assert (
        "dead or inactive site(s) left out" in table.stdout and "Nobody was added" in table.stdout
    )
    as_json = run_relais("discover", "-s", "site.py", "--offline", "--format", "json", cwd=root)
    rows = json.loads(as_json.stdout)
    assert rows[0]["name"] == "Planted" and rows[0]["listed_by"][0]["depth"] == 2
    explained = run_relais(
        "discover", "-s", "site.py", "--offline", "--explain", sites["planted"].url, cwd=root
    )
    assert "listed by F1" in explained.stdout and "shared terms:" in explained.stdout
    inside = run_relais(
        "discover",
        "-s",
        "site.py",
        "--offline",
        "--format",
        "html",
        "-o",
        "output/report.html",
        cwd=root,
    )
    assert inside.returncode == 1 and "not the public" in inside.stderr
    report = run_relais(
        "discover", "-s", "site.py", "--offline", "--format", "html", "-o", "report.html", cwd=root
    )
    assert report.returncode == 0 and "Planted" in (root / "report.html").read_text(
        encoding="utf-8"
    )
    assert load_blogroll(root / "content" / "blogroll.yaml") == creators  # nobody added
