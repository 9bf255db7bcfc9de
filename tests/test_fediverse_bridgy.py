"""The mode without a server (docs/fediverse.md): with FEDIVERSE_BRIDGY_FED, the build's
Webmention sending tells Bridgy Fed of each post when it is published, edited and deleted.
A local stand-in on 127.0.0.1 plays Bridgy Fed (its home page announces its endpoint, as
fed.brid.gy's does); it fetches the source as Bridgy Fed does, so it sees the link to it, and
the 410 of a deleted post."""

from __future__ import annotations

import pytest
from relais.plugins.fediverse.config import BRIDGY_FED, bridgy_fed

from relais.settings import SettingsError
from tests.support.local_http import LocalServer
from tests.support.webmention_world import Receiver, make_site, post


@pytest.fixture
def bridgy():
    server = LocalServer().start()
    stand_in = Receiver(server)
    stand_in.endpoint("/webmention")
    stand_in.target("/")  # the home page a Webmention is sent to: it announces the endpoint
    stand_in.other = stand_in.target("/someone-else")
    yield stand_in
    server.stop()


def test_bridgy_fed_hears_of_a_post_when_published_edited_and_deleted(
        tiny_site, serve_directory, bridgy):
    home = bridgy.server.url("/")
    site = make_site(tiny_site, serve_directory, {
        "bol.md": post("Un bol", f"Merci à [quelqu'un]({bridgy.other}).", "un-bol"),
        "vieux.md": post("Un vieux pot", "Il y a longtemps.", "vieux").replace(
            "Date: 2026-03-01", "Date: 2020-01-01"),
    })
    # a site that sent its Webmentions before it chose Bridgy Fed
    site.send()
    assert bridgy.pairs() == [(site.url("un-bol"), bridgy.other)]
    bridgy.clear()
    site.settings_file.write_text(site.settings_file.read_text() + (
        f"FEDIVERSE_BRIDGY_FED = {home!r}\nFEDIVERSE_BRIDGY_FED_SINCE = '2021-01-01'\n"),
        encoding="utf-8")

    # published: Bridgy Fed is told (and only it: the others already were); not the old post
    site.send()
    assert bridgy.pairs() == [(site.url("un-bol"), home)]
    assert bridgy.received[0].source_links  # the post links Bridgy Fed, as a source must
    page = (site.root / "output/2026/un-bol/index.html").read_text(encoding="utf-8")
    assert f'<a class="u-bridgy-fed" href="{home}" hidden></a>' in page
    bridgy.clear()
    site.send()
    assert bridgy.pairs() == []  # nothing changed, nothing sent

    # edited: told again (with the other target, as an edit owes every target)
    site.write("bol.md", post("Un bol", f"Merci à [quelqu'un]({bridgy.other}), encore.",
                              "un-bol"))
    site.send()
    assert bridgy.pairs() == sorted([(site.url("un-bol"), home),
                                     (site.url("un-bol"), bridgy.other)])
    bridgy.clear()

    # deleted: told once more, and what it fetches says 410 Gone
    site.delete("bol.md")
    site.send()
    assert (site.url("un-bol"), home) in bridgy.pairs()
    assert all(m.source_gone for m in bridgy.received)


def test_true_means_fed_brid_gy_in_the_page(tiny_site, serve_directory):
    site = make_site(tiny_site, serve_directory, {"bol.md": post("Un bol", "Un bol.", "un-bol")})
    site.build(FEDIVERSE_BRIDGY_FED=True)
    page = (site.root / "output/2026/un-bol/index.html").read_text(encoding="utf-8")
    assert '<a class="u-bridgy-fed" href="https://fed.brid.gy/" hidden></a>' in page


def test_the_setting(tmp_path):
    def settings(**more):
        return {"PATH": str(tmp_path), "SITEURL": "https://atelier.example", **more}

    assert bridgy_fed(settings()) is None
    assert bridgy_fed(settings(FEDIVERSE_BRIDGY_FED=True)).url == BRIDGY_FED == \
        "https://fed.brid.gy/"
    with pytest.raises(SettingsError, match="FEDIVERSE_BRIDGY_FED"):
        bridgy_fed(settings(FEDIVERSE_BRIDGY_FED="fed.brid.gy"))
    with pytest.raises(SettingsError, match="FEDIVERSE_BRIDGY_FED_SINCE"):
        bridgy_fed(settings(FEDIVERSE_BRIDGY_FED=True, FEDIVERSE_BRIDGY_FED_SINCE="hier"))
    with pytest.raises(SettingsError, match="choose one mode"):
        bridgy_fed(settings(FEDIVERSE_BRIDGY_FED=True, FEDIVERSE_HANDLE="atelier"))
