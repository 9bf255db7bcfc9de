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


def json_feed(feed: Feed) -> bytes:
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
    document["items"] = [_item(p) for p in feed.posts]
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
