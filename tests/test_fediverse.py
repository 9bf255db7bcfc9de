"""The site as a fediverse actor (docs/fediverse.md), against bovine-herd from PyPI running on
127.0.0.1 (tests/support/peer.py): identity (the key pair, the actor, WebFinger, the static
site's link to the actor)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from relais.plugins.fediverse.config import config
from relais.plugins.fediverse.server import Fediverse
from relais.plugins.webmentions.incoming.receiver import ReceiverConfig, ReceiverThread

from relais.settings import SettingsError
from tests.conftest import run_relais
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
            allow_private=True, worker="none", extensions=(self.fediverse,),
            **receiver_options), port=port)


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
