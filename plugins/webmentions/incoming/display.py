"""What the theme shows under a post: mentions grouped by kind, people, safe content.

Everything here is made safe before a template sees it: content went
through nh3 with a small allow-list when the archive was read (record.clean,
foreign.html: links made absolute against the source, http(s) only,
`rel="nofollow ugc"`) and is passed on as Markup, long replies become plain
text cut at a word with a link to the original, every outside URL must be
http(s) or is dropped, and avatars are only ever local files (downloaded by
`relais mentions fetch`), never the remote URL a stranger gave us.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar
from urllib.parse import unquote, urlsplit

import nh3
from markupsafe import Markup, escape
from relais.plugins.webmentions.incoming.record import RSVP_VALUES, pair_url, sort_moment

from relais import foreign

DROPPED_WITH_CONTENT = foreign.DROPPED_WITH_CONTENT
FACE_TYPES = ("like", "repost")
LINK_TYPES = ("bookmark", "mention")
COUNT_ORDER = ("reply", "like", "repost", "rsvp", "bookmark", "mention")


def shorten(text: str, limit: int) -> tuple[str, bool]:
    """`text` cut at a word boundary before `limit` characters, and whether it was cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text, False
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return cut.rstrip(" ,;:.!?") + "…", True


@dataclass
class Person:
    name: str
    url: str | None
    avatar: str | None        # path under the site root, or None: show the initial
    initial: str


@dataclass
class Shown:
    type: str
    author: Person
    url: str | None
    published: datetime | None
    name: str | None
    content: Markup | None     # sanitised HTML, or escaped plain text when cut
    truncated: bool
    rsvp: str | None
    source: str = ""
    in_reply_to: tuple[str, ...] = ()  # other posts it answers (normalised URLs)
    thread: list[Shown] = field(default_factory=list)  # the replies that answer this one

    def walk(self):
        """This one, then every reply of its thread, depth first."""
        yield self
        for reply in self.thread:
            yield from reply.walk()


def threaded(replies: list[Shown]) -> list[Shown]:
    """The replies (in date order) as threads: a reply whose `in-reply-to` names an earlier
    reply of the same conversation goes under it; the others stay at the top, in order.
    Only an earlier reply can be a parent, so no chain of replies can loop."""
    by_url: dict[str, Shown] = {}
    top = []
    for reply in replies:
        parent = next((by_url[u] for u in reply.in_reply_to if u in by_url), None)
        (parent.thread if parent else top).append(reply)
        for url in (reply.url, reply.source):
            if url:
                by_url.setdefault(pair_url(url), reply)
    return top


@dataclass
class Conversation:
    faces: dict[str, list[Shown]] = field(default_factory=lambda: {t: [] for t in FACE_TYPES})
    replies: list[Shown] = field(default_factory=list)
    links: list[Shown] = field(default_factory=list)
    # A digest of all it shows, made with it (`sealed`: nothing changes a conversation once
    # made) and kept with it by relais.memo: the page cache digests a post's conversation by
    # it (relais/pagecache.py) instead of pickling thousands of mentions again every build.
    relais_digest: bytes | None = field(default=None, compare=False, repr=False)
    relais_digested: ClassVar[bool] = True

    def sealed(self) -> Conversation:
        """This conversation, its digest made."""
        self.relais_digest = None
        self.relais_digest = hashlib.blake2b(pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL),
                                             digest_size=16).digest()
        return self

    @property
    def counts(self) -> dict[str, int]:
        counts = {t: len(v) for t, v in self.faces.items()}
        every = [r for top in self.replies for r in top.walk()]
        counts["reply"] = sum(1 for r in every if r.type == "reply")
        counts["rsvp"] = sum(1 for r in every if r.type == "rsvp")
        for kind in LINK_TYPES:
            counts[kind] = sum(1 for m in self.links if m.type == kind)
        return counts

    def merged(self, other: Conversation) -> Conversation:
        """Both conversations in one (a post's current and old addresses), in date order."""
        def by_date(shown: list[Shown]) -> list[Shown]:
            return sorted(shown, key=lambda s: (s.published is None, s.published and
                                                s.published.timestamp() or 0))
        both = Conversation(
            faces={k: by_date(self.faces[k] + other.faces[k]) for k in FACE_TYPES},
            replies=by_date(self.replies + other.replies),
            links=by_date(self.links + other.links),
        )
        if self.relais_digest and other.relais_digest:  # made from both, the same way each time
            both.relais_digest = hashlib.blake2b(
                b"merged" + self.relais_digest + other.relais_digest, digest_size=16).digest()
        return both

    @property
    def count_list(self) -> list[tuple[str, int]]:
        """(kind, count) for the kinds present, in the order the theme shows them."""
        counts = self.counts
        return [(k, counts[k]) for k in COUNT_ORDER if counts[k]]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _person(author: dict, fallback_url: str, avatar_of: Callable[[str], str | None]) -> Person:
    url = foreign.url(author.get("url"))
    name = " ".join(str(author.get("name") or "").split())[:80]
    if not name:
        name = urlsplit(url or fallback_url).hostname or "?"
    photo = author.get("photo")
    avatar = avatar_of(photo) if isinstance(photo, str) else None
    return Person(name=name, url=url, avatar=avatar, initial=name[:1].upper())


