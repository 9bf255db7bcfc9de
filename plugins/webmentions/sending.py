"""Send one Webmention (discover, then POST) and say what became of it, never raising.

Every way a pair can end is an `Outcome` with a status word and a one-line
reason, so that the sent log records an explained status for each pair
instead of a crash: `sent` (2xx; a 201's `Location` is kept), `rejected`
(4xx: permanent for this version of the post), `retry` (5xx, 429, network
errors, timeouts: try again later), `no-endpoint`, `blocked` (SSRF guard),
`failed` (permanent problems on our side of the pair: bad URL, huge page).
"""

from __future__ import annotations

from urllib.parse import urljoin

from relais.plugins.webmentions.discovery import discover
from relais.plugins.webmentions.outcome import (  # noqa: F401  (the statuses, for callers of send)
    BLOCKED,
    FAILED,
    NO_ENDPOINT,
    REJECTED,
    RETRY,
    SENT,
    SETTLED,
    Outcome,
    judge_response,
)

from relais.net.client import (
    BadUrl,
    Blocked,
    FetchError,
    HttpClient,
    TooLarge,
    retry_after_seconds,
)


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
        passing = found.status is not None and (found.status >= 500 or found.status == 429)
        return Outcome(RETRY if passing else NO_ENDPOINT, found.reason, found.status,
                       retry_after=found.retry_after if passing else None)
    try:
        response = await client.post(found.endpoint, data={"source": source, "target": target})
    except FetchError as error:
        outcome = judge_error(error, "sending")
        outcome.endpoint = found.endpoint
        return outcome
    location = response.headers.get("location")
    outcome = judge_response(response.status, urljoin(response.url, location) if location else None,
                             retry_after_seconds(response.headers.get("retry-after")))
    outcome.endpoint = found.endpoint
    return outcome
