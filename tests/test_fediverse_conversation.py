"""The one conversation (docs/fediverse.md): a bovine-herd user's reply and like reach the
inbox, become entries of the received archive through `relais mentions fetch` and are shown
under the post by the same templates after a build; the reply's Delete and the like's Undo
remove them. Then what only a hand-made remote can send: edits, someone else's ids, deleted
actors, objects fetched by id."""

from __future__ import annotations

import json

import httpx
import mf2py
import pytest

from tests.conftest import run_relais, write_tiny_site
from tests.support.local_http import LocalServer
from tests.support.peer import Peer, require_peer
from tests.test_fediverse import ACTIVITY_JSON, Remote, SiteActor, wait_until
from tests.test_hostile_data import POST

TOKEN = "conversation-token"
AS = "https://www.w3.org/ns/activitystreams"
OTHER = POST.replace("Des tasses", "Des bols").replace("Slug: tasses", "Slug: bols")


@pytest.fixture(scope="module")
def peer(tmp_path_factory):
    require_peer()
    with Peer(tmp_path_factory.mktemp("bovine")) as running:
        yield running


class World:
    """The site's receiver (with the actor) and the site's folder, built against it."""

    def __init__(self, root, actor: SiteActor):
        self.root = root
        self.actor = actor
        self.post = f"{actor.url}/2026/tasses/"
        settings = write_tiny_site(root, {"tasses.md": POST, "bols.md": OTHER})
        settings.write_text(settings.read_text() + (
            f"SITEURL = {actor.url!r}\nRELATIVE_URLS = False\n"
            f"WEBMENTIONS_DOMAINS = ['{actor.url.removeprefix('http://')}']\n"
            f"WEBMENTIONS_API = '{actor.url}/api/mentions.jf2'\n"), encoding="utf-8")

    def mentions(self) -> list[dict]:
        answer = httpx.get(f"{self.actor.url}/api/mentions.jf2",
                           params={"token": TOKEN, "per-page": 1000})
        return answer.json()["children"]

    def fetch_and_build(self) -> dict:
        """`relais mentions fetch` then `relais build`; the post's h-entry (mf2py)."""
        env = {"RELAIS_ALLOW_PRIVATE_NETWORK": "1", "RELAIS_MENTIONS_TOKEN": TOKEN}
        for command in (("mentions", "fetch", "-s", "site.py"), ("build", "-s", "site.py")):
            done = run_relais(*command, cwd=self.root, env=env)
            assert done.returncode == 0, done.stderr
        html = (self.root / "output/2026/tasses/index.html").read_text(encoding="utf-8")
        parsed = mf2py.parse(doc=html, url=self.post)
        return next(item for item in parsed["items"] if "h-entry" in item["type"])

    def archive(self) -> list[dict]:
        path = self.root / "data/webmentions/received.json"
        return json.loads(path.read_text(encoding="utf-8"))["mentions"]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    with SiteActor(tmp_path_factory.mktemp("site-actor"), token=TOKEN) as actor:
        yield World(tmp_path_factory.mktemp("site"), actor)


def cites(entry: dict, prop: str) -> list[dict]:
    return [item for item in entry["properties"].get(prop, []) if isinstance(item, dict)]


