"""The shape of one received mention, shared by the receiver, the fetch and the archive.

A mention is a plain dict (it is stored as JSON in git):

    source, target   the pair that identifies it, normalised (`pair_url`): one source and
                     one page are one mention whatever the spelling of their URLs
    type             reply | like | repost | bookmark | mention | rsvp
    url              the mentioning post's permalink (defaults to source)
    author           {"name", "url", "photo"} (each may be None)
    published        ISO 8601 string or None
    name             the mentioning post's title, or None
    content          {"html", "text"} or None
    rsvp             yes | no | maybe | interested, or None
    in_reply_to      the other posts a reply answers besides our target (another reply
                     under our post makes a thread), at most MAX_IN_REPLY_TO, or []
    received         ISO 8601 UTC string (when it was first verified)
    via              "receiver" or "webmention.io"

Every record goes through `clean`, whoever made it (the receiver's parser, a
JF2 item from webmention.io or our receiver, the archive read back): the one
gate for foreign data (relais.foreign) checks each URL (http(s) only, no
quotes, spaces or angle brackets, bounded) and each text (plain, bounded,
never markup) before it is stored, and again when it is read.
"""

from __future__ import annotations

from datetime import UTC, datetime

from relais.plugins.webmentions.incoming.links import normalize_url

from relais import foreign

TYPES = ("reply", "like", "repost", "bookmark", "mention", "rsvp")
RSVP_VALUES = ("yes", "no", "maybe", "interested")
MAX_HTML_CHARS = 100_000      # a reply's HTML, read (then cut down by foreign.html)
MAX_TEXT_CHARS = 20_000       # its text (WEBMENTIONS_MAX_REPLY_LENGTH is at most 20,000)
MAX_IN_REPLY_TO = 10          # the posts one reply answers, kept

# JF2 / webmention.io `wm-property` for each type, and back
PROPERTY_OF_TYPE = {
    "reply": "in-reply-to", "like": "like-of", "repost": "repost-of",
    "bookmark": "bookmark-of", "mention": "mention-of", "rsvp": "rsvp",
}
TYPE_OF_PROPERTY = {prop: kind for kind, prop in PROPERTY_OF_TYPE.items()}

FIELDS = ("source", "target", "type", "url", "author", "published", "name", "content",
          "rsvp", "in_reply_to", "received", "via")


def pair_url(url: str) -> str:
    """A source or target as stored: without its fragment, scheme and host in lower case,
    no default port, '/' for an empty path.

    A fragment names a part of one document, not another resource (RFC 3986 §3.5),
    and a Webmention is about the source and target resources: `…/post/#comments`,
    `…/post/#a` and `…/post/` are one target, so they make one mention.
    """
    return normalize_url(url)


def key(mention: dict) -> tuple[str, str]:
    return (pair_url(mention["source"]), pair_url(mention["target"]))


def normalize_date(value) -> str | None:
    """An ISO 8601 string for a date mf2 or JF2 gave us, or None when it is not a date."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace(" ", "T", 1)
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed.isoformat()


def sort_moment(mention: dict) -> str:
    """A comparable UTC timestamp: published, else received, else the epoch."""
    for field in ("published", "received"):
        value = mention.get(field)
        if value:
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                continue
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            return moment.astimezone(UTC).isoformat()
    return "1970-01-01T00:00:00+00:00"


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def answered(values, target: str) -> list[str]:
    """The URLs a reply answers other than `target`, through the gate, normalised, unique."""
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, list | tuple):
        return []
    own = pair_url(target)
    found = []
    for value in values:
        url = foreign.url(value) if isinstance(value, str) else None
        if url and pair_url(url) != own and pair_url(url) not in found:
            found.append(pair_url(url))
    return found[:MAX_IN_REPLY_TO]


def clean(mention: dict) -> dict:
    """The mention with exactly the known fields, in a stable shape (missing → None), every
    foreign value through the gate. `source` and `target` are the caller's to check: they
    name the mention (foreign.url must accept them)."""
    author = mention.get("author") if isinstance(mention.get("author"), dict) else {}
    content = mention.get("content") if isinstance(mention.get("content"), dict) else {}
    html = foreign.html(str(content.get("html") or "")[:MAX_HTML_CHARS], mention["source"])
    text = foreign.text(content.get("text"), MAX_TEXT_CHARS)
    return {
        **{name: mention.get(name) for name in FIELDS},
        "source": pair_url(mention["source"]),
        "target": pair_url(mention["target"]),
        "url": foreign.url(mention.get("url")) or pair_url(mention["source"]),
        "author": {"name": foreign.text(author.get("name")) or None,
                   "url": foreign.url(author.get("url")),
                   "photo": foreign.url(author.get("photo"))},
        "published": normalize_date(mention.get("published")),
        "received": normalize_date(mention.get("received")),
        "name": foreign.text(mention.get("name")) or None,
        "content": {"html": html, "text": text} if html or text else None,
        "rsvp": mention.get("rsvp") if mention.get("rsvp") in RSVP_VALUES else None,
        "in_reply_to": answered(mention.get("in_reply_to"), mention["target"]),
    }
