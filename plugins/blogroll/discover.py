"""`relais discover`: creators I do not follow yet, found through the people I do follow.

The crawl starts from the blogrolls the refresh stored for the people I
follow (depth 2), fetches the candidates (their feed, h-card and own
blogroll, with the refresh's code and conditional requests, into
`data/blogroll/candidates/`) up to a cap, and at depth 3 goes one list
further. Then `rank` scores them. Nothing is ever added to the blogroll.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from relais.plugins.blogroll.cache import CANDIDATES_DIR, load_state
from relais.plugins.blogroll.model import Creator, belongs_to, site_identity, site_key
from relais.plugins.blogroll.rank import Candidate, Lister, Ranked, rank
from relais.plugins.blogroll.reciprocity import is_ours
from relais.plugins.blogroll.refresh import refresh_creator
from relais.plugins.blogroll.text import Profile, entry_profile

from relais.net.client import HttpClient, run

URL_IN_TEXT = re.compile(r"https?://[^\s)<>\]\"']+")


@dataclass
class MyWriting:
    profile: Profile
    links: list[str]
    posts: int


@dataclass
class Discovery:
    ranked: list[Ranked]
    fetched: int = 0
    problems: list[str] = field(default_factory=list)
    lists_known: int = 0


def read_my_writing(content: Path, article_paths: list[str]) -> MyWriting:
    """Titles, tags and summaries of my posts (Markdown metadata), and the links in them."""
    profile, links, count = Profile(), [], 0
    for folder in article_paths:
        for path in sorted((content / folder).rglob("*.md")):
            text = path.read_text(encoding="utf-8", errors="replace")
            head, _, body = text.partition("\n\n")
            meta = {}
            for line in head.splitlines():
                name, sep, value = line.partition(":")
                if sep and name.strip():
                    meta[name.strip().lower()] = value.strip()
            if meta.get("status", "").lower() == "draft":
                continue
            count += 1
            profile.add(meta.get("title", ""), 2.0)
            profile.add(meta.get("tags", "").replace(",", " "), 3.0)
            profile.add(meta.get("summary", ""), 1.0)
            links += URL_IN_TEXT.findall(text)
    return MyWriting(profile, list(dict.fromkeys(links)), count)


def _members(state: dict) -> list[dict]:
    return [m for m in (state.get("blogroll") or {}).get("members") or [] if m.get("site")]


class Graph:
    """Who lists whom, as far as we know: the people I follow and the candidates fetched."""

    def __init__(self, creators: list[Creator], own_urls: list[str]):
        self.followed = {site_identity(c.site) for c in creators}
        self.own_urls = own_urls
        self.candidates: dict[str, Candidate] = {}
        self.lists_known = 0
        self.listed_count: dict[str, int] = {}

    def excluded(self, site: str) -> bool:
        return site_identity(site) in self.followed or is_ours(site, self.own_urls)

    def add_list(self, lister_name: str, lister_site: str, members: list[dict], depth: int) -> None:
        self.lists_known += 1
        for member in members:
            identity = site_identity(member["site"])
            self.listed_count[identity] = self.listed_count.get(identity, 0) + 1
            if self.excluded(member["site"]) or belongs_to(member["site"], lister_site):
                continue
            candidate = self.candidates.get(identity)
            if candidate is None:
                candidate = Candidate(
                    site=member["site"],
                    name=member.get("title") or member["site"],
                    feed=member.get("feed") or None,
                )
                self.candidates[identity] = candidate
            if all(li.site != lister_site for li in candidate.listers):
                candidate.listers.append(Lister(lister_name, lister_site, depth, len(members)))

    def at_depth(self, depth: int) -> list[Candidate]:
        chosen = [c for c in self.candidates.values() if min(li.depth for li in c.listers) == depth]
        return sorted(chosen, key=lambda c: (-len(c.listers), c.name.lower()))


def _apply_state(candidate: Candidate, state: dict) -> None:
    candidate.entries = state.get("entries") or []
    card = state.get("card") or {}
    if card.get("name"):
        candidate.name = card["name"]
    candidate.profile = entry_profile(candidate.entries, [card.get("note", "")])
    candidate.gone = bool((state.get("feed") or {}).get("gone"))
    candidate.problem = state.get("last_error")
    candidate.fetched = bool(state.get("last_attempt"))


async def _fetch(
    candidates: list[Candidate],
    directory: Path,
    *,
    site_url: str,
    allow_private: bool | None,
    now: datetime,
    progress=None,
) -> None:
    async with HttpClient(site_url=site_url, allow_private=allow_private, timeout=10.0) as client:

        async def one(candidate: Candidate):
            creator = Creator(name=candidate.name, site=candidate.site, feed=candidate.feed)
            outcome = await refresh_creator(
                client, creator, directory, keep=10, now=now, avatar=False
            )
            if progress:
                progress(outcome)

        await asyncio.gather(*(one(c) for c in candidates))


def discover(
    creators: list[Creator],
    states: dict[str, dict],
    data: Path,
    *,
    content: Path,
    article_paths: list[str],
    own_urls: list[str],
    received: list[dict],
    depth: int = 2,
    max_sites: int = 40,
    offline: bool = False,
    site_url: str = "",
    allow_private: bool | None = None,
    weights: dict[str, float],
    inactive_months: int = 6,
    now: datetime | None = None,
    progress=None,
) -> Discovery:
    """Crawl (unless offline) and rank the creators the people I follow lead to."""
    now = now or datetime.now(UTC)
    directory = Path(data) / CANDIDATES_DIR
    graph = Graph(creators, own_urls)
    for creator in creators:
        state = states.get(creator.key) or {}
        if _members(state):
            graph.add_list(creator.name, creator.site, _members(state), 2)
    budget = max_sites
    fetched = 0
    for level in range(2, depth + 1):
        wave = graph.at_depth(level)
        if not offline and budget > 0:
            batch = wave[:budget]
            run(
                _fetch(
                    batch,
                    directory,
                    site_url=site_url,
                    allow_private=allow_private,
                    now=now,
                    progress=progress,
                )
            )
            budget -= len(batch)
            fetched += len(batch)
        for candidate in wave:
            state, _ = load_state(directory, site_key(candidate.site), candidate.site)
            _apply_state(candidate, state)
            if level < depth and _members(state):
                graph.add_list(candidate.name, candidate.site, _members(state), level + 1)
    mine = read_my_writing(content, article_paths)
    for candidate in graph.candidates.values():
        candidate.popularity = graph.listed_count.get(site_identity(candidate.site), 0)
        candidate.mentioned_me = sorted(
            {
                m["source"]
                for m in received
                if belongs_to(m["source"], candidate.site)
                or (m["author_url"] and belongs_to(m["author_url"], candidate.site))
            }
        )
        candidate.links_to_me = sorted(
            {
                link
                for e in candidate.entries
                for link in e.get("links") or []
                if is_ours(link, own_urls)
            }
        )
        candidate.i_linked = sorted(
            {link for link in mine.links if belongs_to(link, candidate.site)}
        )
    others = [entry_profile((states.get(c.key) or {}).get("entries") or []) for c in creators]
    ranked = rank(
        list(graph.candidates.values()),
        mine.profile,
        others,
        now=now,
        weights=weights,
        lists_known=graph.lists_known,
        inactive_months=inactive_months,
    )
    problems = [f"{r.candidate.site}: {r.candidate.problem}" for r in ranked if r.candidate.problem]
    return Discovery(ranked, fetched, problems, graph.lists_known)