def test_a_bovine_users_reply_and_like_are_shown_under_the_post_until_deleted_and_undone(
        peer, world):
    carol = peer.user("carol")
    site = world.actor
    actor = f"{site.url}/actor"
    carol.lookup(f"acct:atelier@{site.url.removeprefix('http://')}")
    note = {"type": "Note", "attributedTo": carol.actor["id"], "inReplyTo": world.post,
            "content": "<p>Quel <em>beau</em> céladon !</p>", "to": [actor],
            "published": "2026-03-02T09:00:00Z"}
    created = carol.send({"@context": AS, "type": "Create", "actor": carol.actor["id"],
                          "object": note, "to": [actor]})
    liked = carol.send({"@context": AS, "type": "Like", "actor": carol.actor["id"],
                        "object": world.post, "to": [actor]})
    found = wait_until(lambda: len(world.mentions()) == 2 and world.mentions(),
                       what="the reply and the like in the receiver")
    assert {entry["wm-property"] for entry in found} == {"in-reply-to", "like-of"}
    entry = world.fetch_and_build()
    [reply] = cites(entry, "comment")
    assert "Quel beau céladon" in reply["properties"]["content"][0]["value"]
    assert "<em>beau</em>" in reply["properties"]["content"][0]["html"]
    [author] = reply["properties"]["author"]
    assert author["properties"]["url"] == [carol.actor["url"] if isinstance(
        carol.actor.get("url"), str) else carol.actor["id"]]
    [like] = cites(entry, "like")
    assert like["properties"]["author"][0]["properties"]["name"]
    stored = {m["type"]: m for m in world.archive()}
    assert stored["reply"]["author"]["url"] and stored["reply"]["published"].startswith(
        "2026-03-02T09:00:00")

    # the user deletes the reply and undoes the like: gone after the next fetch and build
    note_id = carol.get(created["location"])["object"]
    note_id = note_id["id"] if isinstance(note_id, dict) else note_id
    carol.send({"@context": AS, "type": "Delete", "actor": carol.actor["id"],
                "object": note_id, "to": [actor]})
    like_id = liked["location"]
    carol.send({"@context": AS, "type": "Undo", "actor": carol.actor["id"],
                "object": like_id, "to": [actor]})
    wait_until(lambda: not [e for e in world.mentions() if not e.get("wm-deleted")],
               what="the Delete and the Undo")
    entry = world.fetch_and_build()
    assert cites(entry, "comment") == [] and cites(entry, "like") == []
    assert world.archive() == []


# --- what only a hand-made remote sends ------------------------------------------------


@pytest.fixture(scope="module")
def remotes():
    server = LocalServer().start()
    yield server, {name: Remote(server, name, {"name": name.title(),
                                               "url": f"{server.base}/@{name}"})
                   for name in ("mallory", "trent", "ursula", "victor")}
    server.stop()


def send(world: World, remote: Remote, activity: dict) -> httpx.Response:
    inbox = f"{world.actor.url}/inbox"
    body, headers = remote.signed(inbox, {"@context": AS, "actor": remote.id, **activity})
    return httpx.post(inbox, content=body, headers=headers)


def shown(world: World) -> dict[str, dict]:
    """The receiver's current mentions of our posts, by source."""
    return {entry["wm-source"]: entry for entry in world.mentions() if not entry.get("wm-deleted")}


def note(remote: Remote, world: World, n: int, **fields) -> dict:
    return {"id": f"{remote.id}/notes/{n}", "type": "Note", "attributedTo": remote.id,
            "inReplyTo": world.post, "content": f"<p>Note {n}</p>",
            "url": f"{remote.id}/@notes/{n}", **fields}


def test_announce_edits_and_moves_of_a_reply(world, remotes):
    _, people = remotes
    mallory = people["mallory"]
    boost = {"id": f"{mallory.id}/boosts/1", "type": "Announce", "object": world.post}
    assert send(world, mallory, boost).status_code == 202
    reply = note(mallory, world, 1)
    assert send(world, mallory, {"id": f"{mallory.id}/c/1", "type": "Create",
                                 "object": reply}).status_code == 202
    now = shown(world)
    assert now[boost["id"]]["wm-property"] == "repost-of"
    entry = now[reply["id"]]
    assert entry["wm-property"] == "in-reply-to" and entry["url"] == reply["url"]
    assert entry["author"]["name"] == "Mallory" and entry["author"]["url"].endswith("/@mallory")
    # an edit changes it in place; an edit that answers another post of ours moves it
    edited = {**reply, "content": "<p>Note 1, revue</p>"}
    assert send(world, mallory, {"id": f"{mallory.id}/u/1", "type": "Update",
                                 "object": edited}).status_code == 202
    assert shown(world)[reply["id"]]["content"]["text"] == "Note 1, revue"
    other = f"{world.actor.url}/2026/bols/"
    send(world, mallory, {"id": f"{mallory.id}/u/2", "type": "Update",
                          "object": {**edited, "inReplyTo": other}})
    assert shown(world)[reply["id"]]["wm-target"] == other
    # ... and one that answers something not ours takes it out of the conversation
    send(world, mallory, {"id": f"{mallory.id}/u/3", "type": "Update",
                          "object": {**edited, "inReplyTo": "https://elsewhere.example/p"}})
    assert reply["id"] not in shown(world)


