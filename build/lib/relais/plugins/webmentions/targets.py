"""Which URLs a post owes Webmentions to, and the hash that says when it changed.

Pure: from a post's rendered HTML and its metadata URLs (In-Reply-To,
Like-Of, Repost-Of, Bookmark-Of, collaborators) to the set of targets:
absolute http(s) links, without fragments, minus our own site and the
exclusion list; images and media only when asked.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from html.parser import HTMLParser
from urllib.parse import urlsplit

MEDIA_ATTRIBUTES = {"img": ("src",), "video": ("src", "poster"), "audio": ("src",),
                    "source": ("src",), "track": ("src",)}


class _Links(HTMLParser):
    def __init__(self, media: bool):
        super().__init__(convert_charrefs=True)
        self.media = media
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag in ("a", "area") and values.get("href"):
            self.urls.append(values["href"])
        elif self.media and tag in MEDIA_ATTRIBUTES:
            self.urls.extend(values[name] for name in MEDIA_ATTRIBUTES[tag] if values.get(name))
            if tag in ("img", "source") and values.get("srcset"):
                self.urls.extend(part.split()[0] for part in values["srcset"].split(",")
                                 if part.strip())

    handle_startendtag = handle_starttag


def links_in(html: str, media: bool = False) -> list[str]:
    """The link URLs of an HTML fragment in document order (media too when asked)."""
    parser = _Links(media)
    parser.feed(html or "")
    parser.close()
    return parser.urls


def normalize(url: str) -> str | None:
    """The URL without its fragment if it is absolute http(s), else None."""
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url.split("#", 1)[0]


def is_excluded(url: str, site_url: str, exclude: Iterable[str]) -> bool:
    """Our own site, or an entry of the exclusion list (a host name or a URL prefix)."""
    host = (urlsplit(url).hostname or "").lower()
    if site_url and _origin(url) == _origin(site_url):
        return True
    for entry in exclude:
        entry = entry.strip()
        if "://" in entry:
            if url.startswith(entry):
                return True
        elif host == entry.lower() or host.endswith("." + entry.lower()):
            return True
    return False


def _origin(url: str) -> tuple[str, int | None]:
    """Host and port, the default ports counting as none (http and https are one site)."""
    parts = urlsplit(url)
    port = parts.port if parts.port not in (80, 443) else None
    return (parts.hostname or "").lower(), port


def post_targets(html: str, metadata_urls: Iterable[str], site_url: str,
                 exclude: Iterable[str] = (), media: bool = False) -> frozenset[str]:
    exclude = list(exclude)
    found = set()
    for url in [*metadata_urls, *links_in(html, media)]:
        clean = normalize(url)
        if clean and not is_excluded(clean, site_url, exclude):
            found.add(clean)
    return frozenset(found)


def content_hash(html: str, metadata_urls: Iterable[str]) -> str:
    """Changes when the rendered text or the reply/like/collaborator URLs change."""
    digest = hashlib.sha256((html or "").encode("utf-8"))
    for url in sorted(metadata_urls):
        digest.update(b"\n" + url.encode("utf-8"))
    return digest.hexdigest()[:20]
