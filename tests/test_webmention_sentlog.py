"""The sent log's rules on plain dicts: what is owed, how results are recorded, retries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from relais.plugins.webmentions import dispatch, sentlog
from relais.plugins.webmentions.sending import Outcome, judge_response
from relais.plugins.webmentions.sentlog import Policy, Post

from relais.store import write_json

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SOURCE = "https://atelier.example/2026/bol/"
A, B, C = "https://a.example/p", "https://b.example/p", "https://c.example/p"


def site(hash_="h1", targets=(A, B)) -> list[Post]:
    return [Post(SOURCE, hash_, frozenset(targets), "2026/bol/index.html")]


def plan(log, posts, gone=frozenset(), now=NOW, policy=None):
    policy = policy or Policy()
    sentlog.reconcile(log, posts, set(gone))
    return [(j.target, j.why) for j in sentlog.owed(log, posts, now, policy)]


def settle(log, posts, outcome=None, now=NOW, policy=None):
    """Record every owed job with the same outcome, as a run would."""
    policy = policy or Policy()
    sentlog.reconcile(log, posts, set())
    linked = {p.source: p.targets for p in posts}
    for job in sentlog.owed(log, posts, now, policy):
        sentlog.record(log, job, outcome or Outcome("sent", "HTTP 202", 202), now, policy,
                       job.target in linked.get(job.source, ()))


def test_new_links_are_owed_once():
    log = sentlog.empty()
    assert plan(log, site()) == [(A, "new"), (B, "new")]
    settle(log, site())
    assert plan(log, site()) == []


def test_a_changed_post_owes_every_target_and_a_removed_link_once():
    log = sentlog.empty()
    settle(log, site())
    assert plan(log, site("h2", [A, C])) == [(A, "changed"), (B, "removed"), (C, "new")]
    settle(log, site("h2", [A, C]))
    assert log["sources"][SOURCE]["targets"][B]["linked"] is False
    assert plan(log, site("h3", [A, C])) == [(A, "changed"), (C, "changed")]


def test_a_link_added_and_removed_before_any_send_is_forgotten():
    log = sentlog.empty()
    sentlog.reconcile(log, site("h1", [A, B]), set())
    assert plan(log, site("h2", [A])) == [(A, "new")]
    assert B not in log["sources"][SOURCE]["targets"]


def test_a_deleted_post_owes_its_former_targets_once():
    log = sentlog.empty()
    settle(log, site())
    assert plan(log, [], gone={SOURCE}) == [(A, "deleted"), (B, "deleted")]
    settle_gone = sentlog.owed(log, [], NOW, Policy())
    for job in settle_gone:
        sentlog.record(log, job, Outcome("sent", "ok", 202), NOW, Policy(), False)
    assert plan(log, [], gone={SOURCE}) == []
    assert log["sources"][SOURCE]["deleted"] is True


def test_a_source_missing_without_tombstone_is_left_alone():
    log = sentlog.empty()
    settle(log, site())
    assert plan(log, []) == []


def test_201_keeps_its_location_and_4xx_is_settled():
    created = judge_response(201, "https://e.example/status/1")
    assert created.status == "sent" and created.location == "https://e.example/status/1"
    assert judge_response(202, None).status == "sent"
    assert judge_response(400, None).status == "rejected"
    assert judge_response(429, None).status == "retry"
    assert judge_response(503, None).status == "retry"
    log = sentlog.empty()
    settle(log, site(), Outcome("rejected", "HTTP 400", 400))
    assert plan(log, site()) == []


def test_a_passing_failure_waits_then_is_retried_then_given_up():
    log = sentlog.empty()
    policy = Policy(max_tries=3, retry_delay=60)
    failure = Outcome("retry", "HTTP 500: the endpoint failed", 500)
    settle(log, site("h1", [A]), failure, NOW, policy)
    record = log["sources"][SOURCE]["targets"][A]
    assert record["tries"] == 1 and record["next_try"] == "2026-03-01T12:01:00Z"
    assert log["hosts"]["a.example"]["failures"] == 1
    assert plan(log, site("h1", [A]), now=NOW + timedelta(seconds=30), policy=policy) == []
    later = NOW + timedelta(seconds=61)
    assert plan(log, site("h1", [A]), now=later, policy=policy) == [(A, "new")]
    settle(log, site("h1", [A]), failure, later, policy)
    assert record["next_try"] == "2026-03-01T12:03:01Z"  # the delay doubled
    last = later + timedelta(seconds=121)
    settle(log, site("h1", [A]), failure, last, policy)
    assert record["status"] == "gave-up" and "failed 3 times" in record["reason"]
    assert plan(log, site("h1", [A]), now=last + timedelta(days=30), policy=policy) == []
    assert plan(log, site("h2", [A]), now=last + timedelta(days=30), policy=policy) == [
        (A, "changed")]  # a new version of the post tries once more


def test_a_host_fails_once_per_run_and_a_success_clears_it():
    log = sentlog.empty()
    two = [Post(SOURCE, "h1", frozenset({A, A + "2"}), "x/index.html")]
    settle(log, two, Outcome("retry", "timeout"), NOW)
    assert log["hosts"]["a.example"]["failures"] == 1
    settle(log, two, Outcome("sent", "ok", 202), NOW + timedelta(days=1))
    assert "a.example" not in log["hosts"]


def test_a_failing_remote_keeps_what_we_had():
    log = sentlog.empty()
    settle(log, site("h1", [A]), Outcome("sent", "HTTP 201", 201, "https://a.example/wm",
                                         "https://a.example/s/1"))
    settle(log, site("h2", [A]), Outcome("retry", "HTTP 500", 500))
    record = log["sources"][SOURCE]["targets"][A]
    assert record["hash"] == "h1" and record["linked"] is True  # still owed for h2
    assert plan(log, site("h2", [A]), now=NOW + timedelta(days=1)) == [(A, "changed")]


@pytest.mark.parametrize("content, message", [
    ("[]", "not a sent log"),
    ('{"sources": {"x": 3}}', "sources.x: expected an object"),
    ("{nope", "not valid JSON"),
])
def test_a_broken_log_is_one_line_naming_the_file(tmp_path, content, message):
    path = tmp_path / "sent.json"
    path.write_text(content)
    with pytest.raises(ValueError) as caught:
        dispatch.load_log(path)
    assert str(path) in str(caught.value) and message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_dry_run_writes_nothing(tmp_path):
    path = tmp_path / "sent.json"
    write_json(path, sentlog.empty())
    before = path.read_text()
    jobs = dispatch.dry_run(path, site(), set(), Policy())
    assert [j.target for j in jobs] == [A, B] and path.read_text() == before


def test_an_unexpected_error_costs_one_pair_not_the_run(tmp_path, monkeypatch):
    import asyncio

    import relais.plugins.webmentions.dispatch as dispatch_module

    async def broken(client, source, target):
        if target == A:
            raise RuntimeError("a bug")
        return Outcome("sent", "HTTP 202", 202)

    monkeypatch.setattr(dispatch_module, "send_webmention", broken)
    path = tmp_path / "sent.json"
    report = asyncio.run(dispatch.send_all(path, site(), set(), policy=Policy(),
                                           client_options={"allow_private": True}))
    assert sorted(r.outcome.status for r in report.results) == ["failed", "sent"]
    records = dispatch.load_log(path)["sources"][SOURCE]["targets"]
    assert records[A]["reason"] == "internal error: RuntimeError: a bug"
    assert records[B]["status"] == "sent"
