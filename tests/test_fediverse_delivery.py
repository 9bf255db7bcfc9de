"""Delivery to fediverse followers (docs/fediverse.md, "Delivery"): the build's post list, Create,
Update and Delete sent signed to the followers' (shared) inboxes on local servers, the delivery
log (retries, failures, a 410'd follower forgotten, a `kill -9` repeating only what was in
flight), the outbox and objects served by the receiver, `relais fediverse status`, and the
whole path through `relais publish` to a bovine-herd user (tests/support/peer.py)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from relais.plugins.fediverse import signatures
from relais.plugins.fediverse.config import config
from relais.plugins.fediverse.delivery import FIRST_RETRY, Limits, decide, deliver
from relais.plugins.fediverse.deliverylog import DeliveryLog
from relais.plugins.fediverse.followers import Followers
from relais.plugins.fediverse.keys import load_or_create, public_pem
from relais.plugins.fediverse.objects import LIST_NAME

from relais.net.client import Blocked, Timeout, TooLarge
from tests.conftest import run_relais
from tests.support.local_http import LocalServer
from tests.support.receivers import REPO

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"

CONF = """\
import relais
PATH = "content"
SITENAME = "Atelier"
SITEURL = {site_url!r}
RELATIVE_URLS = False
TIMEZONE = "Europe/Paris"
DEFAULT_LANG = "fr"
THEME = relais.THEME
PLUGINS = relais.PLUGINS
FEDIVERSE_HANDLE = "atelier"
FEDIVERSE_KEY = {key!r}
FEDIVERSE_DB = {db!r}
"""

STORY = """\
Title: Douze tasses
Date: 2026-02-03 18:40
Slug: douze-tasses
Lang: fr
Summary: Une seule forme de tasse, <em>cinquante</em> fois.
Cover: images/tasses.svg
Cover_alt: Trois croquis de tasses.

Au départ, [ma collection](/2026/autre/) tenait sur deux pages.

<script>alert(1)</script><p onclick="x()">Fin.</p>
"""

NOTE = """\
Title: Four allumé
Date: 2026-02-05 08:00
Category: Notes
Slug: four

Le four chauffe depuis six heures.
"""

REPLY = """\
Title: Réponse
Date: 2026-02-06 09:00
Category: Notes
Slug: reponse
In-Reply-To: https://masto.example/@jeanne/1

Bien d'accord !
"""

LIKE = """\
Title: Aimé
Date: 2026-02-07 09:00
Category: Notes
Slug: aime
Like-Of: https://masto.example/@jeanne/2

"""


def make_site(root: Path, site_url: str) -> Path:
    """A small site project: a story with a cover, a note, a reply and a like."""
    (root / "content" / "images").mkdir(parents=True)
    (root / "content" / "images" / "tasses.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>', encoding="utf-8")
    for name, text in (("story", STORY), ("note", NOTE), ("reply", REPLY), ("like", LIKE)):
        (root / "content" / f"{name}.md").write_text(text, encoding="utf-8")
    key = root.parent / f"{root.name}-key.pem"
    (root / "pelicanconf.py").write_text(CONF.format(
        site_url=site_url, key=str(key), db=str(root.parent / f"{root.name}.sqlite3")),
        encoding="utf-8")
    return root


def publish_to_folder(root: Path, www: Path) -> None:
    """publishconf.py: the site's settings, deployed to a local folder, no Webmention sent."""
    (root / "publishconf.py").write_text(
        "from pelicanconf import *\nPUBLISH_TO = 'folder'\n"
        f"PUBLISH_FOLDER = {str(www)!r}\nPUBLISH_SEND_WEBMENTIONS = False\n", encoding="utf-8")


def build(root: Path, *more: str) -> None:
    done = run_relais("build", "-s", "pelicanconf.py", *more, cwd=root)
    assert done.returncode == 0, done.stderr


def settings_of(root: Path) -> dict:
    from relais.build import load_settings

    here = os.getcwd()
    os.chdir(root)
    try:
        return load_settings("pelicanconf.py")
    finally:
        os.chdir(here)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = make_site(tmp_path_factory.mktemp("delivery") / "site", "https://atelier.example")
    build(root)
    return root


# --- the build's list ---------------------------------------------------------------------


