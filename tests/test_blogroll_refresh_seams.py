"""The blogroll refresh at the seams: a transient failure then recovery, Retry-After across
runs, broken documents, empty feeds, a site that is down, kill -9, and keep-alive past 256
hosts. Real sites (tests/support/fleet.py), the real `relais blogroll refresh` process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from relais.plugins.blogroll.cache import load_state, sweep_temporary
from relais.plugins.blogroll.model import Creator as Entry
from relais.plugins.blogroll.refresh import WELL_KNOWN, refresh

from tests.support.fleet import Creator, Fleet, Post, publish, status
from tests.test_blogroll_refresh import NOW, POSTS, run, site_for


@pytest.fixture
def fleet():
    with Fleet() as running:
        yield running


def with_well_known_blogroll(fleet):
    """Alice lists Bob in /.well-known/recommendations.opml (no rel=blogroll link)."""
    bob = fleet.add("bob")
    known = {"bob": ("Bob", bob.url)}
    alice = site_for(fleet, "alice", "Alice", lists=["bob"], form="wellknown", known=known)
    return alice, Entry("Alice", alice.url)


def members(tmp_path, creator, site):
    return load_state(tmp_path, creator.key, site.url)[0]["blogroll"]["members"]


def test_a_transient_500_on_the_blogroll_keeps_it_and_it_comes_back(fleet, tmp_path):
    alice, creator = with_well_known_blogroll(fleet)
    run([creator], tmp_path)
    listed = members(tmp_path, creator, alice)
    assert [m["title"] for m in listed] == ["Bob"]
    alice.behaviours[WELL_KNOWN] = status(500, b"oops")
    outcome = run([creator], tmp_path)["Alice"]
    assert members(tmp_path, creator, alice) == listed  # the last good blogroll stays
    assert any(f"{WELL_KNOWN}: HTTP 500" in line for line in outcome.problems)
    del alice.behaviours[WELL_KNOWN]
    fleet.clear_logs()
    run([creator], tmp_path)
    assert members(tmp_path, creator, alice) == listed
    [asked] = alice.requests(WELL_KNOWN)
    assert asked.status in (200, 304)


def test_a_blogroll_that_is_gone_goes_with_its_validators_and_can_come_back(fleet, tmp_path):
    alice, creator = with_well_known_blogroll(fleet)
    run([creator], tmp_path)
    alice.behaviours[WELL_KNOWN] = status(404)
    run([creator], tmp_path)
    state = load_state(tmp_path, creator.key, alice.url)[0]
    assert state["blogroll"]["members"] == [] and alice.url + WELL_KNOWN[1:] not in str(
        state["validators"])
    del alice.behaviours[WELL_KNOWN]
    fleet.clear_logs()
    run([creator], tmp_path)
    assert [m["title"] for m in members(tmp_path, creator, alice)] == ["Bob"]
    assert [r.status for r in alice.requests(WELL_KNOWN)] == [200]  # asked without validators


def test_retry_after_is_kept_across_runs_and_the_message_is_true(fleet, tmp_path):
    alice = site_for(fleet, "a", "Alice")
    creator = Entry("Alice", alice.url)
    run([creator], tmp_path)
    good = load_state(tmp_path, creator.key, alice.url)[0]
    alice.behaviours["/feed.xml"] = status(429, b"slow down", {"Retry-After": "120"})
    fleet.clear_logs()
    first = run([creator], tmp_path)["Alice"]
    assert [r.status for r in alice.requests("/feed.xml")] == [429]  # 120 s: not waited for
    [line] = [p for p in first.problems if "feed" in p]
    assert "asked to wait 120 s (Retry-After); not asked again before" in line
    assert "after waiting" not in line
    fleet.clear_logs()
    second = run([creator], tmp_path)["Alice"]  # a new run, at the same moment
    assert alice.log == [] and second.result == "waiting"
    assert "asked to wait until" in second.problems[0]
    state = load_state(tmp_path, creator.key, alice.url)[0]
    assert state["entries"] == good["entries"] and state["card"] == good["card"]
    del alice.behaviours["/feed.xml"]
    [later] = refresh([creator], tmp_path, allow_private=True, now=NOW + timedelta(seconds=130))
    assert later.result in ("ok", "unchanged") and alice.requests("/feed.xml")


def test_broken_xml_is_an_error_naming_the_url_and_the_last_good_data_stays(fleet, tmp_path):
    alice = site_for(fleet, "a", "Alice", lists=[], form="link")
    creator = Entry("Alice", alice.url)
    run([creator], tmp_path)
    good = load_state(tmp_path, creator.key, alice.url)[0]
    alice.put("/feed.xml", "application/rss+xml",
              "<rss version='2.0'><channel><title>A</title><item><title>x</item></channel>")
    alice.put("/blogroll.opml", "text/x-opml", "<opml><body><outline text='B' xmlUrl='http")
    outcome = run([creator], tmp_path)["Alice"]
    feed_line = next(p for p in outcome.problems if p.startswith("feed"))
    assert f"{alice.url}feed.xml" in feed_line and "not well-formed XML (line 2" in feed_line
    roll_line = next(p for p in outcome.problems if p.startswith("blogroll"))
    assert f"{alice.url}blogroll.opml" in roll_line and "not well-formed XML" in roll_line
    state = load_state(tmp_path, creator.key, alice.url)[0]
    assert state["entries"] == good["entries"] and state["blogroll"] == good["blogroll"]
    assert all(e["title"] and e["url"] for e in state["entries"])


def test_an_empty_feed_gets_validators(fleet, tmp_path):
    alice = fleet.add("a")
    publish(alice, Creator("a", "Alice", "No posts yet.", []), {"a": ("Alice", alice.url)})
    creator = Entry("Alice", alice.url)
    run([creator], tmp_path)
    fleet.clear_logs()
    outcome = run([creator], tmp_path)["Alice"]
    assert [r.status for r in alice.requests("/feed.xml")] == [304]
    assert any("no entries" in line for line in outcome.problems)


def test_a_site_down_on_its_home_page_is_asked_nothing_else(fleet, tmp_path):
    alice = site_for(fleet, "a", "Alice")
    creator = Entry("Alice", alice.url)
    run([creator], tmp_path)
    good = load_state(tmp_path, creator.key, alice.url)[0]
    alice.behaviours["/"] = status(500, b"down")
    fleet.clear_logs()
    outcome = run([creator], tmp_path)["Alice"]
    assert [r.path for r in alice.log] == ["/"]
    assert outcome.result == "failing"
    assert any("not asked: the site answered HTTP 500 on its home page" in p
               for p in outcome.problems)
    state = load_state(tmp_path, creator.key, alice.url)[0]
    assert state["validators"] == good["validators"]  # nothing learnt: nothing forgotten
    del alice.behaviours["/"]
    fleet.clear_logs()
    run([creator], tmp_path)
    assert sorted({r.status for r in alice.log}) == [304]  # the validators still work


def test_kill_9_of_the_refresh_loses_nothing(fleet, tmp_path, tiny_site):
    sites = [site_for(fleet, f"c{n}", f"Creator {n}") for n in range(30)]
    for site in sites:
        site.delay = 0.05
    settings = tiny_site({})
    roll = "creators:\n" + "".join(f"  - name: Creator {n}\n    site: {site.url}\n"
                                   for n, site in enumerate(sites))
    (settings.parent / "content" / "blogroll.yaml").write_text(roll, encoding="utf-8")
    command = [sys.executable, "-m", "relais.cli", "blogroll", "refresh", "-s", str(settings),
               "--allow-private-network"]
    data = settings.parent / "data" / "blogroll"
    first = subprocess.run(command, cwd=settings.parent, capture_output=True, text=True,
                           timeout=120)
    assert first.returncode == 0, first.stderr
    before = {p.name: json.loads(p.read_text()) for p in data.glob("*.json")}
    assert len(before) == 30
    newer = [Post("Nouveau four", "2026-11-19", "Un four neuf", ["four"]), *POSTS]
    for n, site in enumerate(sites):
        publish(site, Creator(f"c{n}", f"Creator {n}", f"Creator {n} makes things.", newer), {})
    sites[0].delay = 5.0  # one slow site: the run cannot be over when the kill comes
    process = subprocess.Popen(command, cwd=settings.parent, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60

    def updated_files() -> int:
        return sum("Nouveau four" in p.read_text() for p in data.glob("*.json"))

    while updated_files() < 5:
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    after = {p.name: json.loads(p.read_text()) for p in data.glob("*.json")}  # all valid JSON
    assert set(after) == set(before)
    updated = [name for name in after if after[name]["entries"][0]["title"] == "Nouveau four"]
    assert 0 < len(updated) < 30, "the kill must land mid-run"
    for name, state in after.items():  # every file is a whole state: the old one or the new
        assert state["entries"] and state["card"] == before[name]["card"]
        assert state["blogroll"] == before[name]["blogroll"]
    sites[0].delay = 0.05
    again = subprocess.run(command, cwd=settings.parent, capture_output=True, text=True,
                           timeout=120)
    assert again.returncode == 0, again.stderr
    final = {p.name: json.loads(p.read_text()) for p in data.glob("*.json")}
    assert all(s["entries"][0]["title"] == "Nouveau four" for s in final.values())


def test_temporary_files_a_kill_left_are_swept(tmp_path):
    (tmp_path / "a.json").write_text("{}")
    stale = tmp_path / ".a.json.x1.tmp"
    fresh = tmp_path / ".a.json.x2.tmp"
    stale.write_text("{")
    fresh.write_text("{")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    assert sweep_temporary(tmp_path) == 1
    assert not stale.exists() and fresh.exists() and (tmp_path / "a.json").exists()


def loopback(index: int) -> str:
    return f"127.0.{1 + index // 250}.{1 + index % 250}"


def test_300_hosts_keep_one_connection_each_on_the_second_refresh(tmp_path):
    with Fleet() as fleet:
        sites = [fleet.add(f"c{n}", host=loopback(n)) for n in range(300)]
        for n, site in enumerate(sites):
            publish(site, Creator(f"c{n}", f"Creator {n}", "A maker.", POSTS[:1], [],
                                  "wellknown"), {})
        creators = [Entry(f"Creator {n}", site.url) for n, site in enumerate(sites)]
        run(creators, tmp_path, total=16)
        fleet.clear_logs()
        outcomes = run(creators, tmp_path, total=16)
        assert all(o.result == "unchanged" for o in outcomes.values())
        assert sum(len(s.log) for s in sites) == 4 * 300  # home, feed, blogroll, photo
        assert all(r.status == 304 for s in sites for r in s.log)
        assert max(s.connections for s in sites) == 1, sorted(
            s.connections for s in sites)[-5:]


def test_a_corrupt_state_file_starts_that_creator_afresh_and_no_other(fleet, tmp_path):
    alice, bob = site_for(fleet, "a", "Alice"), site_for(fleet, "b", "Bob")
    creators = [Entry("Alice", alice.url), Entry("Bob", bob.url)]
    run(creators, tmp_path)
    bob_before = (tmp_path / f"{creators[1].key}.json").read_text()
    (tmp_path / f"{creators[0].key}.json").write_text("{broken")
    outcomes = run(creators, tmp_path)
    assert "starting afresh" in outcomes["Alice"].problems[0]
    assert load_state(tmp_path, creators[0].key, alice.url)[0]["entries"]  # fetched again
    assert (tmp_path / f"{creators[1].key}.json").read_text() == bob_before
