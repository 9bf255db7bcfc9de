"""Adding a creator to the blogroll tells them, once: a webmention from our blogroll page
to their home page, sent with the webmention plugin through the shared client."""

from __future__ import annotations

from urllib.parse import parse_qs

from relais.plugins.blogroll.config import config
from relais.plugins.blogroll.model import Creator
from relais.plugins.blogroll.notify import notify_new

from relais.store import read_json
from tests.support.fleet import Fleet, home_page


def test_a_new_creator_gets_one_webmention_from_the_blogroll_page(tmp_path):
    settings = config({
        "PATH": str(tmp_path / "content"),
        "BLOGROLL_DATA": "data/blogroll",
        "BLOGROLL_URL": "blogroll/",
        "SITEURL": "https://atelier.example",
        "BLOGROLL_OWN_URLS": [],
    })
    with Fleet() as fleet:
        jeanne = fleet.add("jeanne")
        jeanne.put(
            "/",
            "text/html",
            home_page(
                jeanne.url,
                "Jeanne",
                "x",
                photo=None,
                feed=None,
                blogroll_link=None,
                webmention="/webmention",
            ),
        )
        jeanne.behaviours["/webmention"] = lambda method, path, headers: (202, {}, b"queued")
        theo = fleet.add("theo")  # no endpoint: settled too, never asked again
        theo.put(
            "/",
            "text/html",
            home_page(theo.url, "Théo", "x", photo=None, feed=None, blogroll_link=None),
        )
        creators = [Creator("Jeanne", jeanne.url), Creator("Théo", theo.url)]
        lines = notify_new(settings, creators, allow_private=True)
        assert lines[0].startswith(f"notify Jeanne <{jeanne.url}>: sent")
        assert lines[1].startswith(f"notify Théo <{theo.url}>: no-endpoint")
        (post,) = [r for r in jeanne.log if r.method == "POST"]
        assert parse_qs(post.request_body.decode()) == {
            "source": ["https://atelier.example/blogroll/"],
            "target": [jeanne.url],
        }
        assert notify_new(settings, creators, allow_private=True) == [
            "notify: everyone in the blogroll was already told"
        ]
        assert len([r for r in jeanne.log if r.method == "POST"]) == 1
    log = read_json(tmp_path / "data" / "blogroll" / "notified.json")
    assert sorted(entry["status"] for entry in log.values()) == ["no-endpoint", "sent"]
