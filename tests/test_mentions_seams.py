"""Received mentions at the seams: a fetch while mentions change, spellings of one pair,
sources that are not HTML, a rebuild while receiving, a verifier that dies, rate limits and
pruning. Real receivers (uvicorn, SQLite), real source servers, real `relais` processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import httpx
import pytest
from relais.plugins.webmentions.incoming import archive
from relais.plugins.webmentions.incoming.checks import Site
from relais.plugins.webmentions.incoming.inbox import Inbox
from relais.plugins.webmentions.incoming.receiver import RateLimiter, ReceiverConfig
from relais.plugins.webmentions.incoming.record import clean

from relais.build import build, load_settings
from tests.support.receivers import (
    POST,
    TOKEN,
    Receiver,
    built_site,
    entry_page,
    free_port,
    start_receiver_process,
    wait_for_job,
)
from tests.test_mentions_fetch import fetch


def a_mention(n: int, text: str = "") -> dict:
    return clean({"source": f"https://friend{n}.example/notes/{n}", "target": POST,
                  "type": "reply", "url": f"https://friend{n}.example/notes/{n}",
                  "author": {"name": f"Friend {n}"}, "published": "2026-04-01T10:00:00+00:00",
                  "content": {"html": "", "text": text or f"Reply {n}"},
                  "received": "2026-04-01T10:00:00+00:00", "via": "receiver"})


# --- fetching while the receiver's mentions change ------------------------------------------

def test_an_update_during_a_paged_fetch_skips_nothing(make_receiver, tmp_path, sources):
    """300 mentions in pages of 100; the 50th is updated (new wm-id) right after the first page
    was served, so the rows behind it shift: every mention must still arrive, updated."""
    db = tmp_path / "wm.sqlite3"
    with make_receiver(worker="none") as receiver:
        writer = Inbox(db)
        for n in range(300):
            writer.store(a_mention(n), pending=False)
        served = []

        def proxy(request, handler):  # the receiver's API, seen through a real HTTP hop
            answer = httpx.get(f"{receiver.url}/api/mentions.jf2?{request.query}", timeout=10)
            served.append(len(answer.json()["children"]))
            if len(served) == 1:
                writer.store(a_mention(50, "Reply 50, corrected"), pending=False)
            return answer.status_code, [("Content-Type", "application/json")], answer.content

        sources.routes["/api/mentions.jf2"] = proxy
        path = tmp_path / "received.json"
        report = fetch(path, sources.url("/api/mentions.jf2"), token=TOKEN)
        assert served[:3] == [100, 100, 100]
        mentions = archive.load(path).mentions
        assert len(mentions) == 300 and report.changes.added == 300
        corrected = mentions[(a_mention(50)["source"], POST)]
        assert corrected["content"]["text"] == "Reply 50, corrected"
        before = path.read_bytes()
        again = fetch(path, sources.url("/api/mentions.jf2"), token=TOKEN)  # nothing new
        assert not again.written and path.read_bytes() == before
        writer.close()


# --- one pair, many spellings ----------------------------------------------------------------

def test_spellings_of_one_pair_are_one_mention_in_the_receiver_and_the_archive(
        make_receiver, sources, tmp_path):
    source = sources.html("/reply", entry_page(
        f'<a class="u-in-reply-to" href="{POST}#comments">re</a><p class="e-content">Bravo</p>'))
    spellings = [(source, POST + "#a"), (source, POST + "#comments"), (source + "#x", POST),
                 (source, POST.replace("https://atelier", "HTTPS://Atelier")),
                 (source.replace("http://", "HTTP://"), POST)]
    path = tmp_path / "received.json"
    with make_receiver() as receiver:
        for pair in spellings:
            assert "verified" in receiver.settle(receiver.send(*pair))
        entries = receiver.mentions()
        assert [(e["wm-source"], e["wm-target"]) for e in entries] == [(source, POST)]
        fetch(path, receiver.url + "/api/mentions.jf2", token=TOKEN)
    assert list(archive.load(path).mentions) == [(source, POST)]


def test_an_archive_with_spellings_of_one_pair_collapses_on_reading_and_on_writing(tmp_path):
    path = tmp_path / "received.json"
    first = {**a_mention(1, "first words"), "received": "2026-04-01T10:00:00+00:00"}
    later = {**a_mention(1, "edited words"), "received": "2026-04-03T10:00:00+00:00"}
    raw = [{**first, "target": POST + "#comments"}, {**later, "source": first["source"] + "#x"},
           {**first, "target": POST + "#a"}]
    path.write_text(json.dumps({"cursors": {}, "mentions": raw}), encoding="utf-8")
    loaded = archive.load(path)
    [kept] = loaded.mentions.values()
    assert (kept["source"], kept["target"]) == (first["source"], POST)
    assert kept["content"]["text"] == "edited words"  # the one received last
    assert kept["received"] == "2026-04-01T10:00:00+00:00"  # received first then
    assert archive.save(path, loaded)  # the file is rewritten without the duplicates
    assert len(json.loads(path.read_text())["mentions"]) == 1
    merged = archive.merge(loaded, [{**a_mention(1), "target": POST + "#other"}])
    assert merged.updated == 1 and len(loaded.mentions) == 1


# --- sources that are not HTML ----------------------------------------------------------------

def test_plain_text_and_json_sources_are_checked_and_accepted(receiver_and_sources):
    receiver, sources = receiver_and_sources
    text = sources.add("/note.txt", 200, [("Content-Type", "text/plain; charset=utf-8")],
                       f"Lu et aimé : {POST}.\nÀ bientôt")
    near = sources.add("/near.txt", 200, [("Content-Type", "text/plain")], f"{POST}other")
    data = sources.add("/post.json", 200, [("Content-Type", "application/activity+json")],
                       json.dumps({"type": "Note", "inReplyTo": [{"href": POST}]}))
    assert receiver.settle(receiver.send(text)) == "verified mention: added"
    assert receiver.settle(receiver.send(near)).startswith("rejected: source does not link")
    assert receiver.settle(receiver.send(data)) == "verified mention: added"
    assert sorted(e["wm-source"] for e in receiver.mentions()) == sorted([text, data])


def test_only_a_gone_source_or_a_document_that_no_longer_links_deletes(receiver_and_sources):
    receiver, sources = receiver_and_sources
    page = entry_page(f'<a class="u-in-reply-to" href="{POST}">re</a><p class="e-content">Oui</p>')
    source = sources.html("/r", page)
    assert receiver.settle(receiver.send(source)).startswith("verified reply")
    for status, kind, body in ((200, "text/plain", "Maintenance, back soon"),
                               (200, "text/plain", f"Maintenance; our post on {POST} is back soon"),
                               (200, "image/png", "\x89PNG"), (500, "text/html", "oops"),
                               (403, "text/html", "forbidden"), (429, "text/html", "slow down")):
        sources.add("/r", status, [("Content-Type", kind)], body)
        outcome = receiver.settle(receiver.send(source))
        assert outcome.startswith("failed"), (status, kind, outcome)
        [kept] = receiver.mentions()
        assert kept["wm-property"] == "in-reply-to" and kept["content"]["text"] == "Oui"
    sources.html("/r", "<p>lien retiré</p>")  # the same kind of document, no longer linking
    assert receiver.settle(receiver.send(source)) == \
        "deleted: source does not link to target (html)"
    sources.html("/r", page)
    receiver.settle(receiver.send(source))
    sources.add("/r", 404, [("Content-Type", "text/html")], "not found")
    assert receiver.settle(receiver.send(source)) == "deleted: source is gone (404)"
    assert receiver.mentions() == []


@pytest.fixture
def receiver_and_sources(make_receiver, sources):
    with make_receiver() as receiver:
        yield receiver, sources


# --- a rebuild while receiving --------------------------------------------------------------

@pytest.mark.parametrize("fresh", [True, False], ids=["fresh output", "output in place"])
def test_a_rebuild_never_makes_the_receiver_refuse_a_page(tiny_site, tmp_path, monkeypatch,
                                                          fresh):
    """A rebuild that writes a fresh output (it empties the folder first), and one that
    updates it in place (relais.output: its pages never leave)."""
    posts = {f"p{n}.md": f"Title: Pot {n}\nDate: 2026-03-0{1 + n % 9} 10:00\nSlug: pot-{n}\n\nPot."
             for n in range(40)}
    settings_file = tiny_site(posts)
    root = settings_file.parent
    site = root / "output"
    extra = {"SITEURL": "https://atelier.example"}
    build(load_settings(str(settings_file), str(site), extra))
    targets = [f"https://atelier.example/2026/pot-{n}/" for n in range(40)]
    (root / "content" / "posts" / "new.md").write_text(
        "Title: New\nDate: 2026-03-20 10:00\nSlug: nouveau\n\nNew.", encoding="utf-8")
    new_target = "https://atelier.example/2026/nouveau/"
    config = ReceiverConfig(db=tmp_path / "wm.sqlite3", site_dir=site, domains=["atelier.example"],
                            worker="none", rate_limit=0, address_rate_limit=0)
    statuses: dict[int, int] = {}
    monkeypatch.setattr(Site, "LOOK_EVERY", 0.0)  # look at every request: no lucky timing
    with Receiver(config) as receiver:
        rebuild = subprocess.Popen(
            [sys.executable, "-m", "relais.cli", "build", "-s", str(settings_file), "-o", str(site),
             "-e", 'SITEURL="https://atelier.example"', *(["--ignore-cache"] if fresh else [])],
            cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        n = 0
        emptied = False
        while rebuild.poll() is None:
            emptied = emptied or not (site / "2026" / "pot-39" / "index.html").exists()
            answer = receiver.send(f"https://friend.example/{n}", targets[n % len(targets)])
            statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1
            n += 1
        assert rebuild.returncode == 0, rebuild.stderr.read().decode()
        if fresh:
            assert emptied, "the build never emptied the output: nothing was tested"
        else:
            assert not emptied, "a page left the output while it was updated in place"
        deadline = time.monotonic() + 5
        while (answer := receiver.send("https://friend.example/new", new_target)).status_code \
                != 201:
            assert answer.status_code == 400 and time.monotonic() < deadline
            time.sleep(0.1)
    assert set(statuses) == {201}, statuses  # never a final 400 for a page of the site


def test_without_a_manifest_yet_the_answer_is_try_again_later(tmp_path):
    site = tmp_path / "output"
    site.mkdir()
    config = ReceiverConfig(db=tmp_path / "wm.sqlite3", site_dir=site, domains=["atelier.example"],
                            worker="none")
    with Receiver(config) as receiver:
        answer = receiver.send("https://friend.example/a")
        assert answer.status_code == 503 and answer.headers["retry-after"] == "30"
        built_site(site)
        time.sleep(1.1)
        assert receiver.send("https://friend.example/a").status_code == 201


# --- the verifier dies ----------------------------------------------------------------------

def test_a_killed_verifier_is_started_again_and_health_says_so(tmp_path, sources):
    site = built_site(tmp_path / "output")
    port = free_port()
    process = start_receiver_process(tmp_path / "wm.sqlite3", site, port)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            health = http.get("/health")
            assert health.status_code == 200
            first = health.json()["verifier"]
            assert first["running"] and first["restarts"] == 0 and first["pid"] != process.pid
            os.kill(first["pid"], signal.SIGKILL)
            deadline = time.monotonic() + 20
            while (now := http.get("/health").json())["verifier"]["restarts"] == 0 \
                    or not now["verifier"]["running"]:
                assert time.monotonic() < deadline, now
                time.sleep(0.1)
            assert now["status"] == "ok" and now["verifier"]["pid"] != first["pid"]
            source = sources.html("/after", f'<a href="{POST}">après</a>')
            answer = http.post("/", data={"source": source, "target": POST})
            assert "verified" in wait_for_job(http, answer.headers["location"], 20)
    finally:
        process.terminate()
        process.wait(10)


# --- rate limits and pruning ----------------------------------------------------------------

def test_the_rate_limit_is_per_client_address_too(make_receiver):
    with make_receiver(rate_limit=0, address_rate_limit=3, worker="none") as receiver:
        answers = [receiver.send(f"https://site{n}.example/post") for n in range(4)]
    assert [a.status_code for a in answers] == [201, 201, 201, 429]
    assert "address" in answers[3].text and int(answers[3].headers["retry-after"]) >= 1


def test_the_rate_limiter_forgets_quiet_keys():
    limiter = RateLimiter(2, window=0.05)
    for n in range(1000):
        assert limiter.retry_after(f"host{n}.example") == 0
    time.sleep(0.06)
    assert limiter.retry_after("last.example") == 0
    assert list(limiter.seen) == ["last.example"]


def test_old_finished_jobs_are_pruned_and_their_mentions_stay(tmp_path):
    inbox = Inbox(tmp_path / "wm.sqlite3")
    try:
        done, waiting = inbox.enqueue("https://a.example/1", POST), inbox.enqueue(
            "https://a.example/2", POST)
        [claimed] = inbox.claim(1)
        inbox.finish(claimed.id, "verified mention: added")
        inbox.store(a_mention(1), pending=False)
        assert inbox.prune_jobs(time.time() - 3600) == 0  # finished just now: kept
        assert inbox.prune_jobs(time.time() + 1) == 1
        assert inbox.job(done) is None and inbox.job(waiting).state == "queued"
        assert inbox.has_mention(a_mention(1)["source"], POST)
    finally:
        inbox.close()


def test_a_database_from_before_keeps_working(tmp_path):
    """A receiver database made before the `media` column: opened, migrated, read as HTML."""
    import sqlite3

    db = tmp_path / "old.sqlite3"
    old = sqlite3.connect(db)
    old.executescript(
        "CREATE TABLE mentions (source TEXT NOT NULL, target TEXT NOT NULL, domain TEXT NOT NULL,"
        " record TEXT, seq INTEGER NOT NULL, pending INTEGER NOT NULL DEFAULT 0,"
        " PRIMARY KEY (source, target));")
    old.execute("INSERT INTO mentions VALUES (?, ?, ?, ?, 1, 0)",
                ("https://a.example/1", POST, "a.example", json.dumps(a_mention(1))))
    old.commit()
    old.close()
    inbox = Inbox(db)
    try:
        assert inbox.verified_from("https://a.example/1", POST) == "html"
    finally:
        inbox.close()



def test_a_killed_fetch_leaves_the_archive_as_it_was(tmp_path, sources):
    """`relais mentions fetch` killed between two pages: the archive is the one before."""
    from tests.test_mentions_fetch import FakeWebmentionIo, jf2_entry

    fake = FakeWebmentionIo(sources, [jf2_entry(n) for n in range(3)])
    settings = tmp_path / "site.py"
    settings.write_text(f"PATH = {str(tmp_path / 'content')!r}\nSITEURL = 'https://atelier.example'\n"
                        "TIMEZONE = 'Europe/Paris'\n")
    (tmp_path / "content").mkdir()
    archive_path = tmp_path / "data" / "webmentions" / "received.json"
    command = [sys.executable, "-m", "relais.cli", "mentions", "fetch", "-s", str(settings),
               "--api", fake.url, "--allow-private-network"]
    env = {**os.environ, "RELAIS_MENTIONS_TOKEN": "io-token"}
    first = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True,
                           timeout=60)
    assert first.returncode == 0, first.stderr
    before = archive_path.read_bytes()
    fake.entries.extend(jf2_entry(n) for n in range(3, 250))
    answer = fake.answer
    served = []

    def slow_after_the_first_page(request, handler):
        served.append(1)
        if len(served) > 1:
            time.sleep(30)  # the kill comes while the second page is awaited
        return answer(request, handler)

    sources.routes["/api/mentions.jf2"] = slow_after_the_first_page
    process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while len(served) < 2:
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert archive_path.read_bytes() == before
