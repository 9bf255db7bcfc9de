"""The self-hosted receiver on 127.0.0.1 (uvicorn), its SQLite queue and verification
against real local source sites."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import httpx
import pytest

from tests.conftest import REPO
from tests.support.receivers import (
    FORM,
    OTHER_POST,
    POST,
    SITE,
    TOKEN,
    built_site,
    entry_page,
    free_port,
    start_receiver_process,
    wait_for_job,
)


@pytest.fixture
def receiver(make_receiver):
    with make_receiver() as running:
        yield running


AUTHOR = ('<span class="p-author h-card"><img class="u-photo" src="/jeanne.png" alt="">'
          '<a class="p-name u-url" href="/">Jeanne Potier</a></span>')


# --- the synchronous checks: one test each ------------------------------------------------

def test_a_valid_request_is_accepted_at_once_with_a_status_location(receiver, sources):
    source = sources.html("/reply", entry_page(f'<a class="u-in-reply-to" href="{POST}">re</a>'))
    answer = receiver.send(source)
    assert answer.status_code == 201
    assert answer.headers["location"].startswith("/status/")  # resolved against the POST's URL
    assert receiver.http.get("/").status_code == 200  # GET says what the endpoint is


def test_the_status_location_never_comes_from_the_host_header(make_receiver, sources):
    source = sources.html("/reply", entry_page(f'<a class="u-in-reply-to" href="{POST}">re</a>'))
    with make_receiver(public_url="https://wm.atelier.example/") as receiver:
        answer = receiver.http.post("/", data={"source": source, "target": POST},
                                    headers={"Host": "evil.example"})
        assert answer.headers["location"].startswith("https://wm.atelier.example/status/")
    with make_receiver() as receiver:
        answer = receiver.http.post("/", data={"source": source, "target": POST},
                                    headers={"Host": "evil.example"})
        assert "evil" not in answer.headers["location"]


def test_the_body_must_be_form_encoded(receiver):
    answer = receiver.http.post("/", json={"source": "https://a.example/", "target": POST})
    assert answer.status_code == 400 and "form-encoded" in answer.text


@pytest.mark.parametrize("missing", ["source", "target"])
def test_source_and_target_are_required(receiver, missing):
    data = {"source": "https://a.example/1", "target": POST}
    del data[missing]
    answer = receiver.http.post("/", data=data)
    assert answer.status_code == 400 and answer.text.strip() == f"missing {missing}"


def test_a_field_given_twice_is_refused(receiver):
    body = f"source=https://a.example/1&source=https://b.example/2&target={POST}"
    answer = receiver.http.post("/", content=body, headers=FORM)
    assert answer.status_code == 400 and "more than once" in answer.text


@pytest.mark.parametrize("field, value", [
    ("source", "ftp://a.example/1"), ("source", "javascript:alert(1)"), ("source", "/relative"),
    ("target", "mailto:maelle@atelier.example"),
])
def test_source_and_target_must_be_http_urls(receiver, field, value):
    data = {"source": "https://a.example/1", "target": POST, field: value}
    answer = receiver.http.post("/", data=data)
    assert answer.status_code == 400 and f"{field} must be an absolute http" in answer.text


def test_source_and_target_must_differ(receiver):
    answer = receiver.send(POST, POST)
    assert answer.status_code == 400 and "same URL" in answer.text


def test_the_target_must_be_on_the_sites_domain(receiver):
    answer = receiver.send("https://a.example/1", "https://elsewhere.example/2026/douze-tasses/")
    assert answer.status_code == 400 and "not on this site" in answer.text


def test_the_target_must_be_an_existing_page(receiver):
    answer = receiver.send("https://a.example/1", f"{SITE}/2026/no-such-post/")
    assert answer.status_code == 400 and "not a page of this site" in answer.text
    assert receiver.send("https://a.example/1", f"{SITE}/../../etc/passwd").status_code == 400


def test_a_body_over_the_limit_is_refused(make_receiver):
    with make_receiver(max_body=512) as receiver:
        answer = receiver.send("https://a.example/" + "x" * 600)
    assert answer.status_code == 413


def test_the_rate_limit_is_per_source_domain(make_receiver):
    with make_receiver(rate_limit=3, worker="none") as receiver:
        codes = [receiver.send(f"https://busy.example/{n}").status_code for n in range(4)]
        other = receiver.send("https://calm.example/1").status_code
        limited = receiver.send("https://busy.example/9")
    assert codes == [201, 201, 201, 429] and other == 201
    assert int(limited.headers["retry-after"]) > 0


# --- asynchronous verification against local source sites ---------------------------------

@pytest.mark.parametrize("markup, kind", [
    (f'<a class="u-in-reply-to" href="{POST}">re</a><p class="e-content">Beau</p>',
     "in-reply-to"),
    (f'<a class="u-like-of" href="{POST}">♥</a>', "like-of"),
    (f'<a class="u-repost-of" href="{POST}">repost</a>', "repost-of"),
    (f'<a class="u-bookmark-of" href="{POST}">à lire</a>', "bookmark-of"),
    (f'<div class="e-content">Lu chez <a href="{POST}">Maëlle</a></div>', "mention-of"),
])
def test_sources_are_verified_and_read_with_their_h_card_author(receiver, sources, markup, kind):
    source = sources.html("/post", entry_page(AUTHOR + markup))
    assert "verified" in receiver.settle(receiver.send(source))
    [entry] = receiver.mentions()
    assert entry["wm-property"] == kind and entry["wm-source"] == source
    assert entry["author"]["name"] == "Jeanne Potier"
    assert entry["author"]["url"] == sources.url("/")
    assert entry["author"]["photo"] == sources.url("/jeanne.png")


def test_a_source_without_microformats_is_a_plain_mention(receiver, sources):
    source = sources.html("/plain", f'<title>Carnet</title><p>Voir <a href="{POST}">ça</a></p>')
    receiver.settle(receiver.send(source))
    [entry] = receiver.mentions()
    assert entry["wm-property"] == "mention-of" and entry["name"] == "Carnet"
    assert entry["author"]["name"] == "127.0.0.1"


@pytest.mark.parametrize("route, outcome", [
    ("nolink", "rejected: source does not link to target"),
    ("substring", "rejected: source does not link to target"),
    ("json", "rejected: source does not link to target (json)"),
    ("huge", "failed: source not fetched"),
    ("loop", "failed: source not fetched"),
    ("slow", "failed: source not fetched"),
    ("missing", "rejected: source is gone (404)"),
])
def test_bad_sources_are_not_accepted_and_do_not_stop_the_worker(receiver, sources, route, outcome):
    sources.html("/nolink", "<p>nothing here</p>")
    sources.html("/substring", f"<p>{POST}</p>")
    sources.add("/json", 200, [("Content-Type", "application/json")], f'{{"url": "{POST}x"}}')
    sources.html("/huge", f'<a href="{POST}">x</a>' + "x" * 1_100_000)
    sources.add("/loop", 302, [("Location", sources.url("/loop"))])
    sources.add("/slow", 200, [("Content-Type", "text/html")], f'<a href="{POST}">x</a>', delay=2)
    assert receiver.settle(receiver.send(sources.url(f"/{route}"))).startswith(outcome)
    assert receiver.mentions() == []
    good = sources.html("/good", f'<a href="{POST}">ok</a>')
    assert "verified" in receiver.settle(receiver.send(good))


def test_private_addresses_are_refused_by_the_ssrf_guard(make_receiver, sources):
    source = sources.html("/reply", f'<a href="{POST}">x</a>')
    with make_receiver(allow_private=False) as receiver:
        sent = receiver.send(source)
        outcome = receiver.settle(sent)
        assert outcome.startswith("failed: source not fetched") and "127.0.0.1" in outcome
        assert receiver.mentions() == []
        # a stranger's status page says it failed, not what the host resolves to
        anonymous = receiver.http.get(sent.headers["location"]).json()
        assert anonymous["state"] == "done" and "127.0.0.1" not in anonymous["outcome"]
        assert anonymous["outcome"].startswith("failed: the source could not be fetched")
        wrong = receiver.http.get(sent.headers["location"], params={"token": "nope"}).json()
        assert "127.0.0.1" not in wrong["outcome"]


def test_a_later_webmention_updates_and_a_gone_or_unlinking_source_deletes(receiver, sources):
    source = sources.html("/r", entry_page(f'<a class="u-in-reply-to" href="{POST}">re</a>'
                                           '<p class="e-content">Premier jet</p>'))
    receiver.settle(receiver.send(source))
    [first] = receiver.mentions()
    sources.html("/r", entry_page(f'<a class="u-in-reply-to" href="{POST}">re</a>'
                                  '<p class="e-content">Version corrigée</p>'))
    assert receiver.settle(receiver.send(source)).endswith("updated")
    [edited] = receiver.mentions()
    assert edited["content"]["text"] == "Version corrigée" and edited["wm-id"] > first["wm-id"]
    sources.add("/r", 503, [], "down for maintenance")  # a failure keeps what we had
    assert receiver.settle(receiver.send(source)).startswith("failed")
    assert len(receiver.mentions()) == 1
    sources.add("/r", 410, [], "gone")
    assert receiver.settle(receiver.send(source)) == "deleted: source is gone (410)"
    assert receiver.mentions() == []
    [tombstone] = receiver.mentions(since_id=edited["wm-id"])
    assert tombstone["wm-deleted"] is True and tombstone["wm-source"] == source
    other = sources.html("/o", f'<a href="{OTHER_POST}">x</a>')
    receiver.settle(receiver.send(other, OTHER_POST))
    sources.html("/o", "<p>lien retiré</p>")
    assert receiver.settle(receiver.send(other, OTHER_POST)).startswith("deleted")


def test_the_api_needs_the_token_and_pages_like_webmention_io(receiver, sources):
    for n in range(5):
        receiver.settle(receiver.send(sources.html(f"/p{n}", f'<a href="{POST}">{n}</a>')))
    assert receiver.http.get("/api/mentions.jf2").status_code == 401
    assert receiver.http.get("/api/mentions.jf2", params={"token": "wrong"}).status_code == 401
    pages = [receiver.http.get("/api/mentions.jf2", params={
        "token": TOKEN, "per-page": 2, "page": p, "domain": "atelier.example"}).json()["children"]
        for p in range(4)]
    assert [len(p) for p in pages] == [2, 2, 1, 0]
    ids = [e["wm-id"] for p in pages for e in p]
    assert ids == sorted(ids) and len(set(ids)) == 5
    later = receiver.http.get("/api/mentions.jf2", params={"token": TOKEN, "since_id": ids[2]})
    assert [e["wm-id"] for e in later.json()["children"]] == ids[3:]


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "relais.cli", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=60)


def test_moderation_holds_new_domains_until_approved_and_blocks(make_receiver, sources, tmp_path):
    db = str(tmp_path / "wm.sqlite3")
    first = sources.html("/a", entry_page(AUTHOR + f'<a class="u-like-of" href="{POST}">♥</a>'))
    with make_receiver(moderation=True, blocklist_refresh=0) as receiver:
        assert "waits for moderation" in receiver.settle(receiver.send(first))
        assert receiver.mentions() == []
        listed = run_cli("receiver", "moderate", "--db", db)
        assert listed.returncode == 0 and "like" in listed.stdout and first in listed.stdout
        approved = run_cli("receiver", "moderate", "--db", db, "--approve", "127.0.0.1")
        assert "1 published" in approved.stdout
        assert [e["wm-source"] for e in receiver.mentions()] == [first]
        second = sources.html("/b", f'<a href="{OTHER_POST}">x</a>')
        assert "verified" in receiver.settle(receiver.send(second, OTHER_POST))  # approved domain
        assert len(receiver.mentions()) == 2
        blocked = run_cli("receiver", "moderate", "--db", db, "--block", "127.0.0.1")
        assert blocked.returncode == 0
        refused = receiver.send(sources.html("/c", f'<a href="{POST}">x</a>'))
        assert refused.status_code == 403 and "blocked" in refused.text


# --- restart in the middle of a queue ------------------------------------------------------

def test_kill_9_in_the_middle_of_the_queue_loses_and_doubles_nothing(tmp_path, sources):
    site = built_site(tmp_path / "output")
    db = tmp_path / "wm.sqlite3"
    count = 30
    for n in range(count):  # slow sources keep the queue busy when the process is killed
        sources.add(f"/s{n}", 200, [("Content-Type", "text/html")],
                    f'<a class="u-like-of h-cite" href="{POST}">{n}</a>', delay=0.15)
    port = free_port()
    process = start_receiver_process(db, site, port)
    accepted = []
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
        for n in range(count):
            answer = http.post("/", data={"source": sources.url(f"/s{n}"), "target": POST})
            assert answer.status_code == 201
            accepted.append(answer.headers["location"])
        http.post("/", data={"source": sources.url("/s0"), "target": POST})  # a resend
    os.kill(process.pid, signal.SIGKILL)
    process.wait(10)
    done_before = sum(1 for r in sources.requests if r.path.startswith("/s"))
    assert done_before < count, "the queue was empty before the kill: nothing was tested"

    port = free_port()
    process = start_receiver_process(db, site, port)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            for location in accepted:
                path = "/status/" + location.rsplit("/", 1)[1]
                assert "verified" in wait_for_job(http, path, 30)
            children = http.get("/api/mentions.jf2", params={
                "token": TOKEN, "per-page": 1000}).json()["children"]
    finally:
        process.terminate()
        process.wait(10)
    sources_seen = sorted(e["wm-source"] for e in children)
    assert sources_seen == sorted(sources.url(f"/s{n}") for n in range(count))
