"""Bad remotes end as recorded, explained statuses; a killed run leaves a valid log; the CLI."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass

import pytest
from click.testing import CliRunner
from relais.plugins.webmentions import journal, owed
from relais.plugins.webmentions.cli import send_owed
from rich.console import Console

import relais.net.client as http_client
from relais.build import BuildError, build, load_settings
from relais.cli import main
from relais.store import read_json
from tests.conftest import REPO, run_relais
from tests.support.local_http import LocalServer
from tests.support.webmention_world import Receiver, make_site, post


@pytest.fixture
def receiver():
    server = LocalServer().start()
    yield Receiver(server)
    server.stop()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def bad_targets(receiver: Receiver) -> dict[str, tuple[str, str]]:
    """name -> (target URL, expected status, words of the reason)."""
    s = receiver.server
    receiver.endpoint("/wm-ok")
    s.add("/wm-500", 500)
    s.add("/wm-400", 400)
    s.add("/wm-201", 201, [("Location", "/status/7")])
    s.add("/wm-hang", delay=3)
    for name in ("500", "400", "201", "hang"):
        receiver.target(f"/t-{name}", f"/wm-{name}")
    s.add("/t-loop", 302, [("Location", "/t-loop2")])
    s.add("/t-loop2", 302, [("Location", "/t-loop")])
    s.html("/t-huge", "<p>" + "x" * 200_000 + '<link rel="webmention" href="/wm-ok">')
    s.add("/t-png", 200, [("Content-Type", "image/png")], b"\x89PNG\r\n")
    s.html("/t-badlink", "<p>no endpoint</p>", [("Link", '<<broken>>; rel="webmention')])
    s.html("/t-none", "<p>nothing here</p>")
    s.add("/t-gone", 410)
    return {
        "unreachable": (f"http://127.0.0.1:{closed_port()}/post", "retry", "cannot connect"),
        "timeout": (s.url("/t-hang"), "retry", "no complete answer"),
        "endless redirects": (s.url("/t-loop"), "retry", "redirects"),
        "huge page": (s.url("/t-huge"), "failed", "byte limit"),
        "not HTML": (s.url("/t-png"), "no-endpoint", "image/png"),
        "malformed Link": (s.url("/t-badlink"), "no-endpoint", "no Webmention endpoint"),
        "no endpoint": (s.url("/t-none"), "no-endpoint", "no Webmention endpoint"),
        "target gone": (s.url("/t-gone"), "no-endpoint", "HTTP 410"),
        "endpoint 500": (s.url("/t-500"), "retry", "HTTP 500"),
        "endpoint 400": (s.url("/t-400"), "rejected", "HTTP 400"),
        "endpoint 201": (s.url("/t-201"), "sent", "HTTP 201"),
    }


def test_every_bad_remote_is_a_recorded_explained_status(tiny_site, serve_directory, receiver):
    cases = bad_targets(receiver)
    links = " ".join(f"[{name}]({url})" for name, (url, _, _) in cases.items())
    site = make_site(tiny_site, serve_directory, {"a.md": post("Liens", links, "liens")})
    report = site.send(timeout=1.0, max_bytes=100_000, max_redirects=3)
    assert len(report.results) == len(cases)
    records = read_json(site.log_path)["sources"][site.url("liens")]["targets"]
    for name, (url, status, words) in cases.items():
        assert records[url]["status"] == status, name
        assert words in records[url]["reason"], (name, records[url]["reason"])
    assert records[cases["endpoint 201"][0]]["location"] == receiver.server.url("/status/7")


def test_ssrf_targets_are_blocked_and_recorded(tiny_site, serve_directory, receiver, monkeypatch):
    """Without private networks: direct targets on loopback or the metadata address, and a
    'public' host (127.0.0.2, which the guard is told to accept) that redirects there or
    advertises an endpoint there, all end as `blocked`, and nothing private is contacted."""
    monkeypatch.delenv("RELAIS_ALLOW_PRIVATE_NETWORK", raising=False)
    real = http_client.blocked_reason
    monkeypatch.setattr(http_client, "blocked_reason",
                        lambda address: None if address == "127.0.0.2" else real(address))
    receiver.endpoint()
    local = receiver.target("/local")
    public = LocalServer(host="127.0.0.2").start()
    try:
        public.add("/to-metadata", 302, [("Location", "http://169.254.169.254/latest/")])
        public.add("/to-loopback", 302, [("Location", local)])
        private_endpoint = receiver.server.url("/wm")
        public.html("/private-endpoint", f'<link rel="webmention" href="{private_endpoint}">')
        targets = [local, "http://169.254.169.254/latest/meta-data/",
                   f"http://[::ffff:127.0.0.1]:{receiver.server.port}/local",
                   f"http://localhost:{receiver.server.port}/local",
                   public.url("/to-metadata"), public.url("/to-loopback"),
                   public.url("/private-endpoint")]
        links = " ".join(f"[x]({url})" for url in targets)
        site = make_site(tiny_site, serve_directory, {"a.md": post("SSRF", links, "ssrf")})
        site.send(allow_private=False)
    finally:
        public.stop()
    records = read_json(site.log_path)["sources"][site.url("ssrf")]["targets"]
    assert {url: records[url]["status"] for url in targets} == dict.fromkeys(targets, "blocked")
    assert all("refused" in records[url]["reason"] for url in targets)
    assert records[public.url("/private-endpoint")]["reason"].startswith("sending: ")
    assert receiver.server.requests == []
    assert len(public.requests) == 3  # each public page fetched once, nothing more


def test_own_links_exclusions_and_media(tiny_site, serve_directory, receiver):
    receiver.endpoint()
    kept, skipped, image = (receiver.target(p) for p in ("/kept", "/skipped", "/image.png"))
    body = (f"[moi]({{filename}}/posts/b.md) [k]({kept}) [s]({skipped}) ![i]({image}) "
            "[relatif](/ailleurs/) [mail](mailto:x@example.com)")
    site = make_site(tiny_site, serve_directory, {
        "a.md": post("Liens", body, "liens"), "b.md": post("Autre", "b", "autre")})
    excluded = receiver.server.url("/skipped")
    site.settings_file.write_text(site.settings_file.read_text()
                                  + f"WEBMENTIONS_EXCLUDE = [{excluded!r}]\n")
    site.send()
    assert [m.target for m in receiver.received] == [kept]
    receiver.clear()
    site.settings_file.write_text(site.settings_file.read_text()
                                  + "WEBMENTIONS_INCLUDE_MEDIA = True\n")
    site.send()
    assert [m.target for m in receiver.received] == [image]


# --- kill -9 in the middle ------------------------------------------------------------------


def test_kill_9_leaves_a_valid_log_and_the_next_run_sends_exactly_what_is_owed(
        tiny_site, serve_directory, receiver):
    receiver.endpoint(delay=0.1)
    targets = [receiver.target(f"/t{n}") for n in range(16)]
    links = " ".join(f"[{n}]({url})" for n, url in enumerate(targets))
    site = make_site(tiny_site, serve_directory, {"a.md": post("Beaucoup", links, "beaucoup")})
    command = [sys.executable, "-m", "relais.cli", "mentions", "send", "-s",
               str(site.settings_file), "-e", f'SITEURL="{site.base}"', "--allow-private-network"]
    process = subprocess.Popen(command, cwd=site.root, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL,
                               env={**os.environ, "PYTHONPATH": str(REPO)})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(receiver.received) < 6:
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    settle = time.monotonic() + 5  # requests that arrived before the kill finish their work
    while receiver.server.in_flight and time.monotonic() < settle:
        time.sleep(0.02)
    assert 6 <= len(receiver.received) < len(targets), "the kill must land mid-run"

    read_json(site.log_path)  # valid JSON: read_json raises otherwise
    log = journal.read_raw(site.log_path)  # the log as of its run's start, plus the journal
    source = site.url("beaucoup")
    records = log["sources"][source]["targets"]
    settled = {t for t, r in records.items() if r.get("status") == "sent"}
    owed = set(targets) - settled
    assert owed and settled <= set(targets)
    receiver.clear()
    site.send()
    assert sorted(m.target for m in receiver.received) == sorted(owed)
    receiver.clear()
    site.send()
    assert receiver.received == []


# --- the one-off commands -----------------------------------------------------------------


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


def relais(*args: str) -> Ran:
    """The relais command in this process (quicker than a subprocess; same code path)."""
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return Ran(result.exit_code, result.stdout, result.stderr)


def test_webmention_discover_prints_the_endpoint_or_fails(receiver):
    target = receiver.target("/has", "/wm?x=1")
    found = relais("webmention", "discover", target, "--allow-private-network")
    assert found.returncode == 0 and found.stdout.strip() == receiver.server.url("/wm?x=1")
    none = receiver.server.html("/none", "<p>rien</p>")
    missing = relais("webmention", "discover", none, "--allow-private-network")
    assert missing.returncode == 1
    assert missing.stderr.strip() == f"error: {none}: no Webmention endpoint advertised " \
                                     "(Link header or HTML page)"


def test_webmention_send_prints_the_status(receiver):
    receiver.endpoint("/wm", status=201, headers=[("Location", "/s/1")])
    target = receiver.target("/page", "/wm")
    sent = run_relais("webmention", "send", "https://atelier.example/2026/bol/", target,
                      env={"RELAIS_ALLOW_PRIVATE_NETWORK": "1",
                           "RELAIS_SITEURL": "https://atelier.example"})
    assert sent.returncode == 0, sent.stderr
    assert sent.stdout.startswith(f"sent via {receiver.server.url('/wm')}: HTTP 201")
    assert receiver.received[0].form == {"source": "https://atelier.example/2026/bol/",
                                         "target": target}
    agent = receiver.server.hits("/page")[0].headers["user-agent"]
    assert "Relais" in agent and "+https://atelier.example" in agent  # from publishconf.py
    bad = run_relais("webmention", "send", "atelier.example", target)
    assert bad.returncode == 1
    assert bad.stderr.strip() == "error: SOURCE 'atelier.example' must be an absolute http(s) URL"


def test_mentions_send_dry_run_and_a_dev_siteurl(tiny_site, serve_directory, receiver):
    receiver.endpoint()
    target = receiver.target("/t")
    site = make_site(tiny_site, serve_directory, {"a.md": post("Un", f"[t]({target})", "un")})
    dry = relais("mentions", "send", "-s", str(site.settings_file), "-e",
                 f'SITEURL="{site.base}"', "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert f"new      {site.url('un')} -> {target}" in dry.stdout
    assert receiver.received == [] and not site.log_path.exists()


def test_sending_from_a_development_build_is_refused(tiny_site, serve_directory):
    site = make_site(tiny_site, serve_directory, {"a.md": post("Un", "texte", "un")})
    settings = load_settings(str(site.settings_file), str(site.root / "output"))
    build(settings)
    result = owed.of_build(settings)
    with pytest.raises(BuildError) as caught:
        send_owed(settings, result, dry_run=False, allow_private=True, console=Console())
    assert str(caught.value).startswith("SITEURL '' must be an absolute http(s) URL")
    assert not site.log_path.exists()