def test_the_build_lists_stories_as_articles_and_notes_as_notes(built):
    listed = json.loads((built / "output" / LIST_NAME).read_text())
    assert listed["actor"] == "https://atelier.example/actor"
    by_url = {entry["url"]: entry["object"] for entry in listed["posts"]}
    story = by_url["https://atelier.example/douze-tasses.html"]
    assert story["type"] == "Article" and story["name"] == "Douze tasses"
    assert story["id"] == "https://atelier.example/objects/douze-tasses.html"
    assert story["url"] == "https://atelier.example/douze-tasses.html"
    assert story["summary"] == "<p>Une seule forme de tasse, <em>cinquante</em> fois.</p>"
    assert story["attachment"] == [{"type": "Image", "name": "Trois croquis de tasses.",
                                    "url": "https://atelier.example/images/tasses.svg",
                                    "mediaType": "image/svg+xml"}]
    assert story["published"] == "2026-02-03T17:40:00Z"  # 18:40 in Paris
    assert story["to"] == [PUBLIC] and story["cc"] == ["https://atelier.example/actor/followers"]
    assert story["contentMap"] == {"fr": story["content"]}
    assert "script" not in story["content"] and "onclick" not in story["content"]
    assert 'href="https://atelier.example/2026/autre/"' in story["content"]  # made absolute
    note = by_url["https://atelier.example/four.html"]
    assert note["type"] == "Note" and "name" not in note and "inReplyTo" not in note
    reply = by_url["https://atelier.example/reponse.html"]
    assert reply["type"] == "Note" and reply["inReplyTo"] == "https://masto.example/@jeanne/1"
    assert len(by_url) == 3  # the like stays on the site (Webmentions tell its target)


def test_a_development_build_lists_nothing(tmp_path):
    root = make_site(tmp_path / "site", "")
    build(root, "-e", 'FEDIVERSE_SERVER="https://atelier.example"')
    assert not (root / "output" / LIST_NAME).exists()


def test_publish_without_a_receiver_database_or_followers_says_so_in_one_line(tmp_path):
    root = make_site(tmp_path / "site", "https://atelier.example")
    publish_to_folder(root, tmp_path / "www")
    db = tmp_path / "site.sqlite3"  # FEDIVERSE_DB (make_site)
    load_or_create(config(settings_of(root)).key)
    nothing = run_relais("publish", cwd=root)
    assert nothing.returncode == 0, nothing.stderr
    assert f"Fediverse: no receiver database at {db} (FEDIVERSE_DB); nothing delivered." \
        in nothing.stdout
    Followers(db).close()  # the receiver ran, nobody follows yet
    planned = run_relais("publish", "--dry-run", cwd=root)
    assert planned.returncode == 0, planned.stderr
    assert "Fediverse: would record 0 Create, 0 Update, 0 Delete; 3 post(s) already " \
           "published recorded (not sent) for 0 inbox(es) (dry run)." in planned.stdout
    nobody = run_relais("publish", cwd=root)  # the dry run recorded nothing
    assert nobody.returncode == 0, nobody.stderr
    assert "Fediverse: 0 Create, 0 Update, 0 Delete; 3 post(s) already published recorded " \
           "(not sent); no followers yet, nothing to send." in nobody.stdout


# --- delivering to local inboxes -------------------------------------------------------------


class Remote:
    """A fediverse server on a local address: its inboxes answer `status` (after `delay`)."""

    def __init__(self, host: str, status: int = 202, delay: float = 0.0):
        self.server = LocalServer(host=host).start()
        self.status, self.delay = status, delay
        for path in ("/inbox", "/users/a/inbox", "/users/b/inbox"):
            self.server.routes[path] = self.answer

    def answer(self, request, handler):
        if self.delay:
            time.sleep(self.delay)
        return self.status, [], b""

    def url(self, path: str) -> str:
        return self.server.url(path)

    def posts(self, path: str = "/inbox"):
        return self.server.hits(path, "POST")

    def stop(self):
        self.server.stop()


def follow(db: Path, remote: Remote, user: str, shared: bool = True) -> None:
    followers = Followers(db)
    followers.add(remote.url(f"/users/{user}"), remote.url(f"/users/{user}/inbox"),
                  remote.url("/inbox") if shared else None, remote.url(f"/follows/{user}"))
    followers.close()


def verified(request, pem: str) -> dict:
    """The activity POSTed, once its signature is checked with the actor's public key."""
    signatures.verify(signatures.parse(request.headers["signature"]), "POST", request.path,
                      request.headers, request.body, pem)
    return json.loads(request.body)


