"""Sending at the seams: kill -9 after N POSTs (the journal), tries after an edit, Retry-After
across runs, and what other plugins may count as sent. Real endpoints on 127.0.0.x, the real
`relais mentions send` process."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from relais.plugins.webmentions import api, dispatch, journal, sentlog

from relais.store import StoreError
from tests.conftest import REPO
from tests.support.local_http import LocalServer
from tests.support.webmention_world import make_site, post

PAGE = '<!doctype html><link rel="webmention" href="/wm"><p>{path}</p>'


class Endpoints:
    """Hosts 127.0.0.1 … 127.0.0.N, each with target pages and an endpoint counting POSTs."""

    def __init__(self, hosts: int):
        self.servers = [LocalServer(host=f"127.0.0.{n}").start() for n in range(1, hosts + 1)]
        self.posts: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        self.answer = (202, [], b"")
        for server in self.servers:
            server.routes["/wm"] = self.receive

    def receive(self, request, handler):
        form = request.form
        with self.lock:
            self.posts.append((form["source"][0], form["target"][0]))
        return self.answer

    def targets(self, count: int) -> list[str]:
        urls = []
        for n in range(count):
            server = self.servers[n % len(self.servers)]
            urls.append(server.html(f"/t{n}", PAGE.format(path=n)))
        return urls

    def in_flight(self) -> int:
        return sum(server.in_flight for server in self.servers)

    def close(self) -> None:
        for server in self.servers:
            server.stop()


@pytest.fixture
def endpoints():
    made = []

    def make(hosts: int) -> Endpoints:
        made.append(Endpoints(hosts))
        return made[-1]

    yield make
    for one in made:
        one.close()


def send_command(site) -> list[str]:
    return [sys.executable, "-m", "relais.cli", "mentions", "send", "-s", str(site.settings_file),
            "-e", f'SITEURL="{site.base}"', "--allow-private-network"]


def test_kill_9_after_100_posts_resends_at_most_what_was_in_flight(
        tiny_site, serve_directory, endpoints):
    world = endpoints(20)
    targets = world.targets(300)
    links = " ".join(f"[{n}]({url})" for n, url in enumerate(targets))
    site = make_site(tiny_site, serve_directory, {"a.md": post("Trois cents", links, "300")})
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(send_command(site), cwd=site.root, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while len(world.posts) < 100:
        assert process.poll() is None, process.stderr.read().decode()
        assert time.monotonic() < deadline, "the sender never reached 100 POSTs"
        time.sleep(0.002)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    killed_at = len(world.posts)
    settle = time.monotonic() + 5
    while world.in_flight() and time.monotonic() < settle:
        time.sleep(0.01)
    first_run = len(world.posts)
    assert first_run < len(targets), "the kill must land mid-run"
    assert journal.journal_path(site.log_path).exists()  # the results since the run began

    finished = subprocess.run(send_command(site), cwd=site.root, env=env, capture_output=True,
                              text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    per_pair = Counter(world.posts)
    assert set(per_pair) == {(site.url("300"), t) for t in targets}  # nothing lost
    doubled = sum(count - 1 for count in per_pair.values())
    in_flight_bound = 16  # the client's default limit of requests at once
    assert doubled <= in_flight_bound, (doubled, killed_at, first_run)
    log = dispatch.load_log(site.log_path)
    statuses = Counter(r["status"] for r in log["sources"][site.url("300")]["targets"].values())
    assert statuses == {"sent": 300}
    assert not journal.journal_path(site.log_path).exists()  # compacted into the log


def test_an_edited_post_gets_fresh_tries(tiny_site, serve_directory, endpoints):
    world = endpoints(1)
    world.answer = (500, [], b"down")
    [target] = world.targets(1)
    site = make_site(tiny_site, serve_directory, {"a.md": post("Un", f"[t]({target})", "un")})
    policy = sentlog.Policy(max_tries=2, retry_delay=0)
    host = sentlog.host_of(target)
    site.send(policy)
    site.send(policy)
    record = dispatch.load_log(site.log_path)["sources"][site.url("un")]["targets"][target]
    assert record["status"] == "gave-up" and len(world.posts) == 2
    site.send(policy)
    assert len(world.posts) == 2  # given up: not asked again for this version
    site.write("a.md", post("Un", f"[t]({target}) — revu et corrigé", "un"))
    site.send(policy)
    assert len(world.posts) == 3
    log = dispatch.load_log(site.log_path)
    record = log["sources"][site.url("un")]["targets"][target]
    assert record["status"] == "retry" and record["tries"] == 1, record
    assert log["hosts"][host]["failures"] == 1
    world.answer = (202, [], b"")
    site.send(policy)
    record = dispatch.load_log(site.log_path)["sources"][site.url("un")]["targets"][target]
    assert record["status"] == "sent" and host not in dispatch.load_log(site.log_path)["hosts"]


def test_retry_after_holds_across_runs_for_every_pair_of_the_host(
        tiny_site, serve_directory, endpoints):
    world = endpoints(2)
    targets = world.targets(4)  # two on each host
    slow, other = world.servers
    slow.routes["/wm"] = lambda request, handler: (429, [("Retry-After", "120")], b"slow down")
    links = " ".join(f"[{n}]({url})" for n, url in enumerate(targets))
    site = make_site(tiny_site, serve_directory, {"a.md": post("Quatre", links, "quatre")})
    first = site.send(sentlog.Policy(retry_delay=1))
    host = sentlog.host_of(slow.url())
    statuses = {r.job.target: r.outcome for r in first.results}
    asked = [o for t, o in statuses.items() if t.startswith(slow.base)]
    assert asked and all(o.status == "retry" and o.retry_after == 120 for o in asked)
    assert "Retry-After" in asked[0].reason
    log = dispatch.load_log(site.log_path)
    until = sentlog.parse_stamp(log["hosts"][host]["asked_until"])
    assert timedelta(seconds=110) < until - datetime.now(UTC) <= timedelta(seconds=121)

    slow.requests.clear()
    second = site.send(sentlog.Policy(retry_delay=1))  # a new run, at once: the host waits
    assert slow.requests == [] and second.results == []
    result = site.build()
    later = datetime.now(UTC) + timedelta(seconds=125)
    slow.routes["/wm"] = world.receive
    third = asyncio.run(dispatch.send_all(
        result.log_path, result.posts, result.gone, policy=sentlog.Policy(retry_delay=1),
        client_options={"allow_private": True, "retries": 0}, now=later))
    assert sorted(r.job.target for r in third.results) == sorted(
        t for t in targets if t.startswith(slow.base))
    assert {r.outcome.status for r in third.results} == {"sent"}


def test_only_confirmed_sends_count_for_other_plugins(tiny_site, serve_directory, endpoints):
    """A run killed before anything was sent leaves planned pairs in the log: not sent."""
    world = endpoints(1)
    targets = world.targets(3)
    links = " ".join(f"[{n}]({url})" for n, url in enumerate(targets))
    site = make_site(tiny_site, serve_directory, {"a.md": post("Trois", links, "trois")})
    result = site.build()
    log, jobs = dispatch.plan(result.log_path, result.posts, result.gone, sentlog.Policy())
    journal.compact(result.log_path, log)  # what a run writes before its first request
    settings = {"PATH": str(site.root / "content")}
    assert len(jobs) == 3 and api.sent_targets(settings) == []
    site.send()
    assert api.sent_targets(settings) == sorted(targets)


def test_a_journal_cut_by_a_kill_is_replayed_and_a_damaged_one_is_named(tmp_path):
    log_path = tmp_path / "sent.json"
    log = sentlog.empty()
    log["sources"]["https://a.example/p"] = {"hash": "h", "path": "p/index.html",
                                             "targets": {"https://b.example/": {"status": "sent"}}}
    line = journal.line_for(log, "https://a.example/p", "https://b.example/", "b.example")
    text = journal.json.dumps(line)
    journal.journal_path(log_path).write_text(text + "\n" + text[:30])  # cut mid-line
    assert api.sent_targets({"PATH": str(tmp_path / "content"),
                             "WEBMENTIONS_SENT_LOG": str(log_path)}) == ["https://b.example/"]
    journal.journal_path(log_path).write_text(text[:30] + "\n" + text + "\n")
    with pytest.raises(StoreError, match=r"sent.json.journal:1: not a journal line"):
        journal.read_raw(log_path)
