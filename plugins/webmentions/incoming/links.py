"""Does a source page really link to the target? (W3C Webmention, verification step.)

A bare substring is not enough: the target must be the resolved value of an
`href` or `src` attribute of an element a reader can follow or see. URLs are
compared after normalising what does not change the resource (scheme and
host case, default port, fragment, an empty path).
"""

from __future__ import annotations

from functools import lru_cache
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit, urlunsplit

LINKING_ATTRIBUTES = {
    "a": "href", "area": "href", "link": "href",
    "img": "src", "video": "src", "audio": "src", "source": "src", "iframe": "src",
}
DEFAULT_PORTS = {"http": "80", "https": "443"}


@lru_cache(maxsize=65536)  # the same targets come back for every mention of a post
def normalize_url(url: str) -> str:
    """The URL with lower-case scheme and host, no default port, no fragment, '/' for no path."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return url.strip()
    scheme = parts.scheme.lower()
    netloc = host
    if port is not None and str(port) != DEFAULT_PORTS.get(scheme):
        netloc = f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


class _LinkCollector(HTMLParser):
    def __init__(self, base: str):
        super().__init__(convert_charrefs=True)
        self.base = base
        self.raw: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "base":
            href = dict(attrs).get("href")
            if href and not self.raw:
                self.base = urljoin(self.base, href.strip())
            return
        wanted = LINKING_ATTRIBUTES.get(tag)
        if wanted:
            for name, value in attrs:
                if name == wanted and value:
                    self.raw.append(value.strip())
                if tag == "img" and name == "srcset" and value:
                    self.raw.extend(c.strip().split(" ")[0] for c in value.split(",") if c.strip())

    handle_startendtag = handle_starttag


def linked_urls(html: str, base_url: str) -> set[str]:
    """Every URL the page links to or embeds, resolved and normalised."""
    collector = _LinkCollector(base_url)
    try:
        collector.feed(html)
        collector.close()
    except Exception:  # html.parser is lenient; never let broken markup crash a worker
        pass
    found = set()
    for raw in collector.raw:
        try:
            found.add(normalize_url(urljoin(collector.base, raw)))
        except ValueError:
            continue
    return found


def links_to(html: str, base_url: str, target: str) -> bool:
    return normalize_url(target) in linked_urls(html, base_url)