def test_nobody_changes_or_deletes_what_another_actor_sent(world, remotes):
    _, people = remotes
    mallory, trent = people["mallory"], people["trent"]
    liked = {"id": f"{mallory.id}/likes/42", "type": "Like", "object": world.post}
    assert send(world, mallory, liked).status_code == 202
    # trent, on the same server, reuses mallory's ids: to like, to edit, to delete, to undo
    refused = send(world, trent, {**liked, "actor": trent.id})
    assert refused.status_code == 400 and "another actor" in refused.text
    assert send(world, trent, {"id": f"{trent.id}/d/1", "type": "Delete",
                               "object": liked["id"]}).status_code == 202
    assert send(world, trent, {"id": f"{trent.id}/d/2", "type": "Undo",
                               "object": liked["id"]}).status_code == 202
    forged = send(world, trent, {"id": f"{trent.id}/c/1", "type": "Create",
                                 "object": note(mallory, world, 9)})
    assert forged.status_code == 400 and "not the actor's own" in forged.text
    # an id on another server than the actor's
    elsewhere = send(world, trent, {"id": "https://elsewhere.example/likes/1", "type": "Like",
                                    "object": world.post})
    assert elsewhere.status_code == 400 and "actor's server" in elsewhere.text
    now = shown(world)
    assert now[liked["id"]]["author"]["name"] == "Mallory"
    assert f"{mallory.id}/notes/9" not in now and "https://elsewhere.example/likes/1" not in now
    # mallory herself may undo it
    assert send(world, mallory, {"id": f"{mallory.id}/undo/42", "type": "Undo",
                                 "object": liked}).status_code == 202
    assert liked["id"] not in shown(world)


def test_an_object_named_by_its_id_is_fetched_signed(world, remotes):
    server, people = remotes
    ursula = people["ursula"]
    reply = note(ursula, world, 3, content="<p>Par son id</p>")
    server.add("/ursula/notes/3", headers=[("Content-Type", ACTIVITY_JSON)],
               body=json.dumps(reply))
    assert send(world, ursula, {"id": f"{ursula.id}/c/3", "type": "Create",
                                "object": reply["id"]}).status_code == 202
    [fetched] = server.hits("/ursula/notes/3", "GET")
    assert "signature" in fetched.headers  # signed, as authorized-fetch servers require
    assert shown(world)[reply["id"]]["content"]["text"] == "Par son id"
    # an object that is not what it was fetched by is not taken
    server.add("/ursula/notes/4", headers=[("Content-Type", ACTIVITY_JSON)],
               body=json.dumps(note(ursula, world, 5)))
    wrong = send(world, ursula, {"id": f"{ursula.id}/c/4", "type": "Create",
                                 "object": f"{ursula.id}/notes/4"})
    assert wrong.status_code == 400 and "id it was fetched by" in wrong.text


def test_a_deleted_actor_takes_everything_it_sent_with_it(world, remotes):
    server, people = remotes
    victor, ursula = people["victor"], people["ursula"]
    for who in (victor, ursula):
        send(world, who, {"id": f"{who.id}/likes/7", "type": "Like", "object": world.post})
        send(world, who, {"id": f"{who.id}/c/7", "type": "Create", "object": note(who, world, 7)})
    assert {f"{victor.id}/likes/7", f"{victor.id}/notes/7"} <= set(shown(world))
    followers = world.actor.fediverse.followers
    followers.add(victor.id, f"{victor.id}/inbox", None, f"{victor.id}/follows/1")
    # victor's server deletes him: his document is gone (410), his key cannot be fetched
    server.add("/victor", status=410)
    world.actor.fediverse.inbox.keys.clear()  # as after a restart of the receiver
    answer = send(world, victor, {"id": f"{victor.id}#delete", "type": "Delete",
                                  "object": victor.id})
    assert answer.status_code == 202, answer.text
    now = shown(world)
    assert not [source for source in now if source.startswith(victor.id + "/")]
    assert {f"{ursula.id}/likes/7", f"{ursula.id}/notes/7"} <= set(now)  # others stay
    assert victor.id not in [follower.actor for follower in followers.all()]
    # someone claiming that ursula (who is not gone) was deleted is not believed
    claim = send(world, victor, {"id": f"{victor.id}#d2", "type": "Delete",
                                 "object": ursula.id, "actor": ursula.id})
    assert claim.status_code == 401
    assert f"{ursula.id}/notes/7" in shown(world)