@pytest.fixture
def world(tmp_path, built):
    """A copy of the built site, its settings (actor, key) and two remote servers."""
    import shutil

    site = tmp_path / "output"
    shutil.copytree(built / "output", site)
    fediverse = config(settings_of(built))
    key = load_or_create(fediverse.key)
    remotes = [Remote("127.0.0.1"), Remote("127.0.0.2")]
    yield site, fediverse, public_pem(key), tmp_path / "receiver.sqlite3", remotes
    for remote in remotes:
        remote.stop()


def edit_list(site: Path, change) -> None:
    path = site / LIST_NAME
    listed = json.loads(path.read_text())
    change(listed["posts"])
    path.write_text(json.dumps(listed))


def test_create_update_delete_reach_each_shared_inbox_once_signed(world):
    site, fediverse, pem, db, (one, two) = world
    follow(db, one, "a")
    follow(db, one, "b")                 # same server: one POST to its shared inbox
    follow(db, two, "a", shared=False)   # no shared inbox: its own
    first = deliver(fediverse, db, site, allow_private=True)
    assert first.plan.known == 3 and not first.plan.created  # the back catalogue is not sent
    assert not one.posts() and not two.posts("/users/a/inbox")

    edit_list(site, lambda posts: posts.append({
        **posts[0], "url": "https://atelier.example/nouveau.html", "digest": "new",
        "object": {**posts[0]["object"], "id": "https://atelier.example/objects/nouveau.html"}}))
    created = deliver(fediverse, db, site, allow_private=True)
    assert len(created.plan.created) == 1 and created.report.states["sent"] == 2
    [post] = one.posts()
    [own] = two.posts("/users/a/inbox")
    for request in (post, own):
        activity = verified(request, pem)
        assert activity["type"] == "Create" and activity["actor"] == fediverse.actor
        assert activity["object"]["id"] == "https://atelier.example/objects/nouveau.html"
        assert request.headers["content-type"] == "application/activity+json"

    def edited(posts):
        posts[-1]["digest"] = "edited"
        posts[-1]["object"]["content"] = "<p>Corrigé.</p>"
        posts[-1]["object"]["updated"] = "2026-02-04T08:00:00Z"  # an older `Modified`
    edit_list(site, edited)
    before = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 1))
    update = deliver(fediverse, db, site, allow_private=True)
    assert len(update.plan.updated) == 1
    activity = verified(one.posts()[-1], pem)
    assert activity["type"] == "Update" and activity["object"]["content"] == "<p>Corrigé.</p>"
    assert activity["object"]["updated"] >= before  # later than any version sent before

    edit_list(site, lambda posts: posts.pop())
    gone = deliver(fediverse, db, site, allow_private=True)
    assert len(gone.plan.deleted) == 1
    activity = verified(two.posts("/users/a/inbox")[-1], pem)
    assert activity["type"] == "Delete"
    assert activity["object"] == {"id": "https://atelier.example/objects/nouveau.html",
                                  "type": "Tombstone", "deleted": activity["object"]["deleted"]}
    again = deliver(fediverse, db, site, allow_private=True)  # nothing changed: nothing sent
    assert not again.report.attempted
    assert len(one.posts()) == 3 and len(two.posts("/users/a/inbox")) == 3


def test_failures_wait_for_a_retry_refusals_are_recorded_and_a_gone_inbox_is_dropped(world):
    site, fediverse, _, db, (one, two) = world
    deliver(fediverse, db, site, allow_private=True)  # the first run records the catalogue
    follow(db, one, "a")
    follow(db, two, "a", shared=False)
    follow(db, two, "b", shared=False)
    one.status = 503
    two.server.add("/users/a/inbox", 410)
    two.server.add("/users/b/inbox", 403)
    edit_list(site, lambda posts: posts[0].update(digest="changed"))
    outcome = deliver(fediverse, db, site, allow_private=True)
    assert dict(outcome.report.states) == {"pending": 1, "failed": 2}
    log = DeliveryLog(db)
    rows = {row.inbox: row for row in log.rows()}
    assert [f.actor for f in log.followers.all()] == [one.url("/users/a"), two.url("/users/b")]
    log.close()
    waiting = rows[one.url("/inbox")]
    assert waiting.state == "pending" and waiting.attempts == 1 and waiting.last_status == 503
    assert waiting.next_try >= time.time() + FIRST_RETRY - 5
    assert rows[two.url("/users/a/inbox")].state == "failed"
    assert "403" in rows[two.url("/users/b/inbox")].last_error
    posts_before = len(one.posts())
    assert not deliver(fediverse, db, site, allow_private=True).report.attempted  # not due yet
    assert len(one.posts()) == posts_before

    status = run_relais("fediverse", "status", "--db", str(db))
    assert status.returncode == 0, status.stderr
    assert "2 followers" in status.stdout
    assert "deliveries: 0 sent, 1 pending (1 owed retry), 0 in flight, 2 failed" in status.stdout
    assert "410 Gone" in status.stdout and "answered 403" in status.stdout


