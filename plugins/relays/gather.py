"""Gather: the evidence each source holds about the people she relates to, into the ledger.

Pure: takes what the sources hold as plain values (`Sources`, made by `sources.py` from
the owning plugins' functions) and adds to the ledger whatever it does not have yet.
Gathering twice adds nothing; nothing here reads a clock, so the same sources give the
same ledger.

Who becomes a person:
- everyone in the blogroll (she lists them);
- whoever sent her a mention (the author's URL, else the source's site);
- the collaborators credited in her stories;
- a site she sent a Webmention to that accepted it (it has an endpoint: someone who can
  answer); other sent targets only add to people already known (a link to a dictionary
  is not a relationship).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from relais.plugins.relays.ledger import Evidence, Ledger

from relais import foreign

NOT_ANSWERABLE = ("like", "rsvp")  # a like is not a conversation owed an answer


@dataclass
class Creator:
    """One person of her blogroll, with what the blogroll's refresh stored about them."""

    name: str
    site: str
    rel: list[str] = field(default_factory=list)
    card: dict = field(default_factory=dict)  # their h-card: name, url, photo, note
    lists_me: list[str] = field(default_factory=list)  # their blogroll files that list her
    links_to_me: list[dict] = field(default_factory=list)  # {entry, link, date, title}
    last_post: str | None = None
    rhythm_days: float | None = None
    posts: int = 0
    seen: str | None = None  # when the refresh last reached them


@dataclass
class Story:
    title: str
    url: str
    date: str
    series: str = ""
    collaborators: list[tuple[str, str]] = field(default_factory=list)  # (name, URL)


@dataclass
class Sent:
    source: str  # her post
    target: str  # their page
    accepted: bool  # their endpoint took it
    date: str | None = None


@dataclass
class Sources:
    blogroll: list[Creator] = field(default_factory=list)
    received: list[dict] = field(default_factory=list)  # mentions as the archive keeps them
    sent: list[Sent] = field(default_factory=list)
    stories: list[Story] = field(default_factory=list)


def clean_card(card: dict) -> dict:
    """An h-card from another site, through the foreign-data gate: name and note as plain
    text, url and photo as safe http(s) URLs; empty values left out."""
    cleaned = {"name": foreign.text(card.get("name")),
               "note": foreign.text(card.get("note"), foreign.NOTE_CHARS),
               "url": foreign.url(card.get("url")), "photo": foreign.url(card.get("photo"))}
    return {key: value for key, value in cleaned.items() if value}


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/"


def _from_blogroll(ledger: Ledger, creator: Creator) -> int:
    person = ledger.person_for(creator.site, creator.name, "blogroll")
    person.rel = sorted(set(person.rel) | set(creator.rel))
    if creator.card:
        person.card = {**person.card, **clean_card(creator.card)}
    if creator.last_post:
        person.activity = {"last_post": creator.last_post, "rhythm_days": creator.rhythm_days,
                           "posts": creator.posts}
    added = person.add(Evidence("listed", creator.site, None, creator.name, source="blogroll"))
    for source in creator.lists_me:
        added += person.add(Evidence("lists-me", source, creator.seen, source="blogroll"))
    for link in creator.links_to_me:
        added += person.add(Evidence("links-to-me", link["entry"], link.get("date"),
                                     link.get("title", ""), via=link["link"], source="blogroll"))
    return added


def _from_mention(ledger: Ledger, mention: dict) -> int:
    """A received mention: everything in it came from another site and passes the gate."""
    source = foreign.url(mention.get("source"))
    url = foreign.url(mention.get("url")) or source
    if not url:
        return 0
    author = clean_card(mention.get("author") or {})
    site = author.get("url") or origin(url)
    person = ledger.person_for(site, author.get("name") or urlsplit(site).netloc, "mentions")
    if author.get("photo") and not person.card.get("photo"):
        person.card["photo"] = author["photo"]
    content = mention.get("content") or {}
    title = mention.get("name") or (content.get("text") if isinstance(content, dict) else "")
    return person.add(Evidence(
        "received", url, mention.get("published") or mention.get("received"),
        foreign.text(title, 140), via=foreign.url(mention.get("target")) or "",
        what=mention.get("type") or "mention", source="mentions"))


def _from_sent(ledger: Ledger, sent: Sent) -> int:
    person = ledger.find(sent.target)
    if person is None:
        if not sent.accepted:
            return 0
        person = ledger.person_for(origin(sent.target), urlsplit(sent.target).netloc, "sent")
    return person.add(Evidence("sent", sent.target, sent.date, via=sent.source, source="sent"))


def _from_story(ledger: Ledger, story: Story) -> int:
    added = 0
    for name, url in story.collaborators:
        person = ledger.person_for(url, name, "stories")
        added += person.add(Evidence("collaborated", story.url, story.date, story.title,
                                     what=story.series, source="stories"))
    return added


def gather(ledger: Ledger, sources: Sources) -> int:
    """Add to the ledger the people and evidence the sources hold; how many pieces were new."""
    added = 0
    for creator in sources.blogroll:
        added += _from_blogroll(ledger, creator)
    for story in sources.stories:
        added += _from_story(ledger, story)
    for mention in sources.received:
        added += _from_mention(ledger, mention)
    for sent in sources.sent:
        added += _from_sent(ledger, sent)
    return added