def test_the_id_of_an_object_we_delivered_names_its_post(world, remotes):
    """Mastodon likes and answers the object it received (`SERVER/objects/...`), not the
    page: the delivery log says which post that object is."""
    from relais.plugins.fediverse.objects import PostList, SitePost, object_id

    _, people = remotes
    mallory = people["mallory"]
    fediverse = world.actor.fediverse
    delivered = object_id(fediverse.config, world.post)
    fediverse.log.reconcile(PostList(fediverse.config.actor, fediverse.config.site_url, [
        SitePost(world.post, delivered, "d1", {"id": delivered, "type": "Note",
                                                "url": world.post})]))
    liked = {"id": f"{mallory.id}/likes/obj", "type": "Like", "object": delivered}
    reply = note(mallory, world, 11, inReplyTo=delivered)
    assert send(world, mallory, liked).status_code == 202
    assert send(world, mallory, {"id": f"{mallory.id}/c/11", "type": "Create",
                                 "object": reply}).status_code == 202
    now = shown(world)
    assert now[liked["id"]]["wm-target"] == world.post
    assert now[reply["id"]]["wm-target"] == world.post
    # an object id we never delivered is no post of ours
    unknown = {"id": f"{mallory.id}/likes/unknown", "type": "Like",
               "object": f"{fediverse.config.server}/objects/2026/nothing"}
    assert send(world, mallory, unknown).status_code == 202
    assert unknown["id"] not in shown(world)


def test_a_bovine_user_finds_the_account_on_a_static_site_served_like_github_pages(
        peer, tmp_path, serve_directory):
    """`@atelier@<the static site>`: the site answers WebFinger with the file the build wrote
    (FEDIVERSE_STATIC_HOST = "github-pages"), served as a plain file (no redirect, no content
    type, the query ignored, as GitHub Pages does); the actor answers on the receiver."""
    from relais.plugins.fediverse.config import config
    from relais.plugins.fediverse.server import Fediverse
    from relais.plugins.webmentions.incoming.receiver import ReceiverConfig, ReceiverThread

    from relais.build import build, load_settings
    from tests.support.receivers import built_site, free_port

    (tmp_path / "site" / "output").mkdir(parents=True)
    static = serve_directory(tmp_path / "site" / "output")
    port = free_port()
    fediverse = {"SITEURL": static, "FEDIVERSE_HANDLE": "atelier",
                 "FEDIVERSE_SERVER": f"http://127.0.0.1:{port}",
                 "FEDIVERSE_STATIC_HOST": "github-pages",
                 "FEDIVERSE_KEY": str(tmp_path / "private" / "key.pem")}
    settings_file = write_tiny_site(tmp_path / "site", {"tasses.md": POST})
    settings_file.write_text(settings_file.read_text() + (
        "PLUGINS = PLUGINS + ['relais.plugins.fediverse']\n"), encoding="utf-8")
    build(load_settings(str(settings_file), str(tmp_path / "site" / "output"), fediverse))
    actor = Fediverse(config({"PATH": str(tmp_path / "site" / "content"), **fediverse}))
    receiver = ReceiverConfig(db=tmp_path / "r.sqlite3", site_dir=built_site(tmp_path / "pages"),
                              domains=[static.removeprefix("http://")], worker="none",
                              allow_private=True, extensions=(actor,))
    with ReceiverThread(receiver, port=port):
        dave = peer.user("dave")
        found = dave.lookup(f"acct:atelier@{static.removeprefix('http://')}")
    assert found["id"] == f"http://127.0.0.1:{port}/actor"
    assert found["preferredUsername"] == "atelier"
