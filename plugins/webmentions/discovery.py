"""Webmention endpoint discovery, as the W3C Webmention recommendation (section 3.1.2) says.

The core, `find_endpoint`, is pure: it takes what a fetch gave (the final
URL after redirects, the headers, the body) and returns the endpoint. The
order is the spec's: the first HTTP `Link` header with `rel` containing
`webmention`, then the first `<link>` or `<a>` element with such a `rel`
and an `href`, in document order (a real HTML tokenizer, so comments and
escaped text never count). Relative endpoints resolve against the final
URL; an empty `href` is the page itself; the endpoint's query string is
kept. `discover` is the thin fetch around it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from relais.net.client import HttpClient, retry_after_seconds

HTML_TYPES = ("text/html", "application/xhtml+xml")


# --- Link headers (RFC 8288) --------------------------------------------------------


def parse_link_header(value: str) -> list[tuple[str, dict[str, str]]]:
    """(URI reference, parameters) for each link of one `Link` header value.

    Tolerant: a malformed link is skipped up to the next comma, never an error.
    Parameter names are lower-cased; the first occurrence of a parameter wins.
    """
    links = []
    i, n = 0, len(value)
    while i < n:
        while i < n and value[i] in " \t,":
            i += 1
        if i >= n:
            break
        if value[i] != "<":
            i = _skip_to_comma(value, i)
            continue
        end = value.find(">", i + 1)
        if end < 0:
            break
        uri, i = value[i + 1:end].strip(), end + 1
        params: dict[str, str] = {}
        while True:
            while i < n and value[i] in " \t":
                i += 1
            if i >= n or value[i] != ";":
                break
            i += 1
            start = i
            while i < n and value[i] not in "=;,":
                i += 1
            name = value[start:i].strip().lower().rstrip("*")
            param = ""
            if i < n and value[i] == "=":
                i += 1
                while i < n and value[i] in " \t":
                    i += 1
                if i < n and value[i] == '"':
                    param, i = _quoted(value, i)
                else:
                    start = i
                    while i < n and value[i] not in ";,":
                        i += 1
                    param = value[start:i].strip()
            if name and name not in params:
                params[name] = param
        links.append((uri, params))
        i = _skip_to_comma(value, i)
    return links


def _quoted(value: str, i: int) -> tuple[str, int]:
    """A quoted-string starting at value[i] == '"'; returns (text, index after it)."""
    out, i = [], i + 1
    while i < len(value):
        char = value[i]
        if char == "\\" and i + 1 < len(value):
            out.append(value[i + 1])
            i += 2
            continue
        if char == '"':
            return "".join(out), i + 1
        out.append(char)
        i += 1
    return "".join(out), i


def _skip_to_comma(value: str, i: int) -> int:
    """Index just after the next comma outside quotes and angle brackets."""
    quoted = bracket = False
    while i < len(value):
        char = value[i]
        if quoted:
            if char == "\\":
                i += 1
            elif char == '"':
                quoted = False
        elif char == '"':
            quoted = True
        elif char == "<":
            bracket = True
        elif char == ">":
            bracket = False
        elif char == "," and not bracket:
            return i + 1
        i += 1
    return i


def has_webmention_rel(rel: str | None) -> bool:
    """`rel` is a space-separated list of tokens, compared ASCII case-insensitively."""
    return rel is not None and "webmention" in rel.lower().split()


def _link_values(headers) -> list[str]:
    if hasattr(headers, "get_list"):
        return headers.get_list("link")
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    return [value for name, value in pairs if name.lower() == "link"]


# --- HTML ------------------------------------------------------------------------------


class _FirstWebmentionElement(HTMLParser):
    """Stops at the first <link> or <a> with rel~=webmention and an href attribute."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.href: str | None = None

    def handle_starttag(self, tag, attrs):
        if self.href is not None or tag not in ("link", "a"):
            return
        values: dict[str, str | None] = {}
        for name, value in attrs:
            values.setdefault(name, value)  # the first occurrence wins, as in HTML
        if has_webmention_rel(values.get("rel")) and "href" in values:
            self.href = values["href"] or ""

    handle_startendtag = handle_starttag


def html_endpoint(html: str) -> str | None:
    """The href of the first webmention <link> or <a> element, unresolved; None if none."""
    parser = _FirstWebmentionElement()
    # feed in pieces so that a huge page stops being tokenized once the element is found
    for start in range(0, len(html), 65536):
        parser.feed(html[start:start + 65536])
        if parser.href is not None:
            break
    return parser.href


# --- the pure core ------------------------------------------------------------------------


def find_endpoint(final_url: str, headers, html: str | None) -> str | None:
    """The absolute endpoint URL advertised by a fetched page, or None.

    `headers` may be httpx.Headers, a mapping, or (name, value) pairs (to keep
    repeated `Link` headers); `html` is None when the page is not HTML.
    """
    for value in _link_values(headers):
        for uri, params in parse_link_header(value):
            if has_webmention_rel(params.get("rel")):
                return _resolve(final_url, uri)
    if html is not None:
        href = html_endpoint(html)
        if href is not None:
            return _resolve(final_url, href.strip())
    return None


def _resolve(base: str, reference: str) -> str:
    """Resolve against the final URL; an empty reference is the page itself (no fragment)."""
    resolved = urljoin(base, reference) if reference else base
    return resolved.split("#", 1)[0]


def is_html(content_type: str | None) -> bool:
    return (content_type or "").split(";", 1)[0].strip().lower() in HTML_TYPES


# --- the thin fetch -------------------------------------------------------------------------


@dataclass
class Discovery:
    target: str
    endpoint: str | None
    final_url: str | None = None
    status: int | None = None
    reason: str = ""
    retry_after: float | None = None  # seconds asked by a 429 or 503 (Retry-After)


async def discover(client: HttpClient, target: str) -> Discovery:
    """Fetch the target and find its endpoint; network failures propagate as FetchError."""
    response = await client.get(target, headers={"Accept": "text/html, */*;q=0.5"})
    if response.status >= 400:
        return Discovery(target, None, response.url, response.status,
                         f"the target answered HTTP {response.status}",
                         retry_after_seconds(response.headers.get("retry-after")))
    html = response.text if is_html(response.headers.get("content-type")) else None
    endpoint = find_endpoint(response.url, response.headers, html)
    if endpoint is None:
        what = "HTML page" if html is not None else \
            f"{response.headers.get('content-type') or 'untyped'} document"
        return Discovery(target, None, response.url, response.status,
                         f"no Webmention endpoint advertised (Link header or {what})")
    if urlsplit(endpoint).scheme not in ("http", "https"):
        return Discovery(target, None, response.url, response.status,
                         f"the advertised endpoint {endpoint!r} is not an http(s) URL")
    return Discovery(target, endpoint, response.url, response.status)
