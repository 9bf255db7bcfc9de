"""Entry ids: what makes a feed reader see a post as one it already has. Pure.

Three schemes (FEEDS_ID_AUTHORITY): the permalink; a `tag:` URI from a fixed
authority, which survives a change of domain or URL pattern; or Pelican's own
`tag:` ids, kept so that a site adopting Relais does not re-announce its
whole archive to every subscriber.
"""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urljoin, urlsplit

PELICAN = "pelican"


def pelican_id(site_url: str, url: str, published: date) -> str:
    """The id Pelican 4's feed writer gives an entry: `tag:HOST,YYYY-MM-DD:/PATH` from the
    permalink (SITEURL joined with the post's URL) and the post's own date."""
    parts = urlsplit(urljoin(site_url.rstrip("/") + "/", url))
    fragment = f"/{parts.fragment}" if parts.fragment else ""
    return f"tag:{parts.hostname},{published:%Y-%m-%d}:{parts.path}{fragment}"


def entry_id(authority: str | None, *, permalink: str, site_url: str, url: str, lang: str,
             slug: str, published: date) -> str:
    if authority == PELICAN:
        return pelican_id(site_url, url, published)
    if authority:
        return f"tag:{authority}:{lang}/{slug}"
    return permalink


def rss_guid(authority: str | None, *, post_id: str, permalink: str, published: date,
             permalink_until: date | None = None) -> tuple[str, bool]:
    """The RSS `<guid>` and whether it is the permalink (`isPermaLink`).

    The guid is the entry's id, as in Atom and JSON Feed, so that a reader following the same
    post in two formats sees one post. One exception, for sites that published RSS before
    Relais made them one id: with a `domain,YYYY` authority, a post published on or before
    `permalink_until` (FEEDS_PERMALINK_GUIDS_UNTIL) keeps the permalink its RSS guid was.
    """
    day = published.date() if isinstance(published, datetime) else published
    kept = authority not in (None, PELICAN) and permalink_until is not None and day <= permalink_until
    if kept or post_id == permalink:
        return permalink, True
    return post_id, False
