"""The weekly view: who to thank, who went quiet, who is new around her relays, the open
proposals and their next step, the partners waiting to answer. Pure, from the ledger (and
the two-hop reach, when known) at a given moment.

- To thank: mentions of the last `thank_days` (RELAYS_THANK_DAYS) she has not answered:
  no Webmention of hers to them since (a reply, a link in a post), not marked answered
  (`relais relays answered URL`). Likes are not owed an answer.
- Gone quiet: people she follows or works with (not those she paused) with no post and no
  sign towards her in `quiet_days`.
- New around your relays: people first seen in the last `recent_days`, and the people her
  closest relays lead to that she does not know yet (most relays first).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from relais.plugins.relays.consent import waiting
from relais.plugins.relays.gather import NOT_ANSWERABLE
from relais.plugins.relays.ledger import Evidence, Ledger, Person, Proposal
from relais.plugins.relays.reach import Reach, Reached

SIGNS_FROM_THEM = ("received", "links-to-me", "lists-me", "collaborated")
FOLLOWED_STAGES = ("talking", "collaborating", "partner")
NEW_AROUND = 8  # how many people reached at two hops the view shows


@dataclass
class Thank:
    person: Person
    mentions: list[Evidence]


@dataclass
class Quiet:
    person: Person
    last: str  # the date of their last sign
    days: int


@dataclass
class Newcomer:
    person: Person
    first: Evidence


@dataclass
class Step:
    proposal: Proposal
    person: Person
    next: str


@dataclass
class Weekly:
    now: datetime
    thank: list[Thank] = field(default_factory=list)
    quiet: list[Quiet] = field(default_factory=list)
    newcomers: list[Newcomer] = field(default_factory=list)
    around: list[Reached] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    consent: list[Person] = field(default_factory=list)
    people: int = 0
    evidence: int = 0


def _day(value: str | None) -> str:
    return (value or "")[:10]


def to_thank(person: Person, since: str) -> list[Evidence]:
    """Mentions from `person` since the day `since` that she has not answered, newest first."""
    answers = [_day(e.date) for e in person.evidence if e.kind == "sent"]
    last_answer = max(answers, default="")
    return sorted(
        (e for e in person.evidence
         if e.kind == "received" and e.what not in NOT_ANSWERABLE and _day(e.date) >= since
         and e.url not in person.answered and not (last_answer and last_answer >= _day(e.date))),
        key=lambda e: e.date or "", reverse=True)


def last_sign(person: Person) -> str:
    signs = [_day(e.date) for e in person.evidence if e.kind in SIGNS_FROM_THEM and e.date]
    signs.append(_day(person.activity.get("last_post")))
    return max(signs)


def next_step(proposal: Proposal) -> str:
    return proposal.next or "decide, then answer them"


def weekly(ledger: Ledger, now: datetime, *, thank_days: int, quiet_days: int,
           recent_days: int, reach: Reach | None = None) -> Weekly:
    view = Weekly(now, people=len(ledger.people))
    thank_since = (now - timedelta(days=thank_days)).date().isoformat()
    quiet_since = (now - timedelta(days=quiet_days)).date().isoformat()
    recent_since = (now - timedelta(days=recent_days)).date().isoformat()
    today = now.date()
    for person in ledger.people.values():
        view.evidence += len(person.evidence)
        owed = to_thank(person, thank_since)
        if owed:
            view.thank.append(Thank(person, owed))
        followed = person.stage in FOLLOWED_STAGES or any(e.kind == "listed"
                                                          for e in person.evidence)
        if followed and person.stage != "paused":
            last = last_sign(person)
            if last and last < quiet_since:
                days = (today - datetime.fromisoformat(last).date()).days
                view.quiet.append(Quiet(person, last, days))
        dated = [e for e in person.evidence if e.date]
        if dated and person.origin != "blogroll":
            first = min(dated, key=lambda e: e.date)
            if _day(first.date) >= recent_since:
                view.newcomers.append(Newcomer(person, first))
    view.thank.sort(key=lambda t: t.mentions[0].date or "", reverse=True)
    view.quiet.sort(key=lambda q: q.last)
    view.newcomers.sort(key=lambda n: n.first.date or "", reverse=True)
    view.around = (reach.reached if reach else [])[:NEW_AROUND]
    view.steps = [Step(p, ledger.people[p.person], next_step(p))
                  for p in sorted(ledger.open_proposals(), key=lambda p: p.date)]
    view.consent = waiting(ledger)
    return view
