"""The ledger: one record per person or small business, with a timeline of evidence, private
notes, a stage, proposals and consent. One JSON file, written atomically (relais.store).

Shape (sorted keys, so that a backup diffs well):

    {"version": 1, "about": "...",
     "people": {KEY: {"name", "sites": [URL...], "card": {name, url, photo, note},
                      "rel": [XFN...], "stage", "stage_since", "origin",
                      "notes": [{"date", "text"}], "answered": [URL...],
                      "activity": {"last_post", "rhythm_days", "posts"},
                      "consent": {"asked", "page", "answer", "answered", "confirmed"} | null,
                      "evidence": [{"kind", "url", "date", "title", "via", "what", "source"}]}},
     "proposals": [{"id", "person", "kind", "summary", "date", "status", "next",
                    "cost_hours", "cost_note", "evidence": [URL...]}]}

A person's KEY is the identity of their first site (`host/path`, as the blogroll compares
sites), or `hand:<slug>` for someone added without a site. Evidence is never dropped by a
gather: what was once seen stays in the timeline, even if the source later forgets it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from relais.plugins.blogroll.model import belongs_to, site_identity
from relais.plugins.relays.config import STAGES, slug

from relais.store import StoreError, read_json, write_json

VERSION = 1
PROPOSAL_KINDS = ("stock-mine", "stock-theirs", "media", "collaboration", "event")
PROPOSAL_STATUSES = ("open", "accepted", "declined", "done")

# evidence kinds, and how the timeline says them
KINDS = {
    "listed": "in your blogroll",
    "lists-me": "their blogroll lists you",
    "links-to-me": "their post links to you",
    "received": "they sent you a {what}",
    "sent": "you mentioned them",
    "collaborated": "you worked together",
    "discovered": "found through discovery",
    "met": "added by hand",
    "proposal": "proposal",
    "consent-asked": "asked to feature them",
    "consent-answer": "they agreed to be featured",
}


class LedgerError(Exception):
    """The ledger file cannot be used; one line naming the file and the field."""


@dataclass
class Evidence:
    kind: str
    url: str = ""
    date: str | None = None  # ISO 8601 date or time
    title: str = ""
    via: str = ""  # the other end: my page they reacted to, the relay who lists them…
    what: str = ""  # the kind of mention (reply, like…), the proposal's kind…
    source: str = ""  # the source that gathered it: blogroll, mentions, sent, stories…

    @property
    def id(self) -> tuple[str, str, str, str]:
        return (self.kind, self.url, self.via, self.what)

    def phrase(self) -> str:
        return KINDS.get(self.kind, self.kind).format(what=self.what or "mention")


@dataclass
class Person:
    key: str
    name: str
    sites: list[str] = field(default_factory=list)
    card: dict = field(default_factory=dict)
    rel: list[str] = field(default_factory=list)
    stage: str = "known"
    stage_since: str | None = None
    origin: str = ""
    notes: list[dict] = field(default_factory=list)
    answered: list[str] = field(default_factory=list)  # mentions she marked as answered
    activity: dict = field(default_factory=dict)
    consent: dict | None = None
    evidence: list[Evidence] = field(default_factory=list)

    def add(self, item: Evidence) -> bool:
        """Add a piece of evidence unless the timeline has it; True when added."""
        ids = self.__dict__.get("_ids")
        if ids is None or len(ids) != len(self.evidence):
            ids = self.__dict__["_ids"] = {e.id for e in self.evidence}
        if item.id in ids:
            return False
        self.evidence.append(item)
        ids.add(item.id)
        return True

    def timeline(self) -> list[Evidence]:
        """Newest first; undated evidence (a blogroll entry) last."""
        return sorted(self.evidence, key=lambda e: (e.date or "", e.kind), reverse=True)

    def owns(self, url: str) -> bool:
        return any(belongs_to(url, site) for site in self.sites)

    def to_json(self) -> dict:
        value = asdict(self)
        del value["key"]
        value["evidence"] = sorted(
            (asdict(e) for e in self.evidence),
            key=lambda e: (e["date"] or "", e["kind"], e["url"], e["via"], e["what"]),
        )
        return value


@dataclass
class Proposal:
    id: int
    person: str
    kind: str
    summary: str
    date: str
    status: str = "open"
    next: str = ""
    cost_hours: float | None = None
    cost_note: str = ""
    evidence: list[str] = field(default_factory=list)


@dataclass
class Ledger:
    people: dict[str, Person] = field(default_factory=dict)
    proposals: list[Proposal] = field(default_factory=list)
    about: str = ""

    def find(self, url: str) -> Person | None:
        """The person one of whose sites holds `url` (the most specific site wins)."""
        index = self.__dict__.get("_sites")
        if index is None or index[0] != sum(len(p.sites) for p in self.people.values()):
            index = self.__dict__["_sites"] = (
                sum(len(p.sites) for p in self.people.values()),
                {site_identity(s): key for key, p in self.people.items() for s in p.sites},
            )
        try:
            identity = site_identity(url)
        except ValueError:
            return None
        while identity:
            if identity in index[1]:
                return self.people.get(index[1][identity])
            identity = identity.rpartition("/")[0]
        return None

    def lookup(self, who: str) -> Person | None:
        """A person by key, by a URL on one of their sites, or by name (case-insensitive)."""
        if who in self.people:
            return self.people[who]
        if who.startswith(("http://", "https://")):
            return self.find(who)
        named = [p for p in self.people.values() if p.name.lower() == who.strip().lower()]
        return named[0] if len(named) == 1 else None

    def person_for(self, site: str | None, name: str, origin: str) -> Person:
        """The person at `site` (or named `name` when there is no site), created if new."""
        found = self.find(site) if site else self.lookup(name)
        if found:
            if site and not any(site_identity(s) == site_identity(site) for s in found.sites):
                found.sites.append(site)
            return found
        key = site_identity(site) if site else f"hand:{slug(name) or 'someone'}"
        person = Person(key=key, name=name or site or key, sites=[site] if site else [],
                        origin=origin)
        self.people[key] = person
        return person

    def open_proposals(self) -> list[Proposal]:
        return [p for p in self.proposals if p.status == "open"]

    def to_json(self) -> dict:
        return {
            "version": VERSION,
            "about": self.about,
            "people": {key: p.to_json() for key, p in sorted(self.people.items())},
            "proposals": [asdict(p) for p in sorted(self.proposals, key=lambda p: p.id)],
        }


# --- reading, checked -----------------------------------------------------------------------


def _evidence(where: str, value) -> Evidence:
    if not isinstance(value, dict) or not isinstance(value.get("kind"), str):
        raise LedgerError(f"{where}: expected an object with a 'kind'")
    known = {k: value[k] for k in ("kind", "url", "date", "title", "via", "what", "source")
             if k in value}
    for name, item in known.items():
        if item is not None and not isinstance(item, str):
            raise LedgerError(f"{where}.{name}: must be text")
    return Evidence(**known)


def _person(where: str, key: str, value) -> Person:
    if not isinstance(value, dict):
        raise LedgerError(f"{where}: expected an object")
    stage = value.get("stage", "known")
    if stage not in STAGES:
        raise LedgerError(f"{where}.stage: {stage!r} is not one of {', '.join(STAGES)}")
    lists = {name: value.get(name) or [] for name in ("sites", "rel", "notes", "answered",
                                                       "evidence")}
    for name, items in lists.items():
        if not isinstance(items, list):
            raise LedgerError(f"{where}.{name}: must be a list")
    for index, note in enumerate(lists["notes"]):
        if not isinstance(note, dict) or not isinstance(note.get("text"), str):
            raise LedgerError(f"{where}.notes[{index}]: expected {{date, text}}")
    for name in ("card", "activity"):
        if not isinstance(value.get(name) or {}, dict):
            raise LedgerError(f"{where}.{name}: must be an object")
    consent = value.get("consent")
    if consent is not None and not isinstance(consent, dict):
        raise LedgerError(f"{where}.consent: must be an object or null")
    return Person(
        key=key,
        name=str(value.get("name") or key),
        sites=[str(s) for s in lists["sites"]],
        card=dict(value.get("card") or {}),
        rel=[str(r) for r in lists["rel"]],
        stage=stage,
        stage_since=value.get("stage_since"),
        origin=str(value.get("origin") or ""),
        notes=lists["notes"],
        answered=[str(a) for a in lists["answered"]],
        activity=dict(value.get("activity") or {}),
        consent=consent,
        evidence=[_evidence(f"{where}.evidence[{i}]", e) for i, e in enumerate(lists["evidence"])],
    )


def _proposal(where: str, value) -> Proposal:
    if not isinstance(value, dict):
        raise LedgerError(f"{where}: expected an object")
    try:
        proposal = Proposal(**{k: v for k, v in value.items()
                               if k in Proposal.__dataclass_fields__})
    except TypeError:
        raise LedgerError(f"{where}: needs id, person, kind, summary and date") from None
    if proposal.kind not in PROPOSAL_KINDS:
        raise LedgerError(f"{where}.kind: {proposal.kind!r} is not one of "
                          f"{', '.join(PROPOSAL_KINDS)}")
    if proposal.status not in PROPOSAL_STATUSES:
        raise LedgerError(f"{where}.status: {proposal.status!r} is not one of "
                          f"{', '.join(PROPOSAL_STATUSES)}")
    return proposal


def from_json(data, where: str) -> Ledger:
    if not isinstance(data, dict) or not isinstance(data.get("people", {}), dict):
        raise LedgerError(f"{where}: not a relays ledger (expected an object with 'people')")
    if data.get("version", VERSION) != VERSION:
        raise LedgerError(f"{where}: version {data.get('version')!r}, this Relais reads "
                          f"version {VERSION}; upgrade Relais")
    if not isinstance(data.get("proposals", []), list):
        raise LedgerError(f"{where}: proposals: must be a list")
    people = {key: _person(f"{where}: people.{key}", key, value)
              for key, value in data.get("people", {}).items()}
    proposals = [_proposal(f"{where}: proposals[{i}]", p)
                 for i, p in enumerate(data.get("proposals", []))]
    for proposal in proposals:
        if proposal.person not in people:
            raise LedgerError(f"{where}: proposals[{proposal.id}].person: no person "
                              f"{proposal.person!r} in the ledger")
    return Ledger(people, proposals, str(data.get("about") or ""))


def load(path: Path) -> Ledger:
    """The ledger at `path` (empty when there is none yet); LedgerError when it is unusable."""
    try:
        data = read_json(path, default={"version": VERSION, "people": {}, "proposals": []})
    except StoreError as error:
        raise LedgerError(str(error)) from None
    return from_json(data, str(path))


def save(path: Path, ledger: Ledger) -> bool:
    """Write the ledger atomically when it changed (private: owner-only permissions)."""
    value = ledger.to_json()
    path = Path(path)
    try:
        if read_json(path) == value:
            return False
    except StoreError:
        raise LedgerError(f"{path}: not valid JSON; it was left as it is (fix or move it)") from None
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_json(path, value)
    path.chmod(0o600)
    return True


def merge(ledger: Ledger, other: Ledger) -> int:
    """Bring `other` (an imported file) into `ledger` without losing anything: people and
    evidence are united, notes and answered mentions added, proposals kept by id; where both
    set a stage, the later `stage_since` wins. Returns how many things were added."""
    added = 0
    for key, theirs in other.people.items():
        mine = ledger.people.get(key)
        if mine is None:
            ledger.people[key] = theirs
            added += 1 + len(theirs.evidence)
            continue
        for item in theirs.evidence:
            added += mine.add(item)
        for note in theirs.notes:
            if note not in mine.notes:
                mine.notes.append(note)
                added += 1
        for url in theirs.answered:
            if url not in mine.answered:
                mine.answered.append(url)
                added += 1
        for site in theirs.sites:
            if site not in mine.sites:
                mine.sites.append(site)
        if (theirs.stage_since or "") > (mine.stage_since or ""):
            mine.stage, mine.stage_since = theirs.stage, theirs.stage_since
        mine.consent = mine.consent or theirs.consent
    known = {p.id for p in ledger.proposals}
    for proposal in other.proposals:
        if proposal.id not in known:
            ledger.proposals.append(proposal)
            added += 1
    return added
