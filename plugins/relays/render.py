"""Render the weekly view, a person, the reach and a qualification: as plain text for the
terminal and as HTML for the private page (Jinja2, autoescaped; no JavaScript).

What comes from other sites (names, titles, excerpts) is printed through `printable`:
no escape sequences or other control characters reach her terminal.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from relais.plugins.relays.ledger import Evidence, Person
from relais.plugins.relays.qualify import Qualification
from relais.plugins.relays.reach import Reach
from relais.plugins.relays.weekly import Weekly

from relais import foreign

TEMPLATES = Path(__file__).parent / "templates"


def printable(value) -> str:
    """Text for the terminal and the page: no control characters (the foreign-data gate)."""
    return foreign.printable(value or "")


def href(value) -> str:
    """A link target for the page: only safe absolute http(s) URLs (never `javascript:`)."""
    return foreign.url(value) or ""


def day(value: str | None) -> str:
    return (value or "")[:10] or "undated"


def quote(text: str, limit: int = 80) -> str:
    text = " ".join(printable(text).split())
    return f"“{text[:limit - 1]}…”" if len(text) > limit else f"“{text}”" if text else ""


def describe(item: Evidence) -> str:
    """One line of a timeline: date, what happened, where it can be seen."""
    words = [day(item.date), printable(item.phrase())]
    if item.kind == "received" and item.via:
        words.append(f"on {printable(item.via)}")
    if item.kind == "collaborated" and item.what:
        words.append(f"(series {printable(item.what)})")
    if item.title:
        words.append(quote(item.title))
    if item.url:
        words.append(f"<{printable(item.url)}>")
    return " ".join(w for w in words if w)


def weekly_text(view: Weekly, ledger_path: str = "") -> str:
    lines = [f"Your relays, week of {view.now.date().isoformat()} "
             f"({view.people} people, {view.evidence} pieces of evidence)"]
    if ledger_path:
        lines.append(f"Ledger: {ledger_path}")

    def section(title: str, rows: list[str], empty: str) -> None:
        lines.extend(["", title])
        lines.extend(rows or [f"  {empty}"])

    section("To thank: mentions you have not answered", [
        f"  {printable(t.person.name)}: {m.what} on {day(m.date)} to {printable(m.via)} "
        f"{quote(m.title)}\n      {printable(m.url)}"
        for t in view.thank for m in t.mentions], "nobody is waiting for an answer")
    section("Gone quiet", [
        f"  {printable(q.person.name)}: last sign {q.last} ({q.days} days ago)"
        for q in view.quiet], "nobody")
    section("New around your relays", [
        f"  {printable(n.person.name)}: first seen {day(n.first.date)}, {printable(n.first.phrase())}"
        for n in view.newcomers] + [
        f"  {printable(r.name)} <{printable(r.site)}>: through {', '.join(map(printable, r.relays))}"
        for r in view.around], "nobody new")
    section("Open proposals", [
        f"  #{s.proposal.id} {printable(s.person.name)}, {s.proposal.kind}: "
        f"{quote(s.proposal.summary)}\n      next: {printable(s.next)}"
        for s in view.steps], "none")
    section("Waiting for their consent to be featured", [
        f"  {printable(p.name)}: asked {day(p.consent.get('asked'))} "
        f"<{printable(p.consent.get('page'))}>" for p in view.consent], "nobody")
    return "\n".join(lines) + "\n"


def person_text(person: Person) -> str:
    lines = [f"{printable(person.name)} [{person.stage}]",
             *(f"  site: {printable(s)}" for s in person.sites)]
    if person.rel:
        lines.append(f"  XFN: {' '.join(person.rel)}")
    if person.card.get("note"):
        lines.append(f"  h-card: {quote(person.card['note'], 120)}")
    for note in person.notes:
        lines.append(f"  note {day(note.get('date'))}: {printable(note['text'])}")
    lines.append("  timeline:")
    lines.extend(f"    {describe(item)}" for item in person.timeline())
    return "\n".join(lines) + "\n"


def reach_text(reach: Reach) -> str:
    lines = [f"Your {len(reach.relays)} closest relays lead to {len(reach.reached)} people "
             "you do not know yet:"]
    table = reach.by_relay()
    for relay in reach.relays:
        name = relay.person.name
        why = ", ".join(relay.reasons) or "in your ledger"
        lines.append(f"  {printable(name)} ({why}): {len(table.get(name, []))} people")
    for person in reach.reached:
        lines.append(f"  {printable(person.name)} <{printable(person.site)}>")
        for path in person.paths:
            lines.append(f"      {printable(path.relay)} {path.how}: {printable(path.source)}")
    if reach.unread:
        lines.append("Not read yet (run `relais relays reach --fetch`): "
                     + ", ".join(map(printable, reach.unread)))
    return "\n".join(lines) + "\n"


def qualification_text(number: int, name: str, q: Qualification) -> str:
    lines = [f"Proposal #{number} from {printable(name)}: {q.verdict}", f"  why: {printable(q.why)}"]
    lines.extend(f"  {printable(reason)}" for reason in q.reasons)
    return "\n".join(lines) + "\n"


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)),
                      autoescape=select_autoescape(default=True, default_for_string=True))
    env.filters["day"] = day
    env.filters["printable"] = printable
    env.filters["href"] = href
    return env


def page(template: str, **context) -> str:
    return environment().get_template(template).render(**context)
