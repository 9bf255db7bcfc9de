"""The site as a fediverse actor (docs/fediverse.md), against bovine-herd from PyPI running on
127.0.0.1 (tests/support/peer.py): identity (the key pair, the actor, WebFinger, the static
site's link to the actor) and the inbox (signatures, Follow and Accept, Undo, refusals)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from relais.plugins.fediverse import signatures
from relais.plugins.fediverse.config import config
from relais.plugins.fediverse.keys import public_pem
from relais.plugins.fediverse.server import Fediverse
from relais.plugins.webmentions.incoming.receiver import ReceiverConfig, ReceiverThread

from relais.settings import SettingsError
from tests.conftest import run_relais
from tests.support.local_http import LocalServer
from tests.support.peer import Peer, require_peer
from tests.support.receivers import REPO, built_site, free_port

ACTIVITY_JSON = "application/activity+json"


def site_settings(root: Path, site_url: str, **more) -> dict:
    (root / "content").mkdir(parents=True, exist_ok=True)
    return {"PATH": str(root / "content"), "SITEURL": site_url, "SITENAME": "Atelier Maëlle",
            "OUTPUT_PATH": str(root / "output"), "FEDIVERSE_HANDLE": "atelier",
            "FEDIVERSE_KEY": str(root.parent / "private" / "atelier.pem"),
            "AUTHOR_CARD": {"name": "Maëlle", "photo": "images/maelle.jpg",
                            "note": "Potière <à> Lyon"},
            "REL_ME": [("Code", "https://code.example/maelle")], **more}


class SiteActor(ReceiverThread):
    """The receiver with the fediverse extension, on a port chosen first (the actor's URLs
    name it)."""

    def __init__(self, folder: Path, **receiver_options):
        port = free_port()
        self.settings = site_settings(folder / "site", f"http://127.0.0.1:{port}")
        self.fediverse = Fediverse(config(self.settings))
        site = built_site(folder / "site" / "output")
        super().__init__(ReceiverConfig(
            db=folder / "receiver.sqlite3", site_dir=site, domains=[f"127.0.0.1:{port}"],
            worker="none", extensions=(self.fediverse,),
            **{"allow_private": True, **receiver_options}), port=port)


@pytest.fixture(scope="module")
def peer(tmp_path_factory):
    require_peer()
    with Peer(tmp_path_factory.mktemp("bovine")) as running:
        yield running


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with SiteActor(tmp_path_factory.mktemp("site-actor")) as running:
        yield running


# --- identity -----------------------------------------------------------------


def test_a_bovine_user_finds_the_site_through_webfinger_and_reads_its_actor(peer, site):
    alice = peer.user("alice")
    found = alice.lookup(f"acct:atelier@{site.url.removeprefix('http://')}")
    assert found["id"] == f"{site.url}/actor"
    assert found["preferredUsername"] == "atelier"
    assert found["inbox"] == f"{site.url}/actor/inbox"
    key = next(value for name, value in found.items() if isinstance(value, dict)
               and any(str(v).startswith("-----BEGIN PUBLIC KEY-----") for v in value.values()))
    assert f"{site.url}/actor" in key.values()
    assert site.fediverse.public_pem in key.values()


def test_the_actor_is_the_owners_card_with_rel_me_fields(site):
    answer = httpx.get(f"{site.url}/actor")
    assert answer.headers["content-type"].startswith(ACTIVITY_JSON)
    actor = answer.json()
    assert actor["type"] == "Person" and actor["name"] == "Maëlle"
    assert actor["summary"] == "<p>Potière &lt;à&gt; Lyon</p>"  # the note is text, escaped
    assert actor["icon"] == {"type": "Image", "url": f"{site.url}/images/maelle.jpg"}
    assert actor["url"] == f"{site.url}/"
    assert actor["endpoints"]["sharedInbox"] == f"{site.url}/inbox"
    assert actor["publicKey"] == {"id": f"{site.url}/actor#main-key", "owner": f"{site.url}/actor",
                                  "publicKeyPem": site.fediverse.public_pem}
    [field] = actor["attachment"]
    assert field["type"] == "PropertyValue" and field["name"] == "Code"
    assert 'href="https://code.example/maelle" rel="me' in field["value"]
    for collection in ("outbox", "followers", "following"):
        answer = httpx.get(actor[collection])
        assert answer.headers["content-type"].startswith(ACTIVITY_JSON)
        assert answer.json()["type"] == "OrderedCollection"


def test_webfinger_answers_only_for_the_sites_account(site):
    host = site.url.removeprefix("http://")
    for resource in (f"acct:atelier@{host}", f"atelier@{host}", f"{site.url}/actor"):
        answer = httpx.get(f"{site.url}/.well-known/webfinger", params={"resource": resource})
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("application/jrd+json")
        [self_link] = [link for link in answer.json()["links"] if link["rel"] == "self"]
        assert self_link == {"rel": "self", "type": ACTIVITY_JSON, "href": f"{site.url}/actor"}
    assert httpx.get(f"{site.url}/.well-known/webfinger",
                     params={"resource": f"acct:someone@{host}"}).status_code == 404
    assert httpx.get(f"{site.url}/.well-known/webfinger").status_code == 400


def test_the_key_is_made_once_readable_by_its_owner_only(tmp_path):
    settings = site_settings(tmp_path / "site", "https://atelier.example")
    first = Fediverse(config(settings))
    key = Path(settings["FEDIVERSE_KEY"])
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    again = Fediverse(config(site_settings(tmp_path / "site", "https://atelier.example")))
    assert again.public_pem == first.public_pem
    assert not list((tmp_path / "site").rglob("*.pem"))


def test_the_key_lives_outside_the_site_by_default_and_never_inside_it(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data-home"))
    settings = site_settings(tmp_path / "site", "https://atelier.example")
    del settings["FEDIVERSE_KEY"]
    assert config(settings).key == tmp_path / "data-home/relais/atelier-maelle/fediverse-key.pem"
    for inside in ("keys/atelier.pem", str(tmp_path / "site/output/key.pem")):
        settings = site_settings(tmp_path / "site", "https://atelier.example",
                                 FEDIVERSE_KEY=inside)
        with pytest.raises(SettingsError, match="FEDIVERSE_KEY: .* is inside the site's"):
            config(settings)


def test_no_handle_no_actor(tmp_path):
    assert config(site_settings(tmp_path, "https://a.example", FEDIVERSE_HANDLE=None)) is None
    with pytest.raises(SettingsError, match="FEDIVERSE_HANDLE"):
        config(site_settings(tmp_path, "https://a.example", FEDIVERSE_HANDLE="Not A Name"))


SITE_CONF = """\
import relais
PATH = "content"
SITENAME = "Atelier"
SITEURL = "https://atelier.example"
RELATIVE_URLS = False
TIMEZONE = "UTC"
THEME = relais.THEME
PLUGINS = relais.PLUGINS
FEDIVERSE_HANDLE = {handle!r}
FEDIVERSE_SERVER = "https://inbox.atelier.example"
FEDIVERSE_KEY = {key!r}
"""


@pytest.mark.parametrize("handle", ["atelier", None])
def test_the_built_site_links_its_actor(tmp_path, handle):
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "pot.md").write_text(
        "Title: Un pot\nDate: 2026-01-02 10:00\n\nBonjour.\n", encoding="utf-8")
    key = str(tmp_path.parent / f"{tmp_path.name}-key.pem")
    (tmp_path / "pelicanconf.py").write_text(SITE_CONF.format(handle=handle, key=key),
                                             encoding="utf-8")
    done = run_relais("build", "-s", "pelicanconf.py", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    link = ('<link rel="alternate" type="application/activity+json" '
            'href="https://inbox.atelier.example/actor">')
    for page in ("index.html", "un-pot.html"):
        assert (link in (tmp_path / "output" / page).read_text()) == bool(handle)
    assert not os.path.exists(key)  # the build never needs (nor makes) the private key


def test_relais_receiver_serve_serves_the_actor_of_the_sites_settings(tmp_path):
    port = free_port()
    key = str(tmp_path.parent / f"{tmp_path.name}-serve-key.pem")
    conf = SITE_CONF.format(handle="atelier", key=key).replace(
        "https://inbox.atelier.example", f"http://127.0.0.1:{port}")
    (tmp_path / "content").mkdir()
    (tmp_path / "pelicanconf.py").write_text(conf, encoding="utf-8")
    built_site(tmp_path / "output")
    process = subprocess.Popen(
        [sys.executable, "-m", "relais.cli", "receiver", "serve", "-s", "pelicanconf.py",
         "--db", str(tmp_path / "r.sqlite3"), "--port", str(port)],
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        for _ in range(200):
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/actor", timeout=1)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stderr.read().decode()
                time.sleep(0.1)
        assert answer.status_code == 200, answer.text
        assert answer.json()["id"] == f"http://127.0.0.1:{port}/actor"
        assert Path(key).is_file()  # made on the first start, outside the site
    finally:
        process.terminate()
        process.wait(10)


# --- the inbox ------------------------------------------------------------------


def wait_until(check, timeout: float = 60.0, what: str = "the condition"):
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.3)


def test_a_bovine_user_follows_the_site_and_gets_the_accept_then_unfollows(peer, site):
    bob = peer.user("bob")
    actor = f"{site.url}/actor"
    bob.lookup(f"acct:atelier@{site.url.removeprefix('http://')}")
    follow = {"@context": "https://www.w3.org/ns/activitystreams", "type": "Follow",
              "actor": bob.actor["id"], "object": actor, "to": [actor]}
    bob.send(follow)
    [follower] = wait_until(site.fediverse.followers.all, what="the follower to be stored")
    assert follower.actor == bob.actor["id"] and follower.inbox == bob.actor["inbox"]
    wait_until(lambda: site.fediverse.followers.all()[0].accepted, what="the Accept")
    # bovine took the Accept: it is in bob's inbox, and bob now follows the site
    assert wait_until(lambda: [i for i in bob.inbox() if i.startswith(f"{actor}#accepts/")],
                      what="the Accept in bob's inbox")
    wait_until(lambda: actor in bob.act("following"), what="the site in bob's following")
    assert httpx.get(f"{actor}/followers").json()["totalItems"] == 1
    bob.send({"@context": "https://www.w3.org/ns/activitystreams", "type": "Undo",
              "actor": bob.actor["id"], "object": {**follow, "id": follower.follow_id},
              "to": [actor]})
    wait_until(lambda: not site.fediverse.followers.all(), what="the Undo to remove bob")


class Remote:
    """A remote actor on a local server (its own key), to send the inbox what bovine would
    not: unsigned, tampered, replayed, wrongly keyed requests."""

    def __init__(self, server: LocalServer, name: str, profile: dict | None = None):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.id = server.url(f"/{name}")
        self.key_id = f"{self.id}#key"
        server.add(f"/{name}", headers=[("Content-Type", ACTIVITY_JSON)], body=json.dumps({
            "id": self.id, "type": "Person", "inbox": f"{self.id}/inbox", **(profile or {}),
            "publicKey": {"id": self.key_id, "owner": self.id,
                          "publicKeyPem": public_pem(self.key)}}))

    def signed(self, url: str, activity: dict, *, key=None, now=None) -> tuple[bytes, dict]:
        body = json.dumps(activity).encode()
        return body, signatures.sign("POST", url, key or self.key, self.key_id, body=body,
                                     headers={"content-type": ACTIVITY_JSON}, now=now)


@pytest.fixture(scope="module")
def remotes():
    server = LocalServer().start()
    yield server, Remote(server, "mallory"), Remote(server, "trent")
    server.stop()


def like(remote: Remote, site: SiteActor, n: int = 0) -> dict:
    return {"id": f"{remote.id}/likes/{n}", "type": "Like", "actor": remote.id,
            "object": f"{site.url}/2026/douze-tasses/"}


def test_a_well_signed_activity_is_taken_once_and_its_replay_refused(site, remotes):
    _, mallory, _ = remotes
    inbox = f"{site.url}/inbox"
    body, headers = mallory.signed(inbox, like(mallory, site, 1))
    assert httpx.post(inbox, content=body, headers=headers).status_code == 202
    again = httpx.post(inbox, content=body, headers=headers)
    assert again.status_code == 401 and "replay" in again.text


@pytest.mark.parametrize("spoil, reason", [
    ("unsigned", "not signed"),
    ("tampered body", "Digest"),
    ("other key", "does not match"),
    ("old date", "Date"),
    ("another actor's key", "another actor"),
    ("no date in the signature", "must cover date"),
])
def test_unsigned_or_wrongly_signed_posts_are_refused(site, remotes, spoil, reason):
    _, mallory, trent = remotes
    inbox = f"{site.url}/actor/inbox"
    activity = like(mallory, site, hash(spoil) % 10_000 + 100)
    body, headers = mallory.signed(inbox, activity)
    if spoil == "unsigned":
        del headers["Signature"]
    elif spoil == "tampered body":
        body = body.replace(b"douze-tasses", b"tests-email")
    elif spoil == "other key":
        body, headers = mallory.signed(inbox, activity, key=trent.key)
    elif spoil == "old date":
        body, headers = mallory.signed(inbox, activity, now=time.time() - 3600)
    elif spoil == "another actor's key":  # trent signs, claiming to be mallory
        body = json.dumps(activity).encode()
        headers = signatures.sign("POST", inbox, trent.key, trent.key_id, body=body)
    elif spoil == "no date in the signature":
        headers["Signature"] = headers["Signature"].replace(
            'headers="(request-target) host date digest', 'headers="(request-target) host digest')
    answer = httpx.post(inbox, content=body, headers=headers)
    assert answer.status_code == 401, answer.text
    assert reason in answer.text


def test_a_key_on_a_private_address_is_not_fetched_without_permission(tmp_path, remotes):
    server, mallory, _ = remotes
    with SiteActor(tmp_path, allow_private=False) as guarded:
        inbox = f"{guarded.url}/inbox"
        before = len(server.hits("/mallory"))
        body, headers = mallory.signed(inbox, like(mallory, guarded, 7))
        answer = httpx.post(inbox, content=body, headers=headers)
    assert answer.status_code == 401 and "could not be fetched" in answer.text
    assert len(server.hits("/mallory")) == before  # not a packet reached it


def test_the_inbox_shares_the_receivers_limit_per_address(tmp_path, remotes):
    _, mallory, _ = remotes
    with SiteActor(tmp_path, address_rate_limit=2) as limited:
        inbox = f"{limited.url}/inbox"
        answers = [httpx.post(inbox, content=b"{}") for _ in range(3)]
    assert [a.status_code for a in answers] == [401, 401, 429]
    assert int(answers[2].headers["retry-after"]) > 0


def test_an_accept_still_owed_when_the_receiver_stopped_is_sent_at_the_next_start(
        tmp_path, remotes):
    from relais.plugins.fediverse.followers import Followers

    server, mallory, _ = remotes
    server.add("/mallory/inbox", status=202)
    owed = Followers(tmp_path / "receiver.sqlite3")
    owed.add(mallory.id, f"{mallory.id}/inbox", None, f"{mallory.id}/follows/1")
    owed.close()
    with SiteActor(tmp_path) as restarted:
        wait_until(lambda: server.hits("/mallory/inbox", "POST"), what="the owed Accept")
        wait_until(lambda: restarted.fediverse.followers.all()[0].accepted, what="its record")
        pem = restarted.fediverse.public_pem
    [sent] = server.hits("/mallory/inbox", "POST")
    headers = {name.lower(): value for name, value in sent.headers.items()}
    signatures.verify(signatures.parse(headers["signature"]), "POST", "/mallory/inbox",
                      headers, sent.body, pem)  # signed with the actor's key
    accept = json.loads(sent.body)
    assert accept["type"] == "Accept" and accept["object"]["id"] == f"{mallory.id}/follows/1"


def test_a_domain_blocked_by_moderation_is_refused(tmp_path, remotes):
    from relais.plugins.webmentions.incoming.inbox import Inbox

    _, mallory, _ = remotes
    moderation = Inbox(tmp_path / "receiver.sqlite3")
    moderation.set_domain("127.0.0.1", "blocked")  # `relais receiver moderate --block`
    moderation.close()
    with SiteActor(tmp_path) as moderated:
        inbox = f"{moderated.url}/inbox"
        body, headers = mallory.signed(inbox, like(mallory, moderated, 9))
        answer = httpx.post(inbox, content=body, headers=headers)
    assert answer.status_code == 403 and "blocked" in answer.text


def test_relais_fediverse_status_counts_followers_and_owed_accepts(tmp_path):
    from relais.plugins.fediverse.followers import Followers

    db = tmp_path / "receiver.sqlite3"
    missing = run_relais("fediverse", "status", "--db", str(db))
    assert missing.returncode == 1 and "no such database" in missing.stderr
    followers = Followers(db)
    for name in ("ada", "bob"):
        followers.add(f"https://{name}.example/u", f"https://{name}.example/inbox", None,
                      f"https://{name}.example/follows/1")
    followers.accepted("https://ada.example/u", "https://ada.example/follows/1")
    followers.close()
    done = run_relais("fediverse", "status", "--db", str(db))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "2 followers; 1 Accept still owed (sent again when the receiver starts)"
    assert lines[1].startswith("accepted     https://ada.example/u")
    assert lines[2].startswith("Accept owed  https://bob.example/u")
