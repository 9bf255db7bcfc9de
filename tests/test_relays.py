"""The relays ledger on the sample world: gathered from every source, the weekly view, privacy,
export and import, bad input. The real `relais` command in a copy of the sample site."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import run_relais
from tests.support.relays_world import NO_ENDPOINT, SENT, copy_sample, git, write_sent_log

NOW = "2026-11-20"
THEO_REPLY = "https://theo-marchal.example/posts/14"
LOU_REPLY = "https://lou-tisse.example/posts/13"


@pytest.fixture
def site(tmp_path):
    root = copy_sample(tmp_path / "site")
    xdg = tmp_path / "xdg"

    def relays(*args, check=True):
        result = run_relais("relays", "--now", NOW, *args, cwd=root,
                            env={"XDG_DATA_HOME": str(xdg)})
        if check:
            assert result.returncode == 0, result.stderr
        return result

    relays.root, relays.ledger = root, xdg / "relais" / "atelier-maelle" / "ledger.json"
    return relays


def people(ledger: Path) -> dict:
    return json.loads(ledger.read_text(encoding="utf-8"))["people"]


def kinds(person: dict) -> set[str]:
    return {e["kind"] for e in person["evidence"]}


def test_the_ledger_gathers_the_samples_people_from_every_source(site):
    write_sent_log(site.root, [
        ("2026/reponse-carnet-de-cuisson/", "https://jeanne-potier.example/2026/02/carnet-de-cuisson/",
         SENT, "2026-02-20T09:00:00+00:00"),
        ("2026/le-four-est-plein/", "https://karim-assiettes.example/", SENT,
         "2026-05-07T09:00:00+00:00"),
        ("2026/tour-occasion/", "https://dictionnaire.example/tour", NO_ENDPOINT,
         "2026-01-27T09:00:00+00:00"),
    ])
    site("add", "Rose Martin", "--rel", "met", "--note", "Rencontrée au marché de Noël, tisse des paniers.")
    result = site("keep", "https://camille-riviere.example/")
    assert "listed by Jeanne Potier, Lou Ferrand" in result.stdout
    everyone = people(site.ledger)
    # the blogroll (7), mentions from two people outside it, a sent mention accepted by a new
    # site, a kept discovery candidate, someone added by hand; a link to a dictionary is not
    # a relationship
    assert set(everyone) == {
        "jeanne-potier.example", "theo-marchal.example", "lou-tisse.example",
        "ines-barbier.example", "salome-dessine.example", "la-bonne-tasse.example",
        "four-partage.example", "camille-lit.example", "sam-makes.example",
        "karim-assiettes.example", "camille-riviere.example", "hand:rose-martin"}
    jeanne = everyone["jeanne-potier.example"]
    assert {"listed", "lists-me", "links-to-me", "received", "sent", "collaborated"} <= kinds(jeanne)
    assert jeanne["rel"] == ["colleague", "friend", "met"]
    assert jeanne["card"]["note"].startswith("Céramiste à Lorient")
    stories = {e["url"]: e for e in jeanne["evidence"] if e["kind"] == "collaborated"}
    assert stories["https://atelier-maelle.example/2026/tests-email/"]["what"] == "Première collection"
    links = [e for e in jeanne["evidence"] if e["kind"] == "links-to-me"]
    assert links[0]["url"] == "https://jeanne-potier.example/2026/10/cinquante-bols/"
    assert links[0]["date"].startswith("2026-10-20")
    sam = everyone["sam-makes.example"]
    assert {(e["what"], e["url"]) for e in sam["evidence"]} == {
        ("bookmark", "https://sam-makes.example/posts/7"), ("reply", "https://sam-makes.example/posts/8"),
        ("like", "https://sam-makes.example/posts/17")}
    assert kinds(everyone["karim-assiettes.example"]) == {"sent"}
    assert kinds(everyone["camille-riviere.example"]) == {"discovered"}
    assert kinds(everyone["hand:rose-martin"]) == {"met"}
    assert everyone["hand:rose-martin"]["notes"][0]["text"].startswith("Rencontrée au marché")
    # a second gather finds nothing new and does not rewrite the file
    before = site.ledger.stat().st_mtime_ns
    assert "0 new piece(s) of evidence" in site("gather").stdout
    assert site.ledger.stat().st_mtime_ns == before


def test_the_weekly_view_shows_an_unanswered_mention_until_it_is_answered(site):
    week = site().stdout
    thank = week.split("To thank")[1].split("Gone quiet")[0]
    assert "Théo Marchal: reply on 2026-10-05" in thank and THEO_REPLY in thank
    assert "Lou Ferrand: reply on 2026-10-04" in thank
    assert "like" not in thank  # likes are not owed an answer
    assert "Sam Okafor" not in thank  # older than RELAYS_THANK_DAYS
    # marked answered by hand
    site("answered", THEO_REPLY)
    assert THEO_REPLY not in site().stdout
    # answered by a Webmention she sent them afterwards
    write_sent_log(site.root, [("2026/merci-lou/", "https://lou-tisse.example/2026/garance/", SENT,
                                "2026-10-06T10:00:00+00:00")])
    assert LOU_REPLY not in site().stdout.split("Gone quiet")[0]


def test_the_weekly_view_sections(site):
    site("add", "La Boutique du Port", "--site", "https://boutique-port.example/")
    site("propose", "https://boutique-port.example/", "--kind", "stock-mine", "--offline",
         "--summary", "Prendre 12 tasses en dépôt-vente", "--cost-hours", "6",
         "--next", "Envoyer les prix de gros avant vendredi")
    site("stage", "la-bonne-tasse.example", "talking")
    week = site("--now", "2027-06-01").stdout  # the last --now wins: months later
    assert "La Bonne Tasse: last sign 2026-11-08" in week.split("Gone quiet")[1]
    steps = week.split("Open proposals")[1]
    assert "#1 La Boutique du Port, stock-mine" in steps
    assert "next: Envoyer les prix de gros avant vendredi" in steps
    now = site().stdout
    new = now.split("New around your relays")[1].split("Open proposals")[0]
    assert "La Boutique du Port: first seen 2026-11-20" in new
    assert "Camille Rivière <https://camille-riviere.example/>: through Jeanne Potier, Lou Ferrand" in new


def test_consent_before_featuring(site):
    result = site("ask", "lou-tisse.example")
    note = next((site.root / "content" / "posts").glob("2026-11-20-*.md"))
    text = note.read_text(encoding="utf-8")
    assert "[Lou Ferrand](https://lou-tisse.example/)" in text and "réponds à cette note" in text
    page = "https://atelier-maelle.example/2026/une-question-pour-lou-ferrand/"
    assert page in result.stdout
    assert "Lou Ferrand: asked 2026-11-20" in site().stdout
    # her like of the request arrives in the archive: that is her yes
    archive = site.root / "data" / "webmentions" / "received.json"
    data = json.loads(archive.read_text(encoding="utf-8"))
    data["mentions"].append({
        "author": {"name": "Lou Ferrand", "photo": None, "url": "https://lou-tisse.example/"},
        "content": None, "name": None, "published": "2026-11-21T10:00:00+01:00",
        "received": "2026-11-21T10:00:00+01:00", "rsvp": None,
        "source": "https://lou-tisse.example/likes/1", "target": page, "type": "like",
        "url": "https://lou-tisse.example/likes/1", "via": "receiver"})
    archive.write_text(json.dumps(data), encoding="utf-8")
    assert "Lou Ferrand" not in site("--now", "2026-11-22").stdout.split("Waiting for their consent")[1]
    lou = people(site.ledger)["lou-tisse.example"]
    assert lou["consent"]["answer"] == "https://lou-tisse.example/likes/1"


def test_nothing_of_the_ledger_reaches_output_or_git(site, tmp_path):
    site("note", "jeanne-potier.example", "SECRET-NOTE-7f3a: ne pas oublier son anniversaire")
    site("propose", "jeanne-potier.example", "--kind", "event", "--offline",
         "--summary", "SECRET-PROPOSAL-91c2 atelier commun")
    assert site.ledger.is_file()
    assert oct(site.ledger.stat().st_mode & 0o777) == "0o600"
    built = run_relais("build", cwd=site.root)
    assert built.returncode == 0, built.stderr
    for path in (site.root / "output").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"SECRET-NOTE-7f3a" not in data and b"SECRET-PROPOSAL-91c2" not in data, path
    assert git(site.root, "status", "--porcelain", "--ignored=no") == ""
    # a ledger she puts in the site's folder is named in a warning until git ignores it
    inside = site("--ledger", "private/ledger.json", "where")
    assert "warning: the ledger private/ledger.json is inside the site's folder" in inside.stderr
    # a ledger inside the output is refused
    refused = site("--ledger", "output/ledger.json", check=False)
    assert refused.returncode == 1
    assert refused.stderr.startswith("error: setting RELAYS_LEDGER:") and "private" in refused.stderr


def test_export_and_import_lose_nothing(site, tmp_path):
    site("note", "theo-marchal.example", "Plateaux livrés")
    backup = tmp_path / "backup.json"
    site("export", str(backup))
    other = tmp_path / "other-xdg"
    env = {"XDG_DATA_HOME": str(other)}
    run_relais("relays", "--now", NOW, "add", "Rose Martin", cwd=site.root, env=env)
    imported = run_relais("relays", "import", str(backup), cwd=site.root, env=env)
    assert imported.returncode == 0, imported.stderr
    merged = json.loads((other / "relais/atelier-maelle/ledger.json").read_text(encoding="utf-8"))
    assert "hand:rose-martin" in merged["people"]
    assert merged["people"]["theo-marchal.example"]["notes"][0]["text"] == "Plateaux livrés"
    assert merged["people"] == {**json.loads(backup.read_text(encoding="utf-8"))["people"],
                                "hand:rose-martin": merged["people"]["hand:rose-martin"]}


@pytest.mark.parametrize("content, message", [
    ("{not json", "not valid JSON"),
    ('{"people": {"x": {"stage": "friend"}}}', "people.x.stage: 'friend' is not one of known"),
    ('{"people": {}, "proposals": [{"id": 1, "person": "y", "kind": "media", "summary": "s",'
     ' "date": "2026-01-01"}]}', "proposals[1].person: no person 'y'"),
])
def test_a_bad_ledger_is_one_line_and_left_alone(site, content, message):
    site.ledger.parent.mkdir(parents=True)
    site.ledger.write_text(content, encoding="utf-8")
    result = site(check=False)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr
    assert str(site.ledger) in result.stderr
    assert site.ledger.read_text(encoding="utf-8") == content


def test_the_default_ledger_is_in_the_users_data_directory(site):
    where = site("where").stdout.splitlines()
    assert where[0] == str(site.ledger) and "outside the site's folder" in where[1]
    assert os.path.commonpath([where[0], str(site.root)]) != str(site.root)


def test_the_sample_ledger_and_the_readme_show_the_same_week(tmp_path):
    """The fictional ledger the sample ships is valid, gathers nothing new from the sample
    (it is up to date), and the README shows its week as the command prints it."""
    from tests.conftest import REPO

    root = copy_sample(tmp_path / "site")
    (root / "scripts").mkdir()
    shipped = REPO / "scripts" / "sample_ledger.json"
    (root / "scripts" / "sample_ledger.json").write_bytes(shipped.read_bytes())
    result = run_relais("relays", "--ledger", "scripts/sample_ledger.json", "--now",
                        "2026-11-20T09:00:00+00:00", cwd=root,
                        env={"XDG_DATA_HOME": str(tmp_path / "xdg")})
    assert result.returncode == 0, result.stderr
    assert (root / "scripts" / "sample_ledger.json").read_bytes() == shipped.read_bytes()
    assert json.loads(shipped.read_text(encoding="utf-8"))["about"].startswith("Fictional sample")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"```\n{result.stdout}```" in readme


def test_a_partner_is_featured_only_after_their_yes_and_only_from_the_blogroll(site):
    refused = site("feature", "lou-tisse.example", check=False)
    assert refused.returncode == 1 and "has not agreed to be featured yet" in refused.stderr
    site("confirm", "sam-makes.example")  # agreed, but not in her blogroll
    outside = site("feature", "sam-makes.example", check=False)
    assert outside.returncode == 1 and "not in your blogroll" in outside.stderr
    site("ask", "lou-tisse.example")
    site("confirm", "lou-tisse.example")
    site("feature", "lou-tisse.example")
    partners = site.root / "content" / "partners.yaml"
    text = partners.read_text(encoding="utf-8")
    assert "site: https://lou-tisse.example/" in text and "since: '2026-11-20'" in text
    assert "réponds" not in text and "confirm" not in text.split("\n", 2)[2]  # no consent detail
    # a site the blogroll does not list, written by hand, is not shown either
    partners.write_text(text + "- site: https://sam-makes.example/\n  since: '2026-11-20'\n",
                        encoding="utf-8")
    built = run_relais("build", cwd=site.root)
    assert built.returncode == 0, built.stderr
    page = (site.root / "output" / "blogroll" / "index.html").read_text(encoding="utf-8")
    section = page.split('class="blogroll-partners"')[1].split("</section>")[0]
    assert "Partenaires" in section and "Lou Ferrand" in section and "Sam" not in section
    site("unfeature", "lou-tisse.example")
    assert run_relais("build", cwd=site.root).returncode == 0
    assert "blogroll-partners" not in (site.root / "output/blogroll/index.html").read_text(
        encoding="utf-8")


def test_what_other_sites_sent_passes_the_gate_before_it_is_stored(site):
    """End to end: a hostile mention reaches neither the ledger nor the terminal as it came
    (the archive's loader gates it on read; the relays gate what they store once more)."""
    archive = site.root / "data" / "webmentions" / "received.json"
    data = json.loads(archive.read_text(encoding="utf-8"))
    data["mentions"].append({
        "author": {"name": "Eve\x1b]0;pwned\x07 <script>alert(1)</script>",
                   "photo": "javascript:alert(1)", "url": "https://eve.example/"},
        "content": {"html": "", "text": "Hi\x1b[2J <img src=x onerror=alert(1)>"},
        "name": None, "published": "2026-11-19T10:00:00+00:00",
        "received": "2026-11-19T10:00:00+00:00", "rsvp": None,
        "source": "https://eve.example/p/1", "target": "https://atelier-maelle.example/2026/dix-personnes/",
        "type": "reply", "url": "https://eve.example/p/1", "via": "receiver"})
    archive.write_text(json.dumps(data), encoding="utf-8")
    week = site().stdout
    assert "\x1b" not in week and "<script" not in week and "<img" not in week
    eve = people(site.ledger)["eve.example"]
    assert "photo" not in eve["card"]  # not an http(s) URL: not kept
    assert eve["name"] == "Eve ]0;pwned ‹script>alert(1)‹/script>"
    assert eve["evidence"][0]["title"] == "Hi [2J ‹img src=x onerror=alert(1)>"