def _published(mention: dict) -> datetime | None:
    for field_name in ("published", "received"):
        try:
            return datetime.fromisoformat(mention.get(field_name) or "")
        except ValueError:
            continue
    return None


def _content(mention: dict, max_length: int) -> tuple[Markup | None, bool]:
    content = mention.get("content") or {}
    text = content.get("text") or ""
    html = content.get("html") or ""
    if not text and html:
        text = nh3.clean(html, tags=set(), clean_content_tags=DROPPED_WITH_CONTENT)
    if len(" ".join(text.split())) > max_length or not html:
        short, cut = shorten(text, max_length)
        return (Markup(escape(short)) if short else None), cut
    # record.clean cut it down to the allow-list (foreign.html) when the archive was read
    return Markup(html), False


def show(mention: dict, *, max_length: int, avatar_of) -> Shown:
    content, truncated = (None, False)
    if mention["type"] in ("reply", "rsvp", "mention"):
        content, truncated = _content(mention, max_length)
    return Shown(
        type=mention["type"],
        author=_person(mention.get("author") or {}, mention["source"], avatar_of),
        url=foreign.url(mention.get("url")) or foreign.url(mention["source"]),
        published=_published(mention),
        name=" ".join(str(mention.get("name") or "").split())[:200] or None,
        content=content,
        truncated=truncated,
        rsvp=mention.get("rsvp") if mention.get("rsvp") in RSVP_VALUES else None,
        source=mention["source"],
        in_reply_to=tuple(mention.get("in_reply_to") or ()),
    )


def target_path(url: str) -> str:
    """The path a target URL names on our site ('/2026/slug/'), index.html folded."""
    path = unquote(urlsplit(url).path or "/")
    if path.endswith("/index.html"):
        path = path[: -len("index.html")]
    return path


def is_blocked(url: str, blocked: Iterable[str]) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return any(host == d or host.endswith("." + d) for d in blocked)


def conversations(mentions: Iterable[dict], *, domains: Iterable[str], show_types: Iterable[str],
                  blocked: Iterable[str], max_length: int,
                  avatar_of: Callable[[str], str | None]) -> dict[str, Conversation]:
    """Mentions grouped by the path of their target, each group ready for the template.

    `mentions` are records as `archive.load` gives them: through record.clean, so their URLs,
    texts and HTML passed the gate for foreign data (relais.foreign)."""
    domains = {d.lower() for d in domains}
    show_types = set(show_types)
    blocked = [d.lower().strip(".") for d in blocked]
    grouped: dict[str, list[dict]] = {}
    for mention in mentions:
        if mention["type"] not in show_types:
            continue
        if blocked and is_blocked(mention["source"], blocked):
            continue
        target = urlsplit(mention["target"])
        if domains and target.netloc.lower() not in domains \
                and (target.hostname or "").lower() not in domains:
            continue
        grouped.setdefault(target_path(mention["target"]), []).append(mention)
    result = {}
    for path, group in grouped.items():
        conversation = Conversation()
        for mention in sorted(group, key=lambda m: (sort_moment(m), m["source"])):
            shown = show(mention, max_length=max_length, avatar_of=avatar_of)
            if shown.type in FACE_TYPES:
                conversation.faces[shown.type].append(shown)
            elif shown.type in ("reply", "rsvp"):
                conversation.replies.append(shown)
            else:
                conversation.links.append(shown)
        conversation.replies = threaded(conversation.replies)
        result[path] = conversation.sealed()
    return result
