"""The relays' settings (in the registry) and the frozen Config built from them: the only module
of the plugin that reads a settings dict.

The ledger is private: by default it lives outside the site's folder, in the user's data
directory (`$XDG_DATA_HOME/relais/<site>/ledger.json`, `~/.local/share/...` without it),
where neither `git status` nor the build ever sees it. `RELAYS_LEDGER` names another place
(an absolute path, or one relative to the folder that holds `content/`, such as a private
repository checked out beside the site); a path inside the build's output is refused.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from relais.settings import (
    Setting,
    SettingsError,
    configured,
    declare,
    is_int,
    is_optional_text,
    is_text,
    project_root,
)


def _site_urls(value) -> str | None:
    if value is None:
        return None
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        return "must be a list of absolute http(s) URLs"
    bad = [v for v in value if not v.startswith(("http://", "https://"))]
    return f"{bad[0]!r} is not an absolute http(s) URL" if bad else None


SETTINGS = (
    Setting(
        "RELAYS_LEDGER",
        None,
        is_optional_text,
    is_text,
        "The private relationship ledger (`relais relays`). `None`: outside the site, in "
        "`$XDG_DATA_HOME/relais/<site>/ledger.json` (`~/.local/share/relais/...`); else a path, "
        "absolute or relative to the folder that holds `content/` (never inside the output) "
        "([docs/relays.md](docs/relays.md)).",
    ),
    Setting(
        "RELAYS_CLOSEST",
        10,
        is_int(1, 100),
        "How many of the closest relays the two-hop reach starts from (ten who reach ten).",
    ),
    Setting(
        "RELAYS_QUIET_DAYS",
        90,
        is_int(7, 3650),
        "A relay with no post and no exchange in this many days is shown as gone quiet.",
    ),
    Setting(
        "RELAYS_THANK_DAYS",
        60,
        is_int(1, 3650),
        "The weekly view lists the mentions of this many days that you have not answered.",
    ),
    Setting(
        "RELAYS_RECENT_DAYS",
        30,
        is_int(1, 365),
        'People first seen in this many days are shown as "new around your relays".',
    ),
    Setting(
        "RELAYS_PARTNERS_FILE",
        "partners.yaml",
        is_text,
        "The public list of partners who agreed to be featured on the blogroll page, under "
        "the content folder; written by `relais relays feature` only after their answer.",
    ),
)
declare(*SETTINGS)
NAMES = [s.name for s in SETTINGS]
STAGES = ("known", "talking", "collaborating", "partner", "paused")


@dataclass(frozen=True)
class Config:
    ledger: Path  # the ledger file, absolute
    ledger_is_default: bool  # True when RELAYS_LEDGER was not set
    site_key: str  # names the site's folder in the data directory
    root: Path  # the folder that holds content/
    content: Path
    article_paths: tuple[str, ...]
    output: Path
    own_urls: tuple[str, ...]  # addresses that are "us"
    article_url: str  # how the build names a story's URL (ARTICLE_URL, ARTICLE_LANG_URL)
    article_lang_url: str
    default_lang: str
    closest: int
    quiet_days: int
    thank_days: int
    partners_file: Path  # public, under the content folder
    recent_days: int


def slug(text: str) -> str:
    """Lower-case ASCII words joined by hyphens: "Atelier Maëlle" -> "atelier-maelle"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def data_home() -> Path:
    """The user's data directory (XDG Base Directory), where private state lives."""
    home = os.environ.get("XDG_DATA_HOME")
    return Path(home) if home and Path(home).is_absolute() else Path.home() / ".local" / "share"


def own_urls(settings) -> tuple[str, ...]:
    """The site's addresses, as the blogroll and the Webmentions plugins know them."""
    from relais.plugins.blogroll.config import config as blogroll_config
    from relais.plugins.webmentions.config import config as webmentions_config

    urls = list(blogroll_config(settings).own_urls)
    urls += [f"https://{domain}/" for domain in webmentions_config(settings).domains]
    return tuple(dict.fromkeys(url.rstrip("/") + "/" for url in urls))


def make(settings) -> Config:
    root = project_root(settings)
    key = slug(settings.get("SITENAME") or "") or slug(root.name) or "site"
    chosen = settings.get("RELAYS_LEDGER")
    if chosen:
        path = Path(chosen).expanduser()
        path = path if path.is_absolute() else root / path
    else:
        path = data_home() / "relais" / key / "ledger.json"
    output = Path(settings.get("OUTPUT_PATH") or "output")
    output = output if output.is_absolute() else (Path.cwd() / output)
    resolved = path.resolve()
    if resolved == output.resolve() or output.resolve() in resolved.parents:
        raise SettingsError(
            f"setting RELAYS_LEDGER: {path} is inside the site's output {output}: the ledger "
            "is private; choose a path outside it"
        )
    content = Path(settings["PATH"]).resolve()
    return Config(
        ledger=resolved,
        ledger_is_default=not chosen,
        site_key=key,
        root=root,
        content=content,
        article_paths=tuple(settings.get("ARTICLE_PATHS") or [""]),
        output=output,
        own_urls=own_urls(settings),
        article_url=settings.get("ARTICLE_URL") or "{slug}.html",
        article_lang_url=settings.get("ARTICLE_LANG_URL") or "{slug}-{lang}.html",
        default_lang=settings.get("DEFAULT_LANG") or "en",
        closest=settings["RELAYS_CLOSEST"],
        quiet_days=settings["RELAYS_QUIET_DAYS"],
        thank_days=settings["RELAYS_THANK_DAYS"],
        partners_file=content / settings["RELAYS_PARTNERS_FILE"],
        recent_days=settings["RELAYS_RECENT_DAYS"],
    )


def config(settings) -> Config:
    """The relays' Config for these settings (applied and checked the first time)."""
    return configured(settings, "relays", NAMES, make)
