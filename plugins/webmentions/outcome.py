"""How a pair (source, target) ended: a status word and a one-line reason. Pure.

Kept apart from `sending` so that the sent log, and the build that reads it,
need no network code.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    retry_after: float | None = None  # seconds the host asked us to wait (Retry-After)


def judge_response(code: int, location: str | None,
                   retry_after: float | None = None) -> Outcome:
    """What an endpoint's HTTP status means for the pair."""
    if 200 <= code < 300:
        accepted = {200: "accepted", 201: "created", 202: "queued"}.get(code, "accepted")
        return Outcome(SENT, f"HTTP {code}: {accepted}", code, location=location)
    asked = f"; it asked for {retry_after:g} s (Retry-After)" if retry_after is not None else ""
    if code == 429:
        return Outcome(RETRY, f"HTTP 429: the endpoint asks us to slow down{asked}", code,
                       retry_after=retry_after)
    if 400 <= code < 500:
        return Outcome(REJECTED, f"HTTP {code}: the endpoint refused the mention", code)
    if code >= 500:
        return Outcome(RETRY, f"HTTP {code}: the endpoint failed; will retry{asked}", code,
                       retry_after=retry_after)
    return Outcome(FAILED, f"HTTP {code}: unexpected answer from the endpoint", code)
