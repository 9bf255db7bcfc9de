"""The fediverse plugin's settings (in the registry) and the frozen Config built from them: the
only module of the plugin that reads a settings dict.

The site is one ActivityPub actor, `@FEDIVERSE_HANDLE@domain`, served by the receiver (which
holds the private key). The key is private: by default it lives outside the site's folder, in
the user's data directory (`$XDG_DATA_HOME/relais/<site>/fediverse-key.pem`); a path inside the
site's folder (the repository) or the build's output is refused.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from relais.plugins.relays.config import data_home, slug

from relais.settings import (
    Setting,
    SettingsError,
    configured,
    data_path,
    declare,
    is_http_url,
    is_optional_text,
    is_text,
    one_of,
    project_root,
)


def _handle(value) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not re.fullmatch(r"[a-z0-9_][a-z0-9_.-]{0,63}", value):
        return "must be None or a lower-case user name (letters, digits, `_`, `.`, `-`)"
    return None


def _optional_url(value) -> str | None:
    return None if value in (None, "") else is_http_url(value)


BRIDGY_FED = "https://fed.brid.gy/"
STATIC_HOSTS = ("netlify", "cloudflare-pages", "github-pages", "own-server")


def _bridgy(value) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    return is_http_url(value) and "must be None, True or the http(s) URL of a Bridgy Fed"


def _since(value) -> str | None:
    if value is None:
        return None
    try:
        date.fromisoformat(value)
    except (TypeError, ValueError):
        return "must be None or a date written YYYY-MM-DD"
    return None


SETTINGS = (
    Setting("FEDIVERSE_HANDLE", None, _handle,
            "The site's fediverse user name (`@HANDLE@domain`). `None`: the site is not an "
            "ActivityPub actor ([docs/fediverse.md](docs/fediverse.md))."),
    Setting("FEDIVERSE_SERVER", None, _optional_url,
            "Where the receiver answers ActivityPub (the actor is `SERVER/actor`, WebFinger "
            "`SERVER/.well-known/webfinger`). `None`: `SITEURL`."),
    Setting("FEDIVERSE_KEY", None, is_optional_text,
            "The actor's private key (made once by `relais fediverse key` or the receiver's "
            "first start). `None`: outside "
            "the site, in `$XDG_DATA_HOME/relais/<site>/fediverse-key.pem`; never inside "
            "the site's folder or the output.", kind="data_path"),
    Setting("FEDIVERSE_ACTOR_TYPE", "Person", one_of("Person", "Service"),
            "The actor's type: `Person` (a maker's own site) or `Service`."),
    Setting("FEDIVERSE_STATIC_HOST", None, one_of(None, *STATIC_HOSTS),
            "Where the static site is served, when the handle is on the site's own domain: "
            "`netlify`, `cloudflare-pages` (the build writes `_redirects` sending WebFinger to "
            "the receiver or Bridgy Fed) or `github-pages` (the build writes WebFinger's answer "
            "as `.well-known/webfinger`) or `own-server` (your server sends WebFinger to the "
            "receiver: nothing written); the account is then `@HANDLE@<SITEURL's host>`. "
            "`None`: nothing written; the account's domain is `FEDIVERSE_SERVER`'s host "
            "([docs/fediverse.md](docs/fediverse.md#where-webfinger-must-answer-per-host))."),
    Setting("FEDIVERSE_BRIDGY_FED", None, _bridgy,
            "The mode without a server: `True` notifies Bridgy Fed (`https://fed.brid.gy/`) "
            "by Webmention when a post is published, edited or deleted (`relais mentions "
            "send`, `relais publish`); a URL names another Bridgy Fed instance. `None`: off. "
            "Not with `FEDIVERSE_HANDLE` (one actor per site) "
            "([docs/fediverse.md](docs/fediverse.md#without-a-server-bridgy-fed-built-and-tested))."),
    Setting("FEDIVERSE_BRIDGY_FED_SINCE", None, _since,
            "`YYYY-MM-DD`: only posts dated that day or later are sent to Bridgy Fed (the "
            "back catalogue stays off the fediverse). `None`: every post."),
    Setting("FEDIVERSE_DB", "webmentions.sqlite3", is_text,
            "The receiver's SQLite database (`relais receiver serve --db`): its followers and "
            "the delivery log. `relais publish` delivers new, edited and deleted posts "
            "through it when it exists.", kind="data_path"),
)
declare(*SETTINGS)
NAMES = [s.name for s in SETTINGS]


@dataclass(frozen=True)
class Config:
    handle: str
    server: str            # the receiver's public base URL, no trailing slash
    domain: str            # the host (and port) of acct:handle@domain
    key: Path              # the private key, absolute, outside the site's folder
    actor_type: str
    site_url: str          # SITEURL, no trailing slash
    name: str              # the owner's name (AUTHOR_CARD, else AUTHOR, else SITENAME)
    note: str
    photo: str | None      # absolute URL of the owner's photo
    rel_me: tuple[tuple[str, str], ...]
    db: Path | None = None  # the receiver's database (FEDIVERSE_DB), absolute

    @property
    def actor(self) -> str:
        return f"{self.server}/actor"

    @property
    def key_id(self) -> str:
        return f"{self.actor}#main-key"

    @property
    def account(self) -> str:
        return f"acct:{self.handle}@{self.domain}"


def key_path(settings: Mapping[str, Any]) -> Path:
    """FEDIVERSE_KEY resolved; refused inside the site's folder (the repository) or output."""
    root = project_root(settings)
    if settings.get("FEDIVERSE_KEY"):
        path = data_path(settings, "FEDIVERSE_KEY").expanduser().resolve()
    else:
        key = slug(settings.get("SITENAME") or "") or slug(root.name) or "site"
        path = (data_home() / "relais" / key / "fediverse-key.pem").resolve()
    output = Path(settings.get("OUTPUT_PATH") or "output")
    output = (output if output.is_absolute() else Path.cwd() / output).resolve()
    for place, what in ((root.resolve(), "the site's folder"), (output, "the site's output")):
        if path == place or place in path.parents:
            raise SettingsError(
                f"setting FEDIVERSE_KEY: {path} is inside {what} {place}: the private key "
                "must never be committed or published; choose a path outside it")
    return path


