"""`relais blogroll refresh` against a fleet of real local sites: politeness and bad input."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from relais.plugins.blogroll.cache import load_state
from relais.plugins.blogroll.model import Creator as Entry
from relais.plugins.blogroll.refresh import refresh

from tests.conftest import run_relais
from tests.support.fleet import (
    Creator,
    Fleet,
    Post,
    home_page,
    publish,
    rate_limited_once,
    redirect,
    rss,
    status,
)

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
POSTS = [
    Post("Émail céladon", "2026-11-01", "Tests d'émail sur grès", ["émail"]),
    Post("Tasses", "2026-10-01", "Douze tasses", ["tasses"]),
]


@pytest.fixture
def fleet():
    with Fleet() as running:
        yield running


def site_for(fleet, slug, name, lists=(), form="link", posts=POSTS, known=None):
    site = fleet.add(slug)
    known = dict(known or {})
    known[slug] = (name, site.url)
    publish(site, Creator(slug, name, f"{name} makes things.", posts, list(lists), form), known)
    return site


def run(creators, data, **options):
    return {o.name: o for o in refresh(creators, data, allow_private=True, now=NOW, **options)}


def test_a_second_refresh_asks_for_changes_and_gets_304s(fleet, tmp_path):
    a = site_for(fleet, "a", "Alice")
    b = fleet.add("b")  # only Last-Modified, no ETag: If-Modified-Since must be sent back exactly
    modified = "Sun, 01 Nov 2026 12:00:00 GMT"
    feed = rss(b.url, "Bob", POSTS).encode()

    def last_modified_only(method, path, headers):
        if headers.get("if-modified-since") == modified:
            return 304, {"Last-Modified": modified}, b""
        return 200, {"Content-Type": "application/rss+xml", "Last-Modified": modified}, feed

    b.behaviours["/feed.xml"] = last_modified_only
    creators = [Entry("Alice", a.url), Entry("Bob", b.url, feed=f"{b.url}feed.xml")]
    first = run(creators, tmp_path)
    assert first["Alice"].result == "ok" and first["Alice"].new_entries == 2
    assert load_state(tmp_path, creators[1].key, b.url)[0]["entries"][0]["title"] == "Émail céladon"
    fleet.clear_logs()
    second = run(creators, tmp_path)
    assert [second[n].feed_bodies for n in ("Alice", "Bob")] == [0, 0]
    assert second["Alice"].bodies == 0 and second["Alice"].result == "unchanged"
    (alice_feed,) = a.requests("/feed.xml")
    assert alice_feed.headers["if-none-match"] and alice_feed.status == 304
    assert all(r.status == 304 for r in a.log)  # home page, blogroll and photo too
    (bob_feed,) = b.requests("/feed.xml")
    assert bob_feed.headers["if-modified-since"] == modified and bob_feed.status == 304
    state = load_state(tmp_path, creators[0].key, a.url)[0]
    assert state["last_error"] is None and len(state["entries"]) == 2


def test_301_is_recorded_and_410_marks_the_feed_gone(fleet, tmp_path):
    a = site_for(fleet, "a", "Alice")
    a.behaviours["/old.xml"] = redirect(301, f"{a.url}feed.xml")
    b = site_for(fleet, "b", "Bob")
    b.behaviours["/feed.xml"] = status(410, b"gone")
    creators = [Entry("Alice", a.url, feed=f"{a.url}old.xml"), Entry("Bob", b.url)]
    first = run(creators, tmp_path)
    alice = load_state(tmp_path, creators[0].key, a.url)[0]
    assert (
        alice["feed"]["url"] == f"{a.url}feed.xml"
        and alice["feed"]["moved_from"] == f"{a.url}old.xml"
    )
    assert first["Alice"].problems == [
        f"feed moved permanently to {a.url}feed.xml: update blogroll.yaml"
    ]
    assert first["Bob"].result == "gone"
    assert load_state(tmp_path, creators[1].key, b.url)[0]["feed"]["gone"] is True
    fleet.clear_logs()
    second = run(creators, tmp_path)
    assert a.requests("/old.xml") == [] and a.requests("/feed.xml")[0].status == 304
    assert b.requests("/feed.xml") == []  # gone: not asked again
    assert "is gone (410)" in second["Bob"].problems[0]


def test_429_with_retry_after_is_waited_for(fleet, tmp_path):
    a = site_for(fleet, "a", "Alice")
    a.behaviours["/feed.xml"] = rate_limited_once("1")
    outcome = run([Entry("Alice", a.url)], tmp_path)["Alice"]
    assert outcome.result == "ok" and outcome.problems == []
    assert [r.status for r in a.requests("/feed.xml")] == [429, 200]


def test_a_failing_site_keeps_its_last_good_data_and_says_why(fleet, tmp_path):
    a = site_for(fleet, "a", "Alice")
    creator = Entry("Alice", a.url)
    run([creator], tmp_path)
    good = load_state(tmp_path, creator.key, a.url)[0]
    loop = f"{a.url}loop"
    cases = {
        "HTTP 500": status(500, b"oops"),
        "not an Atom or RSS feed": lambda m, p, h: (
            200,
            {"Content-Type": "text/html"},
            b"<html>no",
        ),
        "no entries": lambda m, p, h: (
            200,
            {"Content-Type": "application/rss+xml"},
            rss(a.url, "Alice", []).encode(),
        ),
        "more than 10 redirects": redirect(302, loop),
    }
    a.behaviours["/loop"] = redirect(302, f"{a.url}feed.xml?again")
    a.behaviours["/feed.xml?again"] = redirect(302, loop)
    for expected, behaviour in cases.items():
        a.behaviours["/feed.xml"] = behaviour
        a.behaviours["/"] = status(500) if expected == "HTTP 500" else None
        if a.behaviours["/"] is None:
            del a.behaviours["/"]
        outcome = run([creator], tmp_path)["Alice"]
        state = load_state(tmp_path, creator.key, a.url)[0]
        assert outcome.result == "failing", expected
        assert any(expected in line for line in outcome.problems), (expected, outcome.problems)
        assert state["entries"] == good["entries"] and state["card"] == good["card"]
        assert state["last_success"] == good["last_success"] and expected in state["last_error"]
        assert state["failing_since"] == NOW.isoformat(timespec="seconds")


def test_a_slow_server_times_out_without_holding_the_others(fleet, tmp_path):
    slow = site_for(fleet, "slow", "Slow")
    slow.delay = 1.5
    fast = site_for(fleet, "fast", "Fast")
    outcomes = run([Entry("Slow", slow.url), Entry("Fast", fast.url)], tmp_path, timeout=0.5)
    assert outcomes["Fast"].result == "ok"
    assert outcomes["Slow"].result == "failing"
    assert "no complete answer within 0.5 s" in outcomes["Slow"].problems[0]


def test_odd_encodings_are_read_right(fleet, tmp_path):
    a = fleet.add("latin")
    a.put(
        "/",
        "text/html",
        home_page(
            a.url, "Zoé", "Céramiste", photo=None, feed=f"{a.url}feed.xml", blogroll_link=None
        ),
    )
    a.put(
        "/feed.xml",
        "application/rss+xml",
        rss(a.url, "Zoé", POSTS)
        .replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')
        .encode("iso-8859-1"),
    )
    run([Entry("Zoé", a.url)], tmp_path)
    state = load_state(tmp_path, Entry("Zoé", a.url).key, a.url)[0]
    assert state["entries"][0]["title"] == "Émail céladon"
    assert state["card"]["name"] == "Zoé" and state["avatar"] == ""


def test_blogrolls_in_three_forms_and_loops(fleet, tmp_path):
    a, b, c = fleet.add("a"), fleet.add("b"), fleet.add("c")
    known = {"a": ("Alice", a.url), "b": ("Bob", b.url), "c": ("Chloé", c.url)}
    publish(a, Creator("a", "Alice", "x", POSTS, ["b", "c"], "link"), known)  # A lists B lists A
    publish(b, Creator("b", "Bob", "x", POSTS, ["a"], "rss"), known)
    publish(
        c, Creator("c", "Chloé", "x", POSTS, ["a", "b"], "wellknown", advertise_feed=False), known
    )
    creators = [
        Entry("Alice", a.url),
        Entry("Bob", b.url),
        Entry("Chloé", c.url, feed=f"{c.url}feed.xml"),
    ]
    outcomes = run(creators, tmp_path)
    assert all(o.result == "ok" for o in outcomes.values()), outcomes
    members = {
        e.name: [m["title"] for m in load_state(tmp_path, e.key, e.site)[0]["blogroll"]["members"]]
        for e in creators
    }
    assert sorted(members["Alice"]) == ["Bob", "Chloé"]
    assert members["Bob"] == ["Alice"] and sorted(members["Chloé"]) == ["Alice", "Bob"]
    sources = {
        e.name: load_state(tmp_path, e.key, e.site)[0]["blogroll"]["sources"] for e in creators
    }
    assert sources == {
        "Alice": [f"{a.url}blogroll.opml"],
        "Bob": [f"{b.url}links.opml"],
        "Chloé": [f"{c.url}.well-known/recommendations.opml"],
    }
    alice = load_state(tmp_path, creators[0].key, a.url)[0]
    assert alice["feed"]["url"] == f"{a.url}feed.xml"  # discovered from <link rel="alternate">
    assert alice["card"]["name"] == "Alice" and alice["avatar"].endswith(".png")
    assert (tmp_path / alice["avatar"]).read_bytes().startswith(b"\x89PNG")


def test_the_refresh_command_prints_a_summary_with_problem_lines(fleet, tiny_site):
    a = site_for(fleet, "a", "Alice")
    down = fleet.add("down")
    settings = tiny_site({})
    (settings.parent / "content" / "blogroll.yaml").write_text(
        f"creators:\n  - name: Alice\n    site: {a.url}\n  - name: Down\n    site: {down.url}\n",
        encoding="utf-8",
    )
    result = run_relais(
        "blogroll",
        "refresh",
        "-s",
        str(settings),
        "--allow-private-network",
        cwd=settings.parent,
        env={"COLUMNS": "200"},
    )
    assert result.returncode == 0, result.stderr
    assert "Alice" in result.stdout and "home page" in result.stdout and "HTTP 404" in result.stdout
    assert "2 creators refreshed, 1 with problems" in result.stdout
    stored = json.loads(
        (settings.parent / "data" / "blogroll" / f"{Entry('Alice', a.url).key}.json").read_text()
    )
    assert stored["entries"][0]["title"] == "Émail céladon"
    refused = run_relais(
        "blogroll",
        "refresh",
        "-s",
        str(settings),
        cwd=settings.parent,
        env={"RELAIS_ALLOW_PRIVATE_NETWORK": "0"},
    )
    assert refused.returncode == 0 and "loopback" in refused.stdout  # the SSRF guard said no


def test_a_huge_or_broken_blogroll_is_one_line_and_the_feed_still_counts(fleet, tmp_path):
    a = site_for(fleet, "a", "Alice")
    a.put("/blogroll.opml", "text/x-opml", b"<opml><body>" + b"<outline text='x'/>" * 300_000)
    b = site_for(fleet, "b", "Bob")
    b.put("/blogroll.opml", "text/x-opml", b"<html>this is not a list</html>")
    outcomes = run([Entry("Alice", a.url), Entry("Bob", b.url)], tmp_path)
    (alice,) = outcomes["Alice"].problems
    assert alice.startswith(f"blogroll {a.url}blogroll.opml: response of 5,700,012 bytes is over")
    (bob,) = outcomes["Bob"].problems
    assert bob.startswith(f"blogroll {b.url}blogroll.opml: ") and "not a usable OPML list" in bob
    assert outcomes["Alice"].new_entries == 2 and outcomes["Bob"].new_entries == 2


def test_a_big_refresh_parses_feeds_in_a_worker_process_with_the_same_results(fleet, tmp_path):
    good = site_for(fleet, "good", "Good")
    bad = site_for(fleet, "bad", "Bad")
    bad.put("/feed.xml", "application/rss+xml", b"<html>not a feed</html>")
    outcomes = run([Entry("Good", good.url), Entry("Bad", bad.url)], tmp_path, pool_from=1)
    assert outcomes["Good"].result == "ok" and outcomes["Good"].new_entries == 2
    assert "not an Atom or RSS feed" in outcomes["Bad"].problems[0]
