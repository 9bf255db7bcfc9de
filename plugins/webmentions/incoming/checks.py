"""The receiver's synchronous checks (W3C Webmention §3.2.1), as pure functions.

They run before anything is queued, so a sender learns at once, with a
reason, that a request can never succeed: form-encoded `source` and
`target`, both absolute http(s) URLs, different from each other, the target
on one of the site's domains and a page of the published site (as listed by
the manifest the build writes).
"""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from relais.plugins.webmentions.incoming.links import normalize_url
from relais.plugins.webmentions.incoming.manifest import NAME as MANIFEST
from relais.plugins.webmentions.incoming.manifest import ManifestError, page_path, read_manifest
from relais.plugins.webmentions.incoming.record import pair_url

FORM_TYPE = "application/x-www-form-urlencoded"
MAX_URL_LENGTH = 2048


class Refused(Exception):
    """The request cannot be accepted; `status` and a one-line reason for the sender."""

    def __init__(self, reason: str, status: int = 400, headers=()):
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.headers = list(headers)


def read_form(content_type: str, body: bytes) -> tuple[str, str]:
    """The `source` and `target` of a form-encoded body, each given exactly once."""
    if content_type.split(";")[0].strip().lower() != FORM_TYPE:
        raise Refused(f"expected a form-encoded body ({FORM_TYPE}) with source and target")
    try:
        fields = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except (UnicodeDecodeError, ValueError):
        raise Refused("the body is not valid form-encoded UTF-8") from None
    values: dict[str, list[str]] = {}
    for name, value in fields:
        values.setdefault(name, []).append(value.strip())
    for name in ("source", "target"):
        given = values.get(name, [])
        if not given or not given[0]:
            raise Refused(f"missing {name}")
        if len(given) > 1:
            raise Refused(f"{name} is given more than once")
    return values["source"][0], values["target"][0]


def check_url(name: str, url: str) -> None:
    if len(url) > MAX_URL_LENGTH:
        raise Refused(f"{name} is longer than {MAX_URL_LENGTH} characters")
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        raise Refused(f"{name} is not a valid URL") from None
    if parts.scheme not in ("http", "https") or not host:
        raise Refused(f"{name} must be an absolute http or https URL")


class Site:
    """The site's domains and its pages, from the manifest the build writes (`manifest`).

    The manifest is looked at (one `stat`) at most every `LOOK_EVERY` seconds and read
    again only when it changed; while it is missing or unreadable (a build is under way)
    the last good list stays in use. Before any list was read, targets on the site's
    domains are answered 503 with Retry-After: senders retry later, where a 400 would
    be final.
    """

    LOOK_EVERY = 1.0
    RETRY_SECONDS = 30

    def __init__(self, domains: list[str], output: Path):
        self.domains = {d.lower().rstrip(".") for d in domains}
        self.manifest = Path(output) / MANIFEST
        self.pages: frozenset[str] | None = None
        self.signature = None
        self.looked = time.monotonic()
        self.reload()

    def reload(self) -> None:
        try:
            stat = self.manifest.stat()
        except OSError:
            return  # being rebuilt (or not built yet): keep what we had
        signature = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if signature == self.signature:
            return
        try:
            self.pages = read_manifest(self.manifest)
        except ManifestError:
            return
        self.signature = signature

    def check_target(self, target: str) -> None:
        if time.monotonic() - self.looked >= self.LOOK_EVERY:
            self.reload()
            self.looked = time.monotonic()
        parts = urlsplit(target)
        host = (parts.hostname or "").lower()
        netloc = parts.netloc.lower().rsplit("@", 1)[-1]
        if host not in self.domains and netloc not in self.domains:
            raise Refused(f"target is not on this site ({', '.join(sorted(self.domains))})")
        if self.pages is None:
            raise Refused("the site is being built: its list of pages is not there yet; "
                          "try again shortly", status=503,
                          headers=[(b"retry-after", str(self.RETRY_SECONDS).encode())])
        if page_path(parts.path) not in self.pages:
            raise Refused("target is not a page of this site", status=400)


def check_request(content_type: str, body: bytes, site: Site) -> tuple[str, str]:
    """All the synchronous checks in order; the (source, target) to queue, normalised
    (`record.pair_url`) so that every spelling of one pair is one job and one mention."""
    source, target = read_form(content_type, body)
    check_url("source", source)
    check_url("target", target)
    if normalize_url(source) == normalize_url(target):
        raise Refused("source and target are the same URL")
    site.check_target(target)
    return pair_url(source), pair_url(target)
