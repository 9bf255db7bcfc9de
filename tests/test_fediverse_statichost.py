"""Where WebFinger must answer (docs/fediverse.md): the files the build writes for each static
host (FEDIVERSE_STATIC_HOST), in both modes (a receiver, Bridgy Fed), and the receiver's own
WebFinger when the account is on the site's domain. A bovine-herd user looking the account
up on a static site served like GitHub Pages is in tests/test_fediverse_conversation.py."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from relais.plugins.fediverse import statichost
from relais.plugins.fediverse.config import config
from relais.plugins.fediverse.server import Fediverse
from relais.plugins.webmentions.incoming.receiver import ReceiverConfig, ReceiverThread

from relais.build import build, load_settings
from tests.conftest import write_tiny_site
from tests.support.receivers import built_site, free_port

SITE = "https://atelier.example"
SERVER = "https://inbox.atelier.example"
POST = "Title: Un bol\nDate: 2026-03-01 10:00\nSlug: un-bol\n\nUn bol.\n"


def build_for(root: Path, **settings) -> Path:
    """A tiny site built with these settings; its output folder."""
    site = write_tiny_site(root, {"bol.md": POST})
    site.write_text(site.read_text() + "PLUGINS = PLUGINS + ['relais.plugins.fediverse']\n",
                    encoding="utf-8")
    key = str(root.parent / f"{root.name}-key.pem")
    build(load_settings(str(site), str(root / "output"),
                        {"SITEURL": SITE, "FEDIVERSE_KEY": key, **settings}))
    return root / "output"


RECEIVER = {"FEDIVERSE_HANDLE": "atelier", "FEDIVERSE_SERVER": SERVER}
BRIDGY = {"FEDIVERSE_BRIDGY_FED": True}


@pytest.mark.parametrize("host", ["netlify", "cloudflare-pages"])
def test_hosts_that_redirect_send_webfinger_and_the_actor_to_the_receiver(tmp_path, host):
    output = build_for(tmp_path, FEDIVERSE_STATIC_HOST=host, **RECEIVER)
    rules = [line.split() for line in (output / "_redirects").read_text().splitlines()
             if not line.startswith("#")]
    assert rules == [["/.well-known/webfinger", f"{SERVER}/.well-known/webfinger", "302"],
                     ["/actor", f"{SERVER}/actor", "302"]]
    assert not (output / ".well-known").exists()


def test_bridgy_fed_gets_webfinger_and_host_meta_where_the_host_redirects(tmp_path):
    output = build_for(tmp_path, FEDIVERSE_STATIC_HOST="netlify", **BRIDGY)
    rules = [line.split() for line in (output / "_redirects").read_text().splitlines()
             if not line.startswith("#")]
    assert rules == [
        ["/.well-known/host-meta*", "https://fed.brid.gy/.well-known/host-meta:splat", "302"],
        ["/.well-known/webfinger*", "https://fed.brid.gy/.well-known/webfinger:splat", "302"]]
    # GitHub Pages can neither redirect nor answer for Bridgy Fed: nothing is written
    output = build_for(tmp_path / "gh", FEDIVERSE_STATIC_HOST="github-pages", **BRIDGY)
    assert not (output / "_redirects").exists() and not (output / ".well-known").exists()


def test_github_pages_gets_webfingers_answer_as_a_file(tmp_path):
    output = build_for(tmp_path, FEDIVERSE_STATIC_HOST="github-pages", **RECEIVER)
    answer = json.loads((output / ".well-known/webfinger").read_text())
    assert answer["subject"] == "acct:atelier@atelier.example"  # the site's own domain
    assert {"rel": "self", "type": "application/activity+json",
            "href": f"{SERVER}/actor"} in answer["links"]
    assert not (output / "_redirects").exists()


def test_no_static_host_no_file_and_the_account_on_the_receivers_domain(tmp_path):
    output = build_for(tmp_path, **RECEIVER)
    assert not (output / "_redirects").exists() and not (output / ".well-known").exists()
    def settings(**more):
        return {"PATH": str(tmp_path / "content"), "SITEURL": SITE, **RECEIVER,
                "FEDIVERSE_KEY": str(tmp_path.parent / "k.pem"), **more}

    assert config(settings()).account == "acct:atelier@inbox.atelier.example"
    for host in ("netlify", "own-server"):
        assert config(settings(FEDIVERSE_STATIC_HOST=host)).account == \
            "acct:atelier@atelier.example"
    # an own server answers WebFinger itself: nothing is written
    output = build_for(tmp_path / "own", FEDIVERSE_STATIC_HOST="own-server", **RECEIVER)
    assert not (output / "_redirects").exists() and not (output / ".well-known").exists()


def test_the_sites_own_redirects_are_kept_and_ours_not_doubled():
    block = statichost.redirects_block([("/a", "https://x.example/a")])
    own = "/old /new 301\n"
    once = statichost.merged(own, block)
    assert once == block + own
    assert statichost.merged(once, block) == once  # a second build replaces its block


def test_the_receiver_answers_for_the_account_on_the_sites_domain(tmp_path):
    """Mastodon checks the actor's own host too (`handle@server-host`): the answer's subject
    is the account on the site's domain."""
    port = free_port()
    fediverse = Fediverse(config({
        "PATH": str(tmp_path / "content"), "SITEURL": SITE, "FEDIVERSE_HANDLE": "atelier",
        "FEDIVERSE_SERVER": f"http://127.0.0.1:{port}", "FEDIVERSE_STATIC_HOST": "netlify",
        "FEDIVERSE_KEY": str(tmp_path.parent / f"{tmp_path.name}.pem")}))
    receiver = ReceiverConfig(db=tmp_path / "r.sqlite3", site_dir=built_site(tmp_path / "out"),
                              domains=["atelier.example"], worker="none",
                              extensions=(fediverse,))
    with ReceiverThread(receiver, port=port) as running:
        for resource in ("acct:atelier@atelier.example", f"acct:atelier@127.0.0.1:{port}"):
            answer = httpx.get(f"{running.url}/.well-known/webfinger",
                               params={"resource": resource})
            assert answer.status_code == 200, resource
            assert answer.json()["subject"] == "acct:atelier@atelier.example"
        assert httpx.get(f"{running.url}/.well-known/webfinger",
                         params={"resource": "acct:other@atelier.example"}).status_code == 404
