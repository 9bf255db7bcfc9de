"""JSON Feed 1.1 (https://jsonfeed.org/version/1.1) from a `Feed`: feedgen does not write it."""

from __future__ import annotations

import json
from typing import Any

from relais.plugins.feeds.model import Feed, Person, Post

from relais.i18n import bcp47

VERSION = "https://jsonfeed.org/version/1.1"


def _person(person: Person) -> dict[str, str]:
    return {"name": person.name, **({"url": person.url} if person.url else {})}


def _item(post: Post) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": post.id,
        "url": post.url,
        "title": post.title,
        "content_html": post.content,
    }
    if post.summary:
        item["summary"] = post.summary
    if post.image:
        item["image"] = post.image.url
    item["date_published"] = post.published.isoformat()
    item["date_modified"] = post.updated.isoformat()
    if post.authors:
        item["authors"] = [_person(p) for p in post.authors]
    if post.tags:
        item["tags"] = list(post.tags)
    item["language"] = bcp47(post.lang)
    item["_relais"] = {"kind": post.kind}
    return item


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


class JsonWriter:
    """Writes JSON Feed documents; each post's item is written once and its text reused in
    every feed that holds it (the same text as `json.dumps` of the whole document: an item is
    a list element at depth 2, and JSON strings hold no line break, so its lines are indented
    by 4 spaces more)."""

    def __init__(self):
        self._items: dict[int, tuple[Post, str]] = {}

    def _item_text(self, post: Post) -> str:
        known = self._items.get(id(post))
        if known is None or known[0] is not post:
            text = "\n".join(f"    {line}" for line in _dumps(_item(post)).split("\n"))
            known = self._items[id(post)] = (post, text)
        return known[1]

    def json(self, feed: Feed) -> bytes:
        document: dict[str, Any] = {
            "version": VERSION,
            "title": feed.title,
            "home_page_url": feed.home_url,
            "feed_url": feed.self_url,
        }
        if feed.subtitle:
            document["description"] = feed.subtitle
        document["language"] = feed.lang
        if feed.authors:
            document["authors"] = [_person(p) for p in feed.authors]
        if feed.hub:
            document["hubs"] = [{"type": "WebSub", "url": feed.hub}]
        document["items"] = []  # last: its text is put in below
        text = _dumps(document)
        if feed.posts:
            empty = '"items": []\n}'
            if not text.endswith(empty):
                raise RuntimeError(f"a JSON Feed document that does not end with {empty!r}")
            items = ",\n".join(self._item_text(post) for post in feed.posts)
            text = f'{text[:-len(empty)]}"items": [\n{items}\n  ]\n}}'
        return (text + "\n").encode("utf-8")


def json_feed(feed: Feed) -> bytes:
    return JsonWriter().json(feed)
