"""Consent before featuring: nobody is shown as a partner on the public site before they said
yes. Pure decisions over the ledger; the CLI writes the request page and the public list.

1. `ask`: she publishes a note that says so ("I would like to feature you as a partner;
   reply to or like this note to agree") and links their site, so that sending the site's
   Webmentions (`relais mentions send`, `relais publish`) asks them where they live.
2. `update`: a reply or a like from their site to that note, once received, is their yes.
3. `confirm`: her own confirmation (they said yes at the market) counts as well.
4. Only then do they count as agreeing (`agreed`); until then the weekly view lists them
   as waiting.
"""

from __future__ import annotations

from relais.plugins.blogroll.model import site_identity
from relais.plugins.relays.ledger import Evidence, Ledger, Person

YES = ("reply", "like")

REQUEST = {
    "fr": ("Une question pour {name}",
           "J'aimerais présenter [{name}]({site}) parmi les partenaires de l'atelier, sur ce "
           "site.\n\n{name}, si tu es d'accord, réponds à cette note ou aime-la depuis ton site "
           "(par Webmention). Sans réponse de ta part, ton nom n'y apparaîtra pas."),
    "en": ("A question for {name}",
           "I would like to feature [{name}]({site}) among the partners of my workshop, on this "
           "site.\n\n{name}, if you agree, reply to this note or like it from your site (by "
           "Webmention). Without an answer from you, your name will not appear there."),
}


def request_text(lang: str, name: str, site: str) -> tuple[str, str]:
    """The title and text of the request note, in the site's language (English otherwise)."""
    title, body = REQUEST.get(lang, REQUEST["en"])
    return title.format(name=name), body.format(name=name, site=site)


def ask(person: Person, page: str, when: str) -> None:
    person.consent = {"asked": when, "page": page, "answer": None, "answered": None,
                      "confirmed": None, "featured": None}
    person.add(Evidence("consent-asked", page, when, source="consent"))


def _same_page(a: str, b: str) -> bool:
    try:
        return site_identity(a) == site_identity(b)
    except ValueError:
        return False


def update(ledger: Ledger) -> int:
    """Record the answers received to pending requests; how many people answered."""
    answered = 0
    for person in ledger.people.values():
        consent = person.consent
        if not consent or consent.get("answer") or not consent.get("page"):
            continue
        for item in person.timeline()[::-1]:
            if (item.kind == "received" and item.what in YES and _same_page(item.via, consent["page"])
                    and (item.date or "") >= (consent.get("asked") or "")):
                consent["answer"], consent["answered"] = item.url, item.date
                person.add(Evidence("consent-answer", item.url, item.date, what=item.what,
                                    via=consent["page"], source="consent"))
                answered += 1
                break
    return answered


def confirm(person: Person, when: str) -> None:
    consent = person.consent or {"asked": None, "page": None, "answer": None, "answered": None,
                                 "featured": None}
    consent["confirmed"] = when
    person.consent = consent
    person.add(Evidence("consent-answer", "", when, what="confirmed by you", source="consent"))


def agreed(person: Person) -> bool:
    consent = person.consent or {}
    return bool(consent.get("answer") or consent.get("confirmed"))


def waiting(ledger: Ledger) -> list[Person]:
    """People asked who have not answered yet, oldest request first."""
    asked = [p for p in ledger.people.values() if p.consent and p.consent.get("asked")
             and not agreed(p)]
    return sorted(asked, key=lambda p: p.consent["asked"])
