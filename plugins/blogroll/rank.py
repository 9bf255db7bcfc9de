"""Discovery's scoring, pure: network, affinity, interaction and activity, with the evidence.

- network: who among the people I follow lists the candidate (and, at depth 3,
  who among *their* lists does), each vote divided by the size of the list it
  comes from (a list of 300 says less about each member than a list of 8) and
  weighted down with depth; the sum is multiplied by an inverse-popularity
  factor (like IDF) so that a site every list names does not drown a niche one.
- affinity: cosine similarity of TF-IDF term weights between my posts and
  their recent entries (titles, tags, summaries), with the top shared terms;
  relative to the closest candidate, since raw cosines of short texts are small.
- interaction: they mentioned or replied to me, they link to me, I linked to them.
- activity: last post and rhythm; dead (gone, unreachable) or inactive sites
  sink to the bottom (or are left out by the caller).
Every part is in [0, 1] (network and affinity relative to the best candidate);
the score is their weighted mean.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from relais.plugins.blogroll.text import Profile

DEPTH_WEIGHT = {2: 1.0, 3: 0.4}


@dataclass
class Lister:
    name: str
    site: str
    depth: int  # 2: someone I follow lists them; 3: someone they list does
    list_size: int


@dataclass
class Candidate:
    site: str
    name: str
    feed: str | None = None
    listers: list[Lister] = field(default_factory=list)
    entries: list[dict] = field(default_factory=list)
    profile: Profile = field(default_factory=Profile)
    popularity: int = 0  # how many known blogrolls list them, mine included
    fetched: bool = False
    problem: str | None = None  # why we have no fresh data (gone, unreachable…)
    gone: bool = False
    mentioned_me: list[str] = field(default_factory=list)
    links_to_me: list[str] = field(default_factory=list)
    i_linked: list[str] = field(default_factory=list)


@dataclass
class Ranked:
    candidate: Candidate
    score: float
    parts: dict[str, float]
    shared_terms: list[str]
    last_post: datetime | None
    rhythm_days: float | None
    status: str  # active, inactive, dead, unknown

    def to_json(self) -> dict:
        c = self.candidate
        return {
            "site": c.site,
            "name": c.name,
            "score": round(self.score, 3),
            "parts": {k: round(v, 3) for k, v in self.parts.items()},
            "status": self.status,
            "listed_by": [
                {"name": li.name, "site": li.site, "depth": li.depth, "list_size": li.list_size}
                for li in c.listers
            ],
            "popularity": c.popularity,
            "shared_terms": self.shared_terms,
            "last_post": self.last_post.isoformat() if self.last_post else None,
            "rhythm_days": round(self.rhythm_days, 1) if self.rhythm_days else None,
            "interaction": {
                "mentioned_me": c.mentioned_me,
                "links_to_me": c.links_to_me,
                "i_linked": c.i_linked,
            },
            "problem": c.problem,
            "recent": [
                {"title": e.get("title"), "url": e.get("url"), "date": e.get("date")}
                for e in c.entries[:3]
            ],
        }


def network_raw(candidate: Candidate, lists_known: int) -> float:
    votes = sum(
        DEPTH_WEIGHT.get(li.depth, 0.2) / math.log2(2 + li.list_size) for li in candidate.listers
    )
    rarity = math.log((1 + lists_known) / (1 + candidate.popularity)) + 1
    return votes * rarity


class Tfidf:
    """IDF over every profile in play (mine, the people I follow, the candidates)."""

    def __init__(self, profiles: list[Profile]):
        self.n = len(profiles)
        self.df: dict[str, int] = {}
        for profile in profiles:
            for key in profile.counts:
                self.df[key] = self.df.get(key, 0) + 1

    def vector(self, profile: Profile) -> dict[str, float]:
        return {
            key: (1 + math.log(count)) * (math.log((1 + self.n) / (1 + self.df.get(key, 0))) + 1)
            for key, count in profile.counts.items()
            if count > 0
        }


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(weight * b[key] for key, weight in a.items() if key in b)
    norm = math.sqrt(sum(w * w for w in a.values())) * math.sqrt(sum(w * w for w in b.values()))
    return dot / norm if norm else 0.0


def shared_terms(
    mine: dict[str, float], theirs: dict[str, float], profile: Profile, top: int = 5
) -> list[str]:
    common = sorted((min(mine[k], theirs[k]), k) for k in mine.keys() & theirs.keys())
    return [profile.surface(k) for _, k in sorted(common, key=lambda p: (-p[0], p[1]))[:top]]


def activity(
    entries: list[dict], now: datetime, inactive_after: timedelta
) -> tuple[float, datetime | None, float | None, bool]:
    """(score, last post, median days between posts, inactive?)."""
    dates = sorted(
        {datetime.fromisoformat(e["date"]) for e in entries if e.get("date")}, reverse=True
    )
    if not dates:
        return 0.0, None, None, True
    last = dates[0]
    gaps = [(a - b).total_seconds() / 86400 for a, b in zip(dates, dates[1:], strict=False)]
    rhythm = statistics.median(gaps) if gaps else None
    age = max(0.0, (now - last).total_seconds() / 86400)
    limit = inactive_after.total_seconds() / 86400
    score = max(0.0, 1 - age / limit)
    if rhythm:
        score = 0.7 * score + 0.3 * min(1.0, 30 / max(rhythm, 1))
    return score, last, rhythm, age > limit


def interaction(candidate: Candidate) -> float:
    return min(
        1.0,
        0.5 * bool(candidate.mentioned_me)
        + 0.3 * bool(candidate.links_to_me)
        + 0.2 * bool(candidate.i_linked)
        + 0.1 * len(candidate.mentioned_me),
    )


def rank(
    candidates: list[Candidate],
    mine: Profile,
    others: list[Profile],
    *,
    now: datetime,
    weights: dict[str, float],
    lists_known: int,
    inactive_months: int = 6,
) -> list[Ranked]:
    """Candidates best first; dead and inactive ones after all the living."""
    tfidf = Tfidf([mine, *others, *(c.profile for c in candidates)])
    my_vector = tfidf.vector(mine)
    raw = {id(c): network_raw(c, lists_known) for c in candidates}
    top = max(raw.values(), default=0) or 1.0
    vectors = {id(c): tfidf.vector(c.profile) for c in candidates}
    closeness = {id(c): cosine(my_vector, vectors[id(c)]) for c in candidates}
    closest = max(closeness.values(), default=0) or 1.0
    inactive_after = timedelta(days=round(30.44 * inactive_months))
    total = sum(weights.values())
    ranked = []
    for c in candidates:
        vector = vectors[id(c)]
        act, last, rhythm, inactive = activity(c.entries, now, inactive_after)
        parts = {
            "network": raw[id(c)] / top,
            "affinity": closeness[id(c)] / closest,
            "interaction": interaction(c),
            "activity": act,
        }
        status = (
            "dead"
            if c.gone or (c.problem and not c.entries)
            else "unknown"
            if not c.entries
            else "inactive"
            if inactive
            else "active"
        )
        score = sum(weights[k] * parts[k] for k in parts) / total
        ranked.append(
            Ranked(c, score, parts, shared_terms(my_vector, vector, mine), last, rhythm, status)
        )
    order = {"active": 0, "unknown": 1, "inactive": 2, "dead": 3}
    ranked.sort(key=lambda r: (order[r.status], -r.score, r.candidate.name.lower()))
    return ranked