def _make(settings: Mapping[str, Any]) -> Config | None:
    handle = settings.get("FEDIVERSE_HANDLE")
    if not handle:
        return None
    site_url = (settings.get("SITEURL") or "").rstrip("/")
    server = (settings.get("FEDIVERSE_SERVER") or site_url).rstrip("/")
    if is_http_url(server):
        raise SettingsError("setting FEDIVERSE_SERVER: the actor needs an absolute address: "
                            "set FEDIVERSE_SERVER or an absolute SITEURL")
    card = settings.get("AUTHOR_CARD") or {}
    photo = card.get("photo")
    if photo and not urlsplit(photo).scheme:
        photo = f"{site_url}/{photo.lstrip('/')}" if site_url else None
    return Config(
        handle=handle,
        server=server,
        # the site's own domain when its static host answers WebFinger, else the receiver's
        domain=urlsplit(site_url if settings.get("FEDIVERSE_STATIC_HOST") and site_url
                        else server).netloc.lower(),
        key=key_path(settings),
        actor_type=settings["FEDIVERSE_ACTOR_TYPE"],
        site_url=site_url,
        name=card.get("name") or settings.get("AUTHOR") or settings.get("SITENAME") or handle,
        note=card.get("note") or "",
        photo=photo,
        rel_me=tuple((label, url) for label, url in settings.get("REL_ME") or ()),
        db=data_path(settings, "FEDIVERSE_DB"),
    )


def config(settings) -> Config | None:
    """The fediverse Config for these settings; None when FEDIVERSE_HANDLE is not set."""
    return configured(settings, "fediverse", NAMES, _make)


@dataclass(frozen=True)
class BridgyFed:
    """The mode without a server: the Bridgy Fed every post is sent to by Webmention."""

    url: str                 # the Webmention target (its home page): https://fed.brid.gy/
    since: date | None       # posts dated before are not sent

    def wants(self, posted: date) -> bool:
        return self.since is None or posted >= self.since


def _make_bridgy(settings: Mapping[str, Any]) -> BridgyFed | None:
    value = settings.get("FEDIVERSE_BRIDGY_FED")
    if not value:
        return None
    if settings.get("FEDIVERSE_HANDLE"):
        raise SettingsError("setting FEDIVERSE_BRIDGY_FED: the site is already an actor "
                            "(FEDIVERSE_HANDLE): choose one mode, the receiver or Bridgy Fed")
    since = settings.get("FEDIVERSE_BRIDGY_FED_SINCE")
    return BridgyFed(BRIDGY_FED if value is True else value,
                     date.fromisoformat(since) if since else None)


def bridgy_fed(settings) -> BridgyFed | None:
    """The Bridgy Fed to notify (FEDIVERSE_BRIDGY_FED), or None."""
    return configured(settings, "fediverse-bridgy", NAMES, _make_bridgy)
