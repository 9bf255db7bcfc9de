"""Asynchronous verification of one (source, target) pair, through the shared HTTP client.

The source is fetched with tight limits (5 s, 1 MB, 5 redirects, the SSRF
guard); it must be HTML, plain text or JSON and link to the target. The
verdict says what to do with the pair: keep the parsed mention, remove it
(the source answered 410 or 404), `unlinked` (the fetched document does not
link: the worker removes the mention if it was verified from the same kind
of document), or leave things as they were (any other answer: a remote that
is down, or a maintenance page, never erases what we had).

The document is read off the event loop, within a time limit, after the
checks of relais.bounded (no page nested deeper than a parser can take), so
one hostile source never holds up the other verifications.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from relais.plugins.webmentions.incoming.links import links_to, normalize_url
from relais.plugins.webmentions.incoming.parse import mention_from_html

from relais import bounded
from relais.net.client import FetchError, HttpClient

SOURCE_LIMITS = {"timeout": 5.0, "max_bytes": 1_000_000, "max_redirects": 5, "retries": 0}
MEDIA = {"text/html": "html", "application/xhtml+xml": "html", "text/plain": "text",
         "application/json": "json"}
ACCEPT = "text/html, application/xhtml+xml, application/json;q=0.9, text/plain;q=0.8"
URL_IN_TEXT = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)


@dataclass
class Verdict:
    action: str            # keep | remove | unlinked | ignore
    reason: str            # one line for the status page and the log
    mention: dict | None = None
    media: str | None = None  # html | text | json: the kind of document the source was


def source_client(*, site_url: str = "", allow_private: bool | None = None,
                  per_host: int = 4, total: int = 16, timeout: float | None = None) -> HttpClient:
    limits = {**SOURCE_LIMITS, **({"timeout": timeout} if timeout else {})}
    return HttpClient(site_url=site_url, allow_private=allow_private, per_host=per_host,
                      total=total, **limits)


def media_of(content_type: str) -> str | None:
    """html, text or json for the document types the recommendation says to check; else None."""
    kind = content_type.split(";")[0].strip().lower()
    if kind.startswith("application/") and kind.endswith("+json"):
        return "json"  # application/ld+json, application/activity+json...
    return MEDIA.get(kind)


def text_links_to(text: str, target: str) -> bool:
    """Plain text: the target is one of the URLs written in it (trailing punctuation aside)."""
    wanted = normalize_url(target)
    return any(normalize_url(found.rstrip(".,;:!?)]}")) == wanted
               for found in URL_IN_TEXT.findall(text))


def json_links_to(value, target: str) -> bool:
    """JSON: some string value, at any depth, is the target URL."""
    wanted = normalize_url(target)
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if item.startswith(("http://", "https://")) and normalize_url(item) == wanted:
                return True
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


async def verify(client: HttpClient, source: str, target: str, *, received: str,
                 via: str = "receiver") -> Verdict:
    """What to do with the pair after fetching its source (W3C Webmention §3.2.2).

    HTML is read for links and microformats; plain text and JSON are checked for
    the target URL, as the recommendation says a receiver should. Only a 410 or 404,
    or a fetched document that no longer links, removes a mention (`remove`,
    `unlinked`); any other answer leaves things as they were (`ignore`).
    """
    try:
        response = await client.get(source, headers={"Accept": ACCEPT})
    except FetchError as error:
        return Verdict("ignore", f"source not fetched: {error.reason}")
    if response.status in (404, 410):
        return Verdict("remove", f"source is gone ({response.status})")
    if response.status != 200:
        return Verdict("ignore", f"source answered HTTP {response.status}")
    content_type = response.headers.get("content-type", "")
    media = media_of(content_type)
    if media is None:
        shown = content_type.split(";")[0].strip() or "no Content-Type"
        return Verdict("ignore", f"source is not a document that can be checked ({shown})")
    try:
        return await bounded.off_loop(read_source, media, response.text, response.url, source,
                                      target, received=received, via=via)
    except bounded.TooComplex as error:
        return Verdict("ignore", f"source not read: {error}", media=media)


def read_source(media: str, text: str, base: str, source: str, target: str, *, received: str,
                via: str) -> Verdict:
    """What the fetched document says about the pair. CPU work, run in a worker thread
    (bounded.off_loop); TooComplex for an HTML page no parser should be given."""
    if media == "json":
        try:
            linked = json_links_to(json.loads(text), target)
        except (ValueError, RecursionError):
            return Verdict("ignore", "source is not valid JSON", media=media)
    elif media == "text":
        linked = text_links_to(text, target)
    else:
        bounded.check_markup(text, max_bytes=SOURCE_LIMITS["max_bytes"])
        linked = links_to(text, base, target)
    if not linked:
        return Verdict("unlinked", f"source does not link to target ({media})", media=media)
    # A text or JSON source is a plain mention, as a page without microformats is.
    mention = mention_from_html(text if media == "html" else "", source, target,
                                received=received, via=via, base=base)
    return Verdict("keep", f"verified {mention['type']}", mention, media)
