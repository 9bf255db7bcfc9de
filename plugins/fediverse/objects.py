"""The site's posts as ActivityPub objects, and the list of them the build hands to delivery.

Pure functions. A story becomes an `Article` (name, summary, cover as an image attachment, the
page as `url`), a note or a reply a `Note` (a reply with `inReplyTo`); likes, reposts and
bookmarks stay on the site (their targets hear of them by Webmention). The content is the
post's HTML with every link made absolute and cut down to what fediverse servers show
(`clean_html`); `contentMap` tags it with the post's language. Everything is addressed to the
public, with a copy to the followers.

Each object's id is stable, derived from the post's address: `SERVER/objects/<the post's path
under SITEURL>`, on the actor's own host (Mastodon takes a Create only for an object of the
actor's origin), where the receiver serves it.

The build writes the list (`write_list`) at the root of the output as `relais-fediverse.json`:

    {"version": 1, "actor": ACTOR, "site_url": SITEURL,
     "posts": [{"url": the page, "digest": sha256 of the object, "object": {...}}, ...]}

`relais fediverse deliver` and `relais publish` read it there (`read_list`), so delivery needs
no build of its own and can run wherever the built site and the receiver's database are.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from relais.plugins.fediverse.config import Config
from relais.plugins.feeds.urls import absolutize

from relais import foreign
from relais.store import StoreError, read_json, write_json

LIST_NAME = "relais-fediverse.json"
VERSION = 1
CONTEXT = "https://www.w3.org/ns/activitystreams"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
DELIVERED_KINDS = ("story", "note", "reply")
# what Mastodon and its peers keep of a post's HTML (they clean it again on their side)
TAGS = {"p", "br", "a", "span", "em", "strong", "b", "i", "u", "s", "del", "blockquote", "code",
        "pre", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "sup", "sub", "abbr"}
DROPPED_WITH_CONTENT = {"script", "style", "svg", "math", "iframe", "object", "template",
                        "noscript", "textarea", "title", "form"}


@dataclass(frozen=True)
class PostFacts:
    """What the build knows of one post, in plain values (the glue makes them)."""

    url: str                 # the page, absolute
    kind: str                # story, note, reply (others are not delivered)
    title: str
    summary: str             # HTML
    content: str             # HTML, as rendered
    lang: str                # BCP 47
    published: str           # ISO 8601, UTC, seconds
    updated: str | None = None
    cover: str | None = None        # absolute URL
    cover_type: str | None = None
    cover_alt: str = ""
    in_reply_to: str | None = None


def object_id(config: Config, url: str) -> str:
    """The object's id for the post at `url`: its path under SITEURL, on the actor's host."""
    base = urlsplit(config.site_url).path.rstrip("/")
    path = urlsplit(url).path
    if base and path.startswith(base + "/"):
        path = path[len(base):]
    path = path.strip("/")
    if path.endswith("/index.html"):
        path = path[: -len("/index.html")]
    return f"{config.server}/objects/{path or 'index'}"


def clean_html(html: str, page: str) -> str:
    """The post's HTML with absolute links, cut down to the tags fediverse servers show
    (scripts, styles and frames dropped with what they hold; no attribute but an http(s)
    `href`)."""
    import nh3  # here: the build's other modules never need it

    def keep(tag, attribute, found):
        return foreign.url(found) if attribute == "href" else found

    return nh3.clean(absolutize(html or "", page), tags=TAGS, attributes={"a": {"href"}},
                     clean_content_tags=DROPPED_WITH_CONTENT, attribute_filter=keep,
                     url_schemes={"http", "https"}, link_rel=None, strip_comments=True).strip()


def as_object(config: Config, post: PostFacts) -> dict:
    """The post as an ActivityStreams object (without `@context`, which activities carry)."""
    content = clean_html(post.content, post.url)
    document = {
        "id": object_id(config, post.url),
        "type": "Article" if post.kind == "story" else "Note",
        "attributedTo": config.actor,
        "url": post.url,
        "content": content,
        "published": post.published,
        "to": [PUBLIC],
        "cc": [f"{config.actor}/followers"],
    }
    if post.lang:
        document["contentMap"] = {post.lang: content}
    if post.updated and post.updated != post.published:
        document["updated"] = post.updated
    if post.kind == "story":
        document["name"] = post.title
        if post.summary:
            document["summary"] = clean_html(post.summary, post.url)
        if post.cover:
            image = {"type": "Image", "url": post.cover}
            if post.cover_type:
                image["mediaType"] = post.cover_type
            if post.cover_alt:
                image["name"] = post.cover_alt
            document["attachment"] = [image]
            document["image"] = image
    if post.in_reply_to:
        document["inReplyTo"] = post.in_reply_to
    return document


def digest(document: dict) -> str:
    """What says whether a post changed: its object, `updated` left out."""
    body = {key: value for key, value in document.items() if key != "updated"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


# --- the list the build writes ----------------------------------------------------------


def write_list(output: Path, config: Config, posts: Iterable[PostFacts]) -> Path:
    """Write the post list at the root of the output, atomically; returns its path."""
    entries = []
    for post in sorted(posts, key=lambda p: (p.published, p.url)):
        if post.kind in DELIVERED_KINDS:
            document = as_object(config, post)
            entries.append({"url": post.url, "digest": digest(document), "object": document})
    path = Path(output) / LIST_NAME
    write_json(path, {"version": VERSION, "actor": config.actor, "site_url": config.site_url,
                      "posts": entries})
    return path


@dataclass(frozen=True)
class SitePost:
    url: str
    object_id: str
    digest: str
    object: dict


@dataclass(frozen=True)
class PostList:
    actor: str
    site_url: str
    posts: list[SitePost]


class ListError(ValueError):
    """The post list is missing or is not one; the message names the file and the field."""


def read_list(folder: Path) -> PostList:
    path = Path(folder) / LIST_NAME
    try:
        found = read_json(path)
    except StoreError as error:
        raise ListError(str(error)) from None
    if found is None:
        raise ListError(f"{path}: no such file: build the site with FEDIVERSE_HANDLE set "
                        "(`relais build -s publishconf.py`) first")
    if not isinstance(found, dict) or not isinstance(found.get("posts"), list) \
            or not isinstance(found.get("actor"), str):
        raise ListError(f"{path}: not a fediverse post list (expected an object with "
                        "'actor' and 'posts')")
    posts = []
    for index, entry in enumerate(found["posts"]):
        document = entry.get("object") if isinstance(entry, dict) else None
        if not isinstance(document, dict) or not isinstance(document.get("id"), str) \
                or not isinstance(entry.get("url"), str) or not isinstance(entry.get("digest"), str):
            raise ListError(f"{path}: posts[{index}]: expected url, digest and an object "
                            "with an id")
        posts.append(SitePost(entry["url"], document["id"], entry["digest"], document))
    return PostList(found["actor"], str(found.get("site_url") or ""), posts)
