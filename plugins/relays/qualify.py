"""Qualifying a partnership: the facts she can read and argue with, and one line of why.

Pure. Five facts, each with its evidence, and a verdict in words (never a bare score):
- affinity: the terms their recent writing shares with hers (TF-IDF over her posts, the
  blogroll's creators and theirs, with the blogroll's own text and rank stages);
- reciprocity so far: what went each way, from the ledger's timeline;
- relays: which of her relays list them, link to them or already know them;
- activity: their last post and rhythm, from their feed;
- cost: her own estimate, in hours and words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from relais.plugins.blogroll.rank import Tfidf, activity, cosine, shared_terms
from relais.plugins.blogroll.text import Profile, entry_profile
from relais.plugins.relays.ledger import Ledger, Person, Proposal

CLOSE, SOME = 0.12, 0.03  # cosines of short texts: above CLOSE reads as the same craft
HEAVY_HOURS = 20


@dataclass
class Qualification:
    verdict: str  # "promising", "worth a conversation", "think twice"
    why: str  # one line
    affinity: str
    shared_terms: list[str]
    reciprocity: list[str]
    relays: list[str]  # "Jeanne Potier lists them (https://…/blogroll.opml)"
    activity: str
    cost: str
    reasons: list[str] = field(default_factory=list)  # the facts above, as sentences

    def to_json(self) -> dict:
        return {k: v for k, v in self.__dict__.items()}


def relays_relating(person: Person, ledger: Ledger, states: dict[str, dict]) -> list[str]:
    """Her relays who relate to `person`: they list them, or link to them in a post."""
    found = []
    for relay in ledger.people.values():
        if relay is person:
            continue
        state = next((states[s] for s in relay.sites if s in states), None) or {}
        by_source = (state.get("blogroll") or {}).get("by_source") or {}
        lists = [source for source, members in sorted(by_source.items())
                 if any(person.owns(m.get("site") or "") for m in members)]
        links = [entry.get("url") or "" for entry in state.get("entries") or []
                 if any(person.owns(link) for link in entry.get("links") or [])]
        if lists:
            found.append(f"{relay.name} lists them ({lists[0]})")
        elif links:
            found.append(f"{relay.name} linked to them ({links[0]})")
    return found


def reciprocity(person: Person) -> list[str]:
    counts: dict[str, list[str]] = {}
    for item in person.evidence:
        counts.setdefault(item.kind, []).append(item.date or "")
    said = []
    phrases = (
        ("collaborated", "you worked together {n} time(s), last {last}"),
        ("received", "they mentioned you {n} time(s), last {last}"),
        ("sent", "you mentioned them {n} time(s), last {last}"),
        ("lists-me", "their blogroll lists you"),
        ("links-to-me", "their posts linked to you {n} time(s)"),
        ("listed", "you list them in your blogroll"),
    )
    for kind, phrase in phrases:
        if kind in counts:
            dates = sorted(d for d in counts[kind] if d)
            said.append(phrase.format(n=len(counts[kind]), last=dates[-1][:10] if dates else "?"))
    return said


def qualify(proposal: Proposal, person: Person, ledger: Ledger, *, mine: Profile,
            others: list[Profile], their_state: dict, states: dict[str, dict],
            now: datetime) -> Qualification:
    """The qualification of one proposal, from what is known of the person proposing."""
    entries = their_state.get("entries") or []
    card = their_state.get("card") or {}
    theirs = entry_profile(entries, [card.get("note", "")])
    tfidf = Tfidf([mine, *others, theirs])
    closeness = cosine(tfidf.vector(mine), tfidf.vector(theirs))
    terms = shared_terms(tfidf.vector(mine), tfidf.vector(theirs), mine)
    if not theirs:
        affinity = "unknown: nothing of theirs read yet (their site has no feed we could read)"
    elif closeness >= CLOSE and terms:
        affinity = f"close to your work: {', '.join(terms)}"
    elif terms:
        affinity = f"some common ground: {', '.join(terms)}"
    else:
        affinity = "no shared terms between their writing and yours"
    _, last, rhythm, inactive = activity(entries, now, timedelta(days=183))
    if last is None:
        active = "unknown: no dated post found"
    elif inactive:
        active = f"quiet: last post {last.date().isoformat()}"
    else:
        rhythm_text = f", posts every ~{round(rhythm)} days" if rhythm else ""
        active = f"active: last post {last.date().isoformat()}{rhythm_text}"
    relating = relays_relating(person, ledger, states)
    exchanges = reciprocity(person)
    hours = proposal.cost_hours
    cost = (f"about {hours:g} h of your time" if hours is not None else "no estimate yet")
    if proposal.cost_note:
        cost += f" ({proposal.cost_note})"

    points = (2 if closeness >= CLOSE and terms else 1 if terms else 0)
    points += min(len(relating), 2)
    points += any(e.kind in ("received", "lists-me", "links-to-me", "collaborated")
                  for e in person.evidence)
    points += 1 if last and not inactive else -1 if inactive else 0
    points -= 1 if hours is not None and hours > HEAVY_HOURS else 0
    verdict = ("promising" if points >= 4 else "worth a conversation" if points >= 2
               else "think twice")

    good, bad = [], []
    (good if terms else bad).append(f"shares {', '.join(terms[:3])}" if terms
                                    else "no shared terms")
    if relating:
        names = [r.split(" lists them")[0].split(" linked to them")[0] for r in relating]
        good.append(f"known to {len(relating)} of your relays ({', '.join(names[:3])})")
    else:
        bad.append("none of your relays knows them")
    (good if exchanges and any(not e.startswith("you ") for e in exchanges) else bad).append(
        "they already reached out to you" if any(not e.startswith("you ") for e in exchanges)
        else "no exchange from them yet")
    if last:
        (bad if inactive else good).append(active.split(":")[0] if inactive else
                                           f"posts every ~{round(rhythm)} days" if rhythm
                                           else "posted recently")
    why = f"{verdict.capitalize()}: {'; '.join(good) or 'little in favour'}"
    if bad:
        why += f" — but {'; '.join(bad)}"
    why += f"; {cost}."
    reasons = [f"affinity: {affinity}",
               "reciprocity: " + ("; ".join(exchanges) or "nothing yet, either way"),
               "relays: " + ("; ".join(relating) or "none of your relays lists or links to them"),
               f"activity: {active}", f"cost: {cost}"]
    return Qualification(verdict, why, affinity, terms, exchanges, relating, active, cost,
                         reasons)