def test_what_an_answer_means_for_a_delivery():
    now = 1000.0
    assert decide(202, None, 1, now).state == "sent"
    assert decide(500, None, 1, now).next_try == now + FIRST_RETRY
    assert decide(500, None, 3, now).next_try == now + 4 * FIRST_RETRY
    assert decide(429, None, 1, now, retry_after=3600).next_try == now + 3600
    assert decide(None, Timeout("u", "slow"), 2, now).state == "pending"
    assert decide(500, None, 10, now).state == "failed"  # given up
    assert decide(404, None, 1, now).state == "failed"
    assert decide(410, None, 1, now).drop_followers
    for permanent in (Blocked("u", "refused: 10.0.0.1 is a private address"),
                      TooLarge("u", "answer over the limit")):
        assert decide(None, permanent, 1, now).state == "failed"
    assert decide(200, None, 1, now, redirected=301).state == "failed"  # a GET got the 200


def test_an_inbox_on_a_private_address_or_one_that_redirects_a_post_is_not_delivered(world):
    site, fediverse, _, db, (one, _) = world
    deliver(fediverse, db, site, allow_private=True)  # the first run records the catalogue
    follow(db, one, "a", shared=False)
    edit_list(site, lambda posts: posts[0].update(digest="v2"))
    guarded = deliver(fediverse, db, site)  # no permission for 127.0.0.1
    assert guarded.report.states == {"failed": 1}
    assert not one.posts("/users/a/inbox")  # not a packet reached it
    log = DeliveryLog(db)
    [row] = log.rows(1)
    assert "refused" in row.last_error and "127.0.0.1" in row.last_error
    log.db.execute("DELETE FROM fediverse_deliveries")
    log.close()

    one.server.add("/users/a/inbox", 301, [("Location", one.url("/moved"))])
    one.server.add("/moved", 200, body="an inbox's page")
    edit_list(site, lambda posts: posts[0].update(digest="v3"))
    moved = deliver(fediverse, db, site, allow_private=True)
    assert moved.report.states == {"failed": 1}  # the 200 answered a GET, not our POST
    log = DeliveryLog(db)
    [row] = log.rows(1)
    log.close()
    assert row.last_error.startswith("redirected (301)")


def test_deliveries_waiting_for_a_busy_host_leave_the_other_hosts_their_slots(world):
    site, fediverse, _, db, _ = world
    deliver(fediverse, db, site, allow_private=True)  # the first run records the catalogue
    arrivals: list[str] = []

    def slow(request, handler):
        arrivals.append(request.headers["host"].split(":")[0])
        time.sleep(0.3)
        return 202, [], b""

    servers = [LocalServer(host=host).start() for host in ("127.0.0.3", "127.0.0.4")]
    try:
        book = Followers(db)
        for server in servers:  # the first host's six deliveries come first in the log
            for n in range(6):
                server.routes[f"/users/{n}/inbox"] = slow
                book.add(server.url(f"/users/{n}"), server.url(f"/users/{n}/inbox"), None,
                         server.url(f"/follows/{n}"))
        book.close()
        edit_list(site, lambda posts: posts[0].update(digest="v2"))
        outcome = deliver(fediverse, db, site, allow_private=True,
                          limits=Limits(total=4, per_host=2))
        assert outcome.report.states == {"sent": 12}
        # two at a time per host, on both hosts from the start: the second host did not wait
        # behind the first one's queue
        assert sorted(arrivals[:4]) == ["127.0.0.3", "127.0.0.3", "127.0.0.4", "127.0.0.4"]
    finally:
        for server in servers:
            server.stop()


# --- kill -9 while delivering ----------------------------------------------------------------


