"""Send one Webmention (discover, then POST) and say what became of it, never raising.

Every way a pair can end is an `Outcome` with a status word and a one-line
reason, so that the sent log records an explained status for each pair
instead of a crash: `sent` (2xx; a 201's `Location` is kept), `rejected`
(4xx: permanent for this version of the post), `retry` (5xx, 429, network
errors, timeouts: try again later), `no-endpoint`, `blocked` (SSRF guard),
`failed` (permanent problems on our side of the pair: bad URL, huge page).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin

from plugins.http_client import (
    BadUrl,
    Blocked,
    FetchError,
    HttpClient,
    TooLarge,
)
from plugins.webmentions.discovery import discover

SENT, REJECTED, RETRY, NO_ENDPOINT, BLOCKED, FAILED = (
    "sent", "rejected", "retry", "no-endpoint", "blocked", "failed")
SETTLED = {SENT, REJECTED, NO_ENDPOINT, BLOCKED, FAILED}  # final for this version of the post


@dataclass
class Outcome:
    status: str
    reason: str
    code: int | None = None
    endpoint: str | None = None
    location: str | None = None


def judge_response(code: int, location: str | None) -> Outcome:
    """What an endpoint's HTTP status means for the pair."""
    if 200 <= code < 300:
        accepted = {200: "accepted", 201: "created", 202: "queued"}.get(code, "accepted")
        return Outcome(SENT, f"HTTP {code}: {accepted}", code, location=location)
    if code == 429:
        return Outcome(RETRY, "HTTP 429: the endpoint asks us to slow down", code)
    if 400 <= code < 500:
        return Outcome(REJECTED, f"HTTP {code}: the endpoint refused the mention", code)
    if code >= 500:
        return Outcome(RETRY, f"HTTP {code}: the endpoint failed; will retry", code)
    return Outcome(FAILED, f"HTTP {code}: unexpected answer from the endpoint", code)


def judge_error(error: FetchError, stage: str) -> Outcome:
    """A network-level failure: permanent for refusals and bad input, else retried later."""
    if isinstance(error, Blocked):
        return Outcome(BLOCKED, f"{stage}: {error}")
    if isinstance(error, BadUrl | TooLarge):
        return Outcome(FAILED, f"{stage}: {error}")
    return Outcome(RETRY, f"{stage}: {error}")


async def send_webmention(client: HttpClient, source: str, target: str) -> Outcome:
    """Discover the target's endpoint and notify it that `source` mentions it."""
    try:
        found = await discover(client, target)
    except FetchError as error:
        return judge_error(error, "discovery")
    if found.endpoint is None:
        status = RETRY if found.status and found.status >= 500 else NO_ENDPOINT
        return Outcome(status, found.reason, found.status)
    try:
        response = await client.post(found.endpoint, data={"source": source, "target": target})
    except FetchError as error:
        outcome = judge_error(error, "sending")
        outcome.endpoint = found.endpoint
        return outcome
    location = response.headers.get("location")
    outcome = judge_response(response.status, urljoin(response.url, location) if location else None)
    outcome.endpoint = found.endpoint
    return outcome
