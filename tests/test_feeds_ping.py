"""WebSub: `relais feeds ping` against a real hub server on 127.0.0.1."""

from __future__ import annotations

import json
import shutil

from tests.conftest import run_relais
from tests.support.local_http import LocalServer
from tests.test_feeds import SITE, published_site  # noqa: F401  (the session fixture)


def ping(output, hub, state, *extra):
    return run_relais("feeds", "ping", "-s", "publishconf.py", "-o", str(output),
                      "-e", f'WEBSUB_HUB="{hub}"', "-e", f'WEBSUB_STATE="{state}"',
                      "-e", f'SITEURL="{SITE}"', "--allow-private-network", *extra)


def test_ping_announces_changed_feeds_only(published_site, tmp_path):  # noqa: F811
    output = tmp_path / "output"
    shutil.copytree(published_site.output, output)
    every_feed = sorted(f"{SITE}/{p.relative_to(output).as_posix()}"
                        for p in (output / "feeds").rglob("*") if p.is_file())
    hub = LocalServer().start()
    try:
        hub_url = hub.add("/hub", 202)
        state = tmp_path / "websub.json"

        first = ping(output, hub_url, state)
        assert first.returncode == 0, first.stderr
        forms = [r.form for r in hub.hits("/hub", "POST")]
        assert all(f["hub.mode"] == ["publish"] for f in forms)
        assert sorted(u for f in forms for u in f["hub.url"]) == every_feed
        assert json.loads(state.read_text("utf-8"))["hub"] == hub_url

        again = ping(output, hub_url, state)
        assert again.returncode == 0 and len(hub.hits("/hub", "POST")) == len(every_feed)
        assert again.stdout.strip().splitlines()[-1].startswith("0 announced")

        stories = output / "feeds" / "stories.atom.xml"
        stories.write_bytes(stories.read_bytes().replace(b"</feed>", b"<!-- edited --></feed>"))
        dry = ping(output, hub_url, state, "--dry-run")
        assert dry.stdout.splitlines()[0] == f"would announce {SITE}/feeds/stories.atom.xml"
        third = ping(output, hub_url, state)
        assert [r.form["hub.url"] for r in hub.hits("/hub", "POST")[len(every_feed):]] == [
            [f"{SITE}/feeds/stories.atom.xml"]]
        assert third.returncode == 0

        refused = hub.add("/refuses", 500)
        failed = ping(output, refused, tmp_path / "other.json")
        assert failed.returncode == 1 and "the hub answered 500" in failed.stderr
    finally:
        hub.stop()


def test_ping_without_a_hub_says_so_in_one_line(published_site, tmp_path):  # noqa: F811
    result = run_relais("feeds", "ping", "-s", "publishconf.py", "-o", str(published_site.output),
                        "-e", f'WEBSUB_STATE="{tmp_path / "s.json"}"')
    assert result.returncode == 1
    assert result.stderr.strip() == "error: setting WEBSUB_HUB is not set: there is no hub to ping"
