"""End to end: build, serve the output on 127.0.0.1, send, edit or delete, rebuild, send again.

The webmention.rocks update and delete tests, reproduced locally: the
receiver must see exactly the right requests, and when it re-fetches the
source it must find the link (or its removal, or `410 Gone`).
"""

from __future__ import annotations

import pytest

from relais.store import read_json
from tests.support.local_http import LocalServer
from tests.support.webmention_world import Receiver, make_site, post


@pytest.fixture
def receiver():
    server = LocalServer().start()
    yield Receiver(server)
    server.stop()


@pytest.fixture
def world(tiny_site, serve_directory, receiver):
    receiver.endpoint()
    t1, t2, t3 = (receiver.target(p) for p in ("/one", "/two", "/three"))
    site = make_site(tiny_site, serve_directory, {
        "a.md": post("Un bol", f"Merci à [une]({t1}) et [deux]({t2}).", "un-bol",
                     f"In-Reply-To: {t3}\n"),
        "b.md": post("Sans liens", "Rien à dire.", "sans-liens"),
    })
    return site, receiver, (t1, t2, t3)


def test_first_send_reaches_every_target_once_then_nothing(world):
    site, receiver, (t1, t2, t3) = world
    report = site.send()
    source = site.url("un-bol")
    assert receiver.pairs() == sorted([(source, t1), (source, t2), (source, t3)])
    assert all(m.form.keys() == {"source", "target"} for m in receiver.received)
    assert all(m.source_links or m.target == t3 for m in receiver.received)
    assert report.counts() == {"sent": 3}
    log = read_json(site.log_path)
    assert set(log["sources"][source]["targets"]) == {t1, t2, t3}
    assert log["sources"][site.url("sans-liens")]["targets"] == {}
    record = log["sources"][source]["targets"][t1]
    assert record["status"] == "sent" and record["code"] == 202
    assert record["endpoint"] == receiver.server.url("/webmention")

    receiver.clear()
    again = site.send()
    assert again.jobs == [] and receiver.received == []


def test_rocks_update_an_edit_is_sent_again_to_every_target(world):
    """webmention.rocks update test 1: an updated post (here with a new link to a second
    part) re-sends to every target it links, the old ones and the new one."""
    site, receiver, (t1, t2, t3) = world
    part2 = receiver.target("/one/part/2")
    site.send()
    receiver.clear()
    site.write("a.md", post("Un bol", f"Merci encore à [une]({t1}), [sa suite]({part2}) et "
                                      f"[deux]({t2}).", "un-bol", f"In-Reply-To: {t3}\n"))
    site.send()
    source = site.url("un-bol")
    assert receiver.pairs() == sorted([(source, t1), (source, part2), (source, t2), (source, t3)])
    assert all(m.source_links for m in receiver.received if m.target != t3)
    receiver.clear()
    site.send()
    assert receiver.received == []


def test_rocks_update_a_removed_link_is_told_once(world):
    """webmention.rocks update test 2: the target a edit removed gets a last Webmention."""
    site, receiver, (t1, t2, t3) = world
    site.send()
    receiver.clear()
    site.write("a.md", post("Un bol", f"Merci à [une]({t1}).", "un-bol", f"In-Reply-To: {t3}\n"))
    site.send()
    source = site.url("un-bol")
    assert receiver.pairs() == sorted([(source, t1), (source, t2), (source, t3)])
    removed = [m for m in receiver.received if m.target == t2]
    assert not removed[0].source_links  # the receiver sees the link is gone
    receiver.clear()
    site.write("a.md", post("Un bol", f"Merci, [une]({t1}).", "un-bol", f"In-Reply-To: {t3}\n"))
    site.send()
    assert receiver.pairs() == sorted([(source, t1), (source, t3)])  # t2 was told already


def test_rocks_delete_a_deleted_post_becomes_a_tombstone_and_is_told(world):
    """webmention.rocks delete test 1: the deleted source says 410 Gone, every target is told."""
    site, receiver, (t1, t2, t3) = world
    site.send()
    receiver.clear()
    site.delete("a.md")
    site.send()
    source = site.url("un-bol")
    assert receiver.pairs() == sorted([(source, t1), (source, t2), (source, t3)])
    assert all(m.source_gone and not m.source_links for m in receiver.received)
    tombstone = (site.root / "output" / "2026" / "un-bol" / "index.html").read_text()
    assert '<meta http-equiv="Status" content="410 Gone">' in tombstone
    assert t1 not in tombstone
    # the theme's page: styled, its links relative (RELATIVE_URLS) or under SITEURL
    assert 'href="../../theme/css/relais.css"' in tombstone
    assert '<a href="../../" rel="home">Retour à l’accueil</a>' in tombstone
    assert 'href="/"' not in tombstone
    log = read_json(site.log_path)
    assert log["sources"][source]["deleted"] is True

    receiver.clear()
    result = site.build()  # the build keeps writing the tombstone, and nothing more is owed
    assert (site.root / "output" / "2026" / "un-bol" / "index.html").read_text() == tombstone
    assert source in result.gone
    site.send()
    assert receiver.received == []
    site.build(RELATIVE_URLS=False)  # published: under SITEURL (which may have a folder)
    published = (site.root / "output" / "2026" / "un-bol" / "index.html").read_text()
    assert f'href="{site.base}/theme/css/relais.css"' in published
    assert f'<a href="{site.base}/" rel="home">Retour à l’accueil</a>' in published


def test_a_post_that_comes_back_is_sent_again(world):
    site, receiver, (t1, t2, t3) = world
    text = (site.root / "content" / "posts" / "a.md").read_text()
    site.send()
    site.delete("a.md")
    site.send()
    receiver.clear()
    site.write("a.md", text)
    site.send()
    assert {m.target for m in receiver.received} == {t1, t2, t3}
    assert not any(m.source_gone for m in receiver.received)


def test_a_hidden_post_keeps_its_page_and_owes_nothing(world):
    site, receiver, (t1, t2, t3) = world
    site.send()
    receiver.clear()
    site.write("a.md", post("Un bol", f"Merci à [une]({t1}) et [deux]({t2}).", "un-bol",
                            f"In-Reply-To: {t3}\nStatus: hidden\n"))
    result = site.send()
    page = (site.root / "output" / "2026" / "un-bol" / "index.html").read_text()
    assert "410 Gone" not in page and t1 in page
    assert result.jobs == [] and receiver.received == []
