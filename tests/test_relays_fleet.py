"""The relays against real local sites: the two-hop reach on a fleet whose truths are known,
and a proposal from a local site qualified with its reasons (the sample world's creators,
refreshed by the blogroll's real refresh)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from scripts.sample_world import CREATORS, FOLLOWED, OWNER
from scripts.sample_world import start as start_sample_world
from tests.conftest import run_relais
from tests.support.fleet import Creator, Fleet, Post, publish
from tests.support.relays_world import copy_sample

NOW = "2026-11-20"
POTTERY = [Post("Céladon sur grès", "2026-11-10", "Émail céladon, tasses en grès.", ["émail", "grès"])]


def blogroll_yaml(entries: list[tuple[str, str, str]]) -> str:
    """entries: (name, site, XFN rel)."""
    return "creators:\n" + "".join(
        f"  - name: {name}\n    site: {site}\n    rel: [{rel}]\n" for name, site, rel in entries)


def relays(root: Path, xdg: Path, *args: str):
    result = run_relais("relays", "--now", NOW, *args, cwd=root,
                        env={"XDG_DATA_HOME": str(xdg), "RELAIS_ALLOW_PRIVATE_NETWORK": "1"})
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_two_hop_reach_lists_the_right_people_through_the_right_relays(tmp_path):
    """Known truths. She follows A (friend) and B; C is a relay she added by hand (not in
    her blogroll). A lists B (known), X and Y; B lists X, Z and her (her public address);
    C's post links to W and
    to A (known); D is listed by X only (three hops: not reached). Expected: X via A and B,
    Y via A, Z via B, W via C, nobody else."""
    root = copy_sample(tmp_path / "site")
    for folder in ("data", "content/posts"):  # a site of her own with only these relays
        shutil.rmtree(root / folder)
    xdg = tmp_path / "xdg"
    with Fleet() as fleet:
        sites = {slug: fleet.add(slug) for slug in ("a", "b", "c", "x", "y", "z", "w", "d")}
        url = {slug: site.url for slug, site in sites.items()}
        known = {slug: (f"Person {slug.upper()}", site.url) for slug, site in sites.items()}
        creators = {
            "a": Creator("a", "Person A", "Potière.", POTTERY, lists=["b", "x", "y"]),
            "b": Creator("b", "Person B", "Tisserande.", POTTERY, lists=["x", "z"],
                         blogroll_form="rss"),
            "c": Creator("c", "Person C", "Menuisier.", [Post(
                "Chez les voisins", "2026-11-02", "Deux ateliers à voir.", ["bois"],
                links=[f"{url['w']}atelier/", url["a"]])], blogroll_form=None),
            "x": Creator("x", "Person X", "Émailleuse.", POTTERY, lists=["d"]),
        }
        for slug, site in sites.items():
            publish(site, creators.get(slug) or Creator(slug, f"Person {slug.upper()}", "", POTTERY,
                                                        blogroll_form=None), known,
                    [("Atelier Maëlle", OWNER, f"{OWNER}feed.xml")] if slug == "b" else ())
        (root / "content" / "blogroll.yaml").write_text(blogroll_yaml(
            [("Person A", url["a"], "friend"), ("Person B", url["b"], "met")]), encoding="utf-8")
        refresh = run_relais("blogroll", "refresh", "--allow-private-network", cwd=root)
        assert refresh.returncode == 0, refresh.stderr
        relays(root, xdg, "add", "Person C", "--site", url["c"], "--rel", "friend")
        before = relays(root, xdg, "reach")
        assert "Not read yet (run `relais relays reach --fetch`): Person C" in before
        out = relays(root, xdg, "reach", "--fetch")
    reached = {}
    current = None
    for line in out.splitlines():
        if re.match(r"^  \S.* <http[^>]+>$", line):
            current = line.strip().split(" <")[0]
            reached[current] = []
        elif line.startswith("      ") and current:
            reached[current].append(line.strip())
    w = urlsplit(url["w"]).netloc  # known by a link only: named by its address
    assert set(reached) == {"Person X", "Person Y", "Person Z", w}, out
    assert sorted(p.split(" lists them")[0].split(" linked")[0] for p in reached["Person X"]) == [
        "Person A", "Person B"]
    assert reached["Person Y"] == [f"Person A lists them: {url['a']}blogroll.opml"]
    assert reached["Person Z"] == [f"Person B lists them: {url['b']}links.opml"]
    assert reached[w] == [f"Person C linked to them: {url['c']}posts/0/"]
    assert "lead to 4 people you do not know yet" in out
    # the weekly view shows them around her relays, the most relays first
    week = relays(root, xdg)
    around = week.split("New around your relays")[1].split("Open proposals")[0]
    assert around.index("Person X") < around.index("Person Y")


@pytest.fixture(scope="module")
def sample_world(tmp_path_factory):
    """The sample site whose blogroll points at the sample world's creators on 127.0.0.1,
    refreshed by the real refresh."""
    root = copy_sample(tmp_path_factory.mktemp("world") / "site")
    with Fleet() as fleet:
        local = start_sample_world(fleet)
        by_slug = {c.slug: c for c in CREATORS}
        (root / "content" / "blogroll.yaml").write_text(blogroll_yaml(
            [(by_slug[s].name, local[s], "friend" if s in ("jeanne-potier", "lou-tisse") else "met")
             for s in FOLLOWED]), encoding="utf-8")
        refresh = run_relais("blogroll", "refresh", "--allow-private-network", cwd=root)
        assert refresh.returncode == 0, refresh.stderr
        yield root, local


def test_a_proposal_from_a_local_site_is_qualified_with_its_reasons(sample_world, tmp_path):
    root, local = sample_world
    xdg = tmp_path / "xdg"
    out = relays(root, xdg, "propose", local["camille-riviere"], "--kind", "stock-mine",
                 "--summary", "Vendre tes tasses dans ma boutique d'émailleuse",
                 "--cost-hours", "6", "--cost", "deux jours de préparation",
                 "--allow-private-network")
    lines = out.splitlines()
    assert lines[0] == "Proposal #1 from Camille Rivière: promising"
    why = lines[1]
    assert why.startswith("  why: Promising: shares ")
    assert "known to 2 of your relays (Jeanne Potier, Lou Ferrand)" in why
    assert "about 6 h of your time (deux jours de préparation)" in why
    affinity = next(line for line in lines if line.startswith("  affinity:"))
    assert "close to your work" in affinity
    assert {"émail", "céladon"} & set(affinity.split(": ", 2)[2].split(", "))
    assert f"Jeanne Potier lists them ({local['jeanne-potier']}blogroll.opml)" in out
    assert f"Lou Ferrand lists them ({local['lou-tisse']}.well-known/recommendations.opml)" in out
    assert "activity: active: last post 2026-11-12" in out
    assert "reciprocity: nothing yet, either way" in out
    # a proposal from the marketing site four of her relays list, but that writes of nothing
    # she does, and that would cost her 30 hours, reads differently
    other = relays(root, xdg, "propose", local["growth-hacks"], "--kind", "media",
                   "--summary", "Sponsored post", "--cost-hours", "30", "--allow-private-network")
    assert "no shared terms" in other and "about 30 h of your time" in other
    assert other.splitlines()[0].endswith(("worth a conversation", "think twice"))
    ledger = json.loads((xdg / "relais/atelier-maelle/ledger.json").read_text(encoding="utf-8"))
    assert [p["kind"] for p in ledger["proposals"]] == ["stock-mine", "media"]
