"""What the templates get: the blogroll sorted by recent activity, the inactive apart,
the newest post of each creator for the widget, and the JSON form. Pure data.

"Inactive" is judged against the last refresh, not the clock, so that the
same `data/` always builds the same site.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from relais.plugins.blogroll.model import Creator
from relais.plugins.blogroll.reciprocity import (
    Evidence,
    evidence_for,
    received_by_host,
    received_for,
)


@dataclass
class Entry:
    title: str
    url: str
    date: datetime | None
    summary: str = ""
    creator: str = ""
    site: str = ""


@dataclass
class Member:
    """One creator as the blogroll page shows them."""

    name: str
    site: str
    note: str
    interests: list[str]
    groups: list[str]
    rel: str
    feed: str
    photo: str  # path of the local avatar under the output folder, or ""
    latest: Entry | None
    active: bool
    evidence: Evidence = field(default_factory=Evidence)

    @property
    def mutual(self) -> bool:
        return self.evidence.mutual


@dataclass
class BlogrollView:
    active: list[Member]
    inactive: list[Member]
    recent: list[Entry]
    refreshed: datetime | None

    @property
    def members(self) -> list[Member]:
        return self.active + self.inactive


def parse_date(value) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def newest_entry(state: dict, creator: Creator) -> Entry | None:
    dated = [(parse_date(e.get("date")), e) for e in state.get("entries") or [] if e.get("url")]
    dated = [(d, e) for d, e in dated if d is not None]
    if not dated:
        return None
    when, entry = max(dated, key=lambda pair: pair[0])
    return Entry(
        entry.get("title") or entry["url"],
        entry["url"],
        when,
        entry.get("summary", ""),
        creator.name,
        creator.site,
    )


def build_view(
    creators: list[Creator],
    states: dict[str, dict],
    *,
    inactive_months: int,
    recent_count: int,
    own_urls: list[str],
    received: list[dict],
    sent: list[str],
    avatar_prefix: str = "blogroll/",
) -> BlogrollView:
    attempts = [parse_date(s.get("last_attempt")) for s in states.values()]
    refreshed = max((a for a in attempts if a), default=None)
    horizon = refreshed - timedelta(days=round(inactive_months * 30.44)) if refreshed else None
    members = []
    by_host = received_by_host(received)
    for creator in creators:
        state = states.get(creator.key) or {}
        latest = newest_entry(state, creator)
        active = not (
            horizon and (latest is None or latest.date < horizon) and state.get("last_attempt")
        )
        members.append(
            Member(
                name=creator.name,
                site=creator.site,
                note=creator.note,
                interests=creator.interests,
                groups=creator.groups,
                rel=" ".join(creator.rel),
                feed=creator.feed or (state.get("feed") or {}).get("url") or "",
                photo=f"{avatar_prefix}{state['avatar']}" if state.get("avatar") else "",
                latest=latest,
                active=bool(active),
                evidence=evidence_for(creator.site, state, own_urls,
                                      received_for(creator.site, by_host), sent),
            )
        )

    def by_activity(member: Member):
        when = member.latest.date.timestamp() if member.latest else float("-inf")
        return (-when, member.name.lower())

    active = sorted((m for m in members if m.active), key=by_activity)
    inactive = sorted((m for m in members if not m.active), key=by_activity)
    recent = sorted(
        (m.latest for m in members if m.latest),
        key=lambda e: (e.date.timestamp(), e.title),
        reverse=True,
    )[:recent_count]
    return BlogrollView(active, inactive, recent, refreshed)


def blogroll_json(
    creators: list[Creator], feeds: dict[str, str], *, title: str, owner: str, site: str
) -> dict:
    """The blogroll as JSON (the same facts as the OPML), for programs."""
    return {
        "title": title,
        "owner": {"name": owner, "url": site},
        "creators": [
            {
                "name": c.name,
                "site": c.site,
                "feed": c.feed or feeds.get(c.key) or None,
                "interests": c.interests,
                "note": c.note,
                "rel": c.rel,
                "groups": c.groups,
            }
            for c in creators
        ],
    }
