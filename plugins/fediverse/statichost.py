"""Where WebFinger must answer: `@handle@site-domain` is looked up at
`https://site-domain/.well-known/webfinger?resource=acct:...`, on the static host, which runs
no code. What each host can do (FEDIVERSE_STATIC_HOST), as files the build writes at the top
of the output (`files`, pure):

- `netlify`, `cloudflare-pages`: a `_redirects` file; its rules send WebFinger (and the actor's
  address on the site) with a 302 to where it answers: the receiver (FEDIVERSE_SERVER) or
  Bridgy Fed (WebFinger and host-meta, as Bridgy Fed documents). The host keeps the query
  string (`?resource=`) of a redirected request.
- `github-pages`: no redirects and no content types. With a receiver, WebFinger's answer as a
  static file, `.well-known/webfinger` (the same answer whatever the `resource` asked: the site
  has one account; served as `application/octet-stream`, which Mastodon reads). With Bridgy
  Fed, nothing can be done: the handle stays Bridgy Fed's own (`@domain@web.brid.gy`).
- `own-server`: nothing (the maker's server sends WebFinger to the receiver).

Our rules in a `_redirects` the site already has (copied from the content) go first, between
two marker lines, and replace the ones an earlier build wrote.
"""

from __future__ import annotations

import json

from relais.plugins.fediverse import actor as documents
from relais.plugins.fediverse.config import BridgyFed, Config

REDIRECTS = "_redirects"
WEBFINGER = ".well-known/webfinger"
BEGIN = "# relais: fediverse (FEDIVERSE_STATIC_HOST), written by the build"
END = "# relais: end of fediverse"


def rules(fediverse: Config | None, bridgy: BridgyFed | None) -> list[tuple[str, str]]:
    """(path on the site, where it is answered) for a host that redirects."""
    if fediverse is not None:
        return [(f"/{WEBFINGER}", f"{fediverse.server}/{WEBFINGER}"),
                ("/actor", fediverse.actor)]
    if bridgy is not None:
        base = bridgy.url.rstrip("/")
        return [("/.well-known/host-meta*", f"{base}/.well-known/host-meta:splat"),
                (f"/{WEBFINGER}*", f"{base}/{WEBFINGER}:splat")]
    return []


def redirects_block(pairs: list[tuple[str, str]]) -> str:
    width = max(len(path) for path, _ in pairs)
    lines = [f"{path.ljust(width)}  {target}  302" for path, target in pairs]
    return "\n".join([BEGIN, *lines, END]) + "\n"


def merged(existing: str, block: str) -> str:
    """`block` first, then the site's own rules (without an earlier build's block)."""
    if BEGIN in existing and END in existing:
        before, rest = existing.split(BEGIN, 1)
        existing = before + rest.split(END, 1)[1].lstrip("\n")
    return block + existing


def files(host: str | None, fediverse: Config | None, bridgy: BridgyFed | None,
          existing_redirects: str = "") -> dict[str, str]:
    """The files to write at the top of the output (path -> text) for this host."""
    if host in ("netlify", "cloudflare-pages"):
        pairs = rules(fediverse, bridgy)
        return {REDIRECTS: merged(existing_redirects, redirects_block(pairs))} if pairs else {}
    if host == "github-pages" and fediverse is not None:
        answer = json.dumps(documents.webfinger(fediverse), indent=2, ensure_ascii=False)
        return {WEBFINGER: answer + "\n"}
    return {}
