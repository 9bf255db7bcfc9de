"""The actor's documents, pure functions of the Config and the public key: the actor (a Person
or Service with the owner's h-card as its profile), WebFinger's answer, and the empty
collections it points at."""

from __future__ import annotations

from html import escape
from urllib.parse import urlsplit

from relais.plugins.fediverse.config import Config

ACTIVITY_JSON = "application/activity+json"
# The two contexts by URL (as Mastodon writes them), and the terms we use from them again
# inline: a peer that cannot fetch w3id.org (offline, or refusing remote contexts) still reads
# the public key and the profile fields when it processes the actor as JSON-LD.
CONTEXT = ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1",
           {"sec": "https://w3id.org/security#",
            "publicKey": {"@id": "sec:publicKey", "@type": "@id"},
            "publicKeyPem": "sec:publicKeyPem",
            "owner": {"@id": "sec:owner", "@type": "@id"},
            "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
            "toot": "http://joinmastodon.org/ns#", "discoverable": "toot:discoverable",
            "PropertyValue": "schema:PropertyValue", "schema": "http://schema.org#",
            "value": "schema:value"}]


def rel_me_field(label: str, url: str) -> dict:
    """A profile field as Mastodon shows it: a rel=me link (Mastodon verifies it both ways)."""
    shown = url.split("://", 1)[-1].rstrip("/")
    return {"type": "PropertyValue", "name": label,
            "value": f'<a href="{escape(url)}" rel="me nofollow noopener" target="_blank">'
                     f"{escape(shown)}</a>"}


def actor(config: Config, public_key_pem: str) -> dict:
    document = {
        "@context": CONTEXT,
        "id": config.actor,
        "type": config.actor_type,
        "preferredUsername": config.handle,
        "name": config.name,
        "summary": f"<p>{escape(config.note)}</p>" if config.note else "",
        "url": (config.site_url or config.server) + "/",
        "inbox": f"{config.actor}/inbox",
        "outbox": f"{config.actor}/outbox",
        "followers": f"{config.actor}/followers",
        "following": f"{config.actor}/following",
        "endpoints": {"sharedInbox": f"{config.server}/inbox"},
        "manuallyApprovesFollowers": False,
        "discoverable": True,
        "attachment": [rel_me_field(label, url) for label, url in config.rel_me],
        "publicKey": {"id": config.key_id, "owner": config.actor, "publicKeyPem": public_key_pem},
    }
    if config.photo:
        document["icon"] = {"type": "Image", "url": config.photo}
    return document


def webfinger(config: Config) -> dict:
    return {
        "subject": config.account,
        "aliases": [config.actor],
        "links": [
            {"rel": "self", "type": ACTIVITY_JSON, "href": config.actor},
            {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html",
             "href": (config.site_url or config.server) + "/"},
        ],
    }


def resource_matches(config: Config, resource: str) -> bool:
    """Whether a WebFinger `resource` names our actor (acct:, with or without the scheme, or
    the actor's URL). On the receiver's host, `handle@that host` names it too: when the
    account is on the site's domain, Mastodon checks the actor's own host that way, and the
    answer's `subject` gives it the account."""
    wanted = resource.strip().lower()
    names = {config.account.lower(), f"acct:{config.handle}@{urlsplit(config.server).netloc}"}
    return wanted in names | {name[5:] for name in names} or resource.strip() == config.actor


def collection(url: str, total: int, items: list | None = None) -> dict:
    document = {"@context": "https://www.w3.org/ns/activitystreams", "id": url,
                "type": "OrderedCollection", "totalItems": total}
    if items is not None:
        document["orderedItems"] = items
    return document