def test_a_killed_delivery_repeats_only_what_was_in_flight(world):
    site, fediverse, _, db, (one, two) = world
    deliver(fediverse, db, site, allow_private=True)  # the first run records the catalogue
    slow = [Remote(f"127.0.0.{n}", delay=0.6) for n in range(3, 7)]
    try:
        for remote in slow:
            for user in ("a", "b"):
                follow(db, remote, user, shared=False)
        edit_list(site, lambda posts: [post.update(digest="v2") for post in posts])
        command = [sys.executable, "-m", "relais.cli", "fediverse", "deliver", "-s",
                   "pelicanconf.py", "--site-dir", str(site), "--db", str(db),
                   "--concurrency", "3", "--per-host", "1", "--allow-private-network"]
        project = fediverse.key.parent / "site"  # make_site: the key beside the project
        process = subprocess.Popen(command, cwd=project, env={**os.environ,
                                   "PYTHONPATH": str(REPO)},
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while sum(len(r.posts(p)) for r in slow for p in ("/users/a/inbox", "/users/b/inbox")) < 5:
            assert process.poll() is None, process.stderr.read().decode()
            assert time.monotonic() < deadline, "the delivery did not start"
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait()
        log = DeliveryLog(db)
        in_flight = {(row.activity, row.inbox) for row in log.rows(1000, ("in-flight",))}
        sent_before = {(row.activity, row.inbox) for row in log.rows(1000, ("sent",))}
        log.close()
        assert 1 <= len(in_flight) <= 3  # the concurrency bound
        for remote in slow:
            remote.delay = 0.0
        done = run_relais(*command[3:], cwd=project)
        assert done.returncode == 0, done.stderr
        received: dict[tuple[str, str], int] = {}
        for remote in slow:
            for path in ("/users/a/inbox", "/users/b/inbox"):
                for request in remote.posts(path):
                    pair = (json.loads(request.body)["id"], remote.url(path))
                    received[pair] = received.get(pair, 0) + 1
        assert len(received) == 3 * 8  # three updated posts, eight inboxes: nothing lost
        twice = {pair for pair, count in received.items() if count > 1}
        assert twice and twice <= in_flight  # only what was in flight was sent again
        assert all(count <= 2 for count in received.values())
        assert not (twice & sent_before)
    finally:
        for remote in slow:
            remote.stop()


# --- the receiver: outbox, objects, the retries it sends -------------------------------------


def test_the_receiver_serves_the_outbox_and_the_objects_and_sends_owed_retries(tmp_path, built):
    from tests.test_fediverse import SiteActor

    remote = Remote("127.0.0.1", status=503)
    try:
        with SiteActor(tmp_path) as site:
            fediverse = config(site.settings)
            db = tmp_path / "receiver.sqlite3"
            output = tmp_path / "site" / "output"
            posts = [{"url": f"{site.url}/{slug}/", "published": f"2026-0{n}-01T10:00:00Z",
                      "id": f"{site.url}/objects/{slug}"} for n, slug in ((1, "a"), (2, "b"))]

            def listing(*chosen):
                entries = [{"url": p["url"], "digest": p["id"], "object": {
                    "id": p["id"], "type": "Note", "url": p["url"], "content": "<p>x</p>",
                    "attributedTo": fediverse.actor, "published": p["published"]}}
                    for p in chosen]
                (output / LIST_NAME).write_text(json.dumps(
                    {"version": 1, "actor": fediverse.actor, "site_url": site.url,
                     "posts": entries}))

            listing(posts[0])
            deliver(fediverse, db, output, allow_private=True)  # recorded, not sent
            follow(db, remote, "a")
            listing(*posts)
            assert deliver(fediverse, db, output, allow_private=True).report.states["pending"]

            outbox = httpx.get(f"{site.url}/actor/outbox").json()
            assert outbox["type"] == "OrderedCollection" and outbox["totalItems"] == 2
            assert [a["object"]["id"] for a in outbox["orderedItems"]] == [
                posts[1]["id"], posts[0]["id"]]  # newest first
            assert {a["type"] for a in outbox["orderedItems"]} == {"Create"}
            answer = httpx.get(posts[1]["id"])
            assert answer.status_code == 200
            assert answer.headers["content-type"].startswith("application/activity+json")
            assert answer.json()["url"] == posts[1]["url"]
            assert httpx.get(f"{site.url}/objects/nothing").status_code == 404

            listing(posts[1])
            deliver(fediverse, db, output, allow_private=True)
            gone = httpx.get(posts[0]["id"])
            assert gone.status_code == 410 and gone.json()["type"] == "Tombstone"
            assert httpx.get(f"{site.url}/actor/outbox").json()["totalItems"] == 1
        owed = remote.posts()
        remote.status = 202
        log = DeliveryLog(db)
        log.db.execute("UPDATE fediverse_deliveries SET next_try=0")  # their time has come
        log.close()
        with SiteActor(tmp_path):
            deadline = time.monotonic() + 20
            while len(remote.posts()) < len(owed) + 2:  # the Create and the Delete, again
                assert time.monotonic() < deadline, "the receiver did not send what is owed"
                time.sleep(0.1)
        log = DeliveryLog(db)
        assert log.counts() == {"sent": 2}
        log.close()
    finally:
        remote.stop()


# --- the whole path: a bovine user follows, `relais publish` delivers -------------------------


def test_relais_publish_delivers_create_update_delete_to_a_bovine_user(tmp_path):
    from tests.support.peer import Peer, require_peer
    from tests.test_fediverse import SiteActor, wait_until

    require_peer()
    (tmp_path / "bovine").mkdir()
    with Peer(tmp_path / "bovine") as peer, SiteActor(tmp_path / "actor") as site:
        carol = peer.user("carol")
        actor = f"{site.url}/actor"
        carol.lookup(f"acct:atelier@{site.url.removeprefix('http://')}")
        carol.send({"@context": "https://www.w3.org/ns/activitystreams", "type": "Follow",
                    "actor": carol.actor["id"], "object": actor, "to": [actor]})
        wait_until(lambda: [f for f in site.fediverse.followers.all() if f.accepted],
                   what="carol's follow, accepted")

        project = tmp_path / "project"
        (project / "content").mkdir(parents=True)
        (project / "content" / "old.md").write_text(
            "Title: Ancien\nDate: 2026-01-01 10:00\n\nDéjà là.\n", encoding="utf-8")
        (project / "pelicanconf.py").write_text(CONF.format(
            site_url=site.url, key=site.settings["FEDIVERSE_KEY"],
            db=str(tmp_path / "actor" / "receiver.sqlite3")), encoding="utf-8")
        publish_to_folder(project, tmp_path / "www")

        def publish() -> str:
            done = run_relais("publish", "--allow-private-network", cwd=project)
            assert done.returncode == 0, done.stderr
            return done.stdout

        assert "1 post(s) already published recorded (not sent)" in publish()
        story = project / "content" / "new.md"
        story.write_text("Title: Le four\nDate: 2026-03-01 10:00\nSummary: Une cuisson.\n\n"
                         "Premier four de l'année.\n", encoding="utf-8")
        assert "1 Create, 0 Update, 0 Delete for 1 inbox(es); 1 sent" in publish()
        object_id = f"{site.url}/objects/le-four.html"
        wait_until(lambda: f"{object_id}#create" in carol.inbox(), what="the Create at bovine")

        # carol answers and likes the object she received (as Mastodon does): both join the
        # conversation under the post's page (docs/fediverse.md, one conversation)
        for activity in ({"type": "Like", "object": object_id},
                         {"type": "Create", "object": {
                             "type": "Note", "attributedTo": carol.actor["id"],
                             "inReplyTo": object_id, "content": "<p>Beau four !</p>",
                             "to": [actor]}}):
            carol.send({"@context": "https://www.w3.org/ns/activitystreams",
                        "actor": carol.actor["id"], "to": [actor], **activity})
        archive = site.fediverse.conversation.archive
        found = wait_until(lambda: len(archive.changes(0, 10, 0)) == 2 and
                           archive.changes(0, 10, 0), what="carol's reply and like")
        assert {(record["type"], target) for _, _, target, record in found} == {
            ("like", f"{site.url}/le-four.html"), ("reply", f"{site.url}/le-four.html")}

        story.write_text(story.read_text().replace("Premier", "Deuxième"), encoding="utf-8")
        assert "0 Create, 1 Update, 0 Delete for 1 inbox(es); 1 sent" in publish()
        wait_until(lambda: any(i.startswith(f"{object_id}#update/") for i in carol.inbox()),
                   what="the Update at bovine")

        story.unlink()
        assert "0 Create, 0 Update, 1 Delete for 1 inbox(es); 1 sent" in publish()
        wait_until(lambda: f"{object_id}#delete" in carol.inbox(), what="the Delete at bovine")
