"""A Pelican plugin for the hostile-data suite: hostile values in every foreign field the
templates show, as if the gate (relais.foreign) had let them through.

Loaded last, after Relais filled the context, it replaces the blogroll's
view and a post's conversation with values that would break out of a text
node or an attribute. Only the templates' escaping stands between them and
the reader, so a template that prints one of them raw fails the suite. Each
value carries a benign marker (`benign-<field>`) that must still be shown.
URL fields get a quote break-out, not a `javascript:` scheme: refusing
schemes is the gate's work, escaping is the templates'.
"""

from __future__ import annotations

from datetime import datetime

from pelican import signals
from relais.plugins.blogroll.render import BlogrollView, Entry, Member
from relais.plugins.webmentions.incoming.display import Conversation, Person, Shown

BREAK = "\"'><script>alert('{0}')</script><img src=x onerror=alert('{0}')>"
WHEN = datetime(2026, 11, 1, 10, 0)


def text(field: str) -> str:
    return f"benign-{field} " + BREAK.format(field)


def url(field: str) -> str:
    return f"https://x.example/{field}" + BREAK.format(field)


def register():
    signals.all_generators_finalized.connect(inject)


def person(field: str) -> Person:
    return Person(name=text(f"{field}-name"), url=url(f"{field}-url"),
                  avatar=url(f"{field}-avatar"), initial=BREAK.format(f"{field}-initial"))


def shown(kind: str) -> Shown:
    return Shown(type=kind, author=person(kind), url=url(f"{kind}-permalink"), published=WHEN,
                 name=text(f"{kind}-title"), content=None, truncated=True,
                 rsvp=BREAK.format("rsvp") if kind == "rsvp" else None)


def inject(generators):
    latest = Entry(title=text("entry-title"), url=url("entry-url"), date=WHEN,
                   summary=text("entry-summary"), creator=text("entry-creator"),
                   site=url("entry-site"))
    member = Member(name=text("member-name"), site=url("member-site"), note=text("member-note"),
                    interests=[text("member-interest")], groups=[text("member-group")],
                    rel="friend", feed=url("member-feed"), photo=url("member-photo"),
                    latest=latest, active=True)
    view = BlogrollView(active=[member], inactive=[], recent=[latest], refreshed=WHEN)
    conversation = Conversation(
        faces={"like": [shown("like")], "repost": [shown("repost")]},
        replies=[shown("reply"), shown("rsvp")],
        links=[shown("mention"), shown("bookmark")],
    )
    for generator in generators:
        if "blogroll" in generator.context:
            generator.context.update(blogroll=view, blogroll_recent=view.recent)
        for article in getattr(generator, "articles", ()):
            article.mentions = conversation
