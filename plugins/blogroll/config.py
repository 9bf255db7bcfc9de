"""The blogroll's settings (see the README's table) and the frozen Config built from them once
per build: the only place the blogroll reads Pelican's settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from relais.plugins.webmentions.config import Config as WebmentionsConfig
from relais.plugins.webmentions.config import config as webmentions_config

from relais.settings import (
    Setting,
    configured,
    data_path,
    declare,
    is_bool,
    is_int,
    is_text,
    is_text_list,
    project_root,
)
from relais.site import Site, site


def _weights(value) -> str | None:
    names = {"network", "affinity", "interaction", "activity"}
    if not isinstance(value, dict) or set(value) != names:
        return f"must be a dict with exactly {', '.join(sorted(names))}"
    if not all(
        isinstance(v, int | float) and not isinstance(v, bool) and v >= 0 for v in value.values()
    ):
        return "weights must be numbers >= 0"
    if not sum(value.values()):
        return "at least one weight must be above 0"
    return None


def _urls(value) -> str | None:
    problem = is_text_list(value)
    if problem:
        return problem
    bad = [v for v in value if not v.startswith(("http://", "https://"))]
    return f"{bad[0]!r} is not an absolute http(s) URL" if bad else None


SETTINGS = (
    Setting(
        "BLOGROLL_FILE",
        "blogroll.yaml",
        is_text,
        "The blogroll file, under the content folder (`PATH`).",
    ),
    Setting(
        "BLOGROLL_DATA",
        "data/blogroll",
        is_text,
        "Where `relais blogroll refresh` keeps what it fetched (relative to the folder "
        "that holds `content/`); read by the build, committed to git.",
        kind="data_path",
    ),
    Setting(
        "BLOGROLL_URL",
        "blogroll/",
        is_text,
        "URL of the blogroll page (other languages get `<lang>/` in front).",
    ),
    Setting("BLOGROLL_SAVE_AS", "blogroll/index.html", is_text, "File of the blogroll page."),
    Setting(
        "BLOGROLL_INACTIVE_MONTHS",
        6,
        is_int(1, 120),
        "A creator with no post in this many months before the last refresh is listed "
        "apart, as inactive.",
    ),
    Setting(
        "BLOGROLL_RECENT_COUNT",
        5,
        is_int(0, 50),
        'How many posts the "recently from people I follow" widget shows (the newest '
        "post of each creator); 0 hides it.",
    ),
    Setting(
        "BLOGROLL_ENTRIES",
        10,
        is_int(1, 100),
        "How many of each creator's newest entries the refresh keeps.",
    ),
    Setting(
        "BLOGROLL_SHOW_MUTUAL",
        False,
        is_bool,
        "Mark on the blogroll page the creators who link back (opt-in: it is public).",
    ),
    Setting(
        "BLOGROLL_OWN_URLS",
        [],
        _urls,
        "Other addresses of this site (besides an absolute `SITEURL`) that count as "
        '"us" when looking for who links back.',
    ),
    Setting(
        "DISCOVER_MAX_SITES",
        40,
        is_int(1, 1000),
        "`relais discover` fetches at most this many candidate sites per run.",
    ),
    Setting(
        "DISCOVER_WEIGHTS",
        {"network": 0.35, "affinity": 0.4, "interaction": 0.15, "activity": 0.1},
        _weights,
        "How much each kind of evidence counts in a discovery score.",
    ),
)
declare(*SETTINGS)
NAMES = [s.name for s in SETTINGS]


@dataclass(frozen=True)
class Config:
    site: Site
    file: Path  # the blogroll file
    file_shown: str  # how messages name it: content/blogroll.yaml
    data: Path  # BLOGROLL_DATA, resolved
    root: Path  # the folder that holds content/ and data/
    url: str
    save_as: str
    inactive_months: int
    recent_count: int
    entries: int
    show_mutual: bool
    own_urls: tuple[str, ...]  # "us": an absolute SITEURL, then BLOGROLL_OWN_URLS
    discover_max_sites: int
    discover_weights: Mapping[str, float]
    content_path: Path
    article_paths: tuple[str, ...]
    output_path: Path
    relative_urls: bool
    webmentions: WebmentionsConfig  # where the Webmentions plugin keeps what it sent and received

    @property
    def public_url(self) -> str:
        """The site's public address ("" when it has none): where webmentions come from."""
        return self.own_urls[0] if self.own_urls else ""


def _make(settings: Mapping[str, Any]) -> Config:
    the_site = site(settings)
    content = Path(settings["PATH"])
    own = [the_site.absolute_url] if the_site.absolute_url else []
    return Config(
        site=the_site,
        file=content / settings["BLOGROLL_FILE"],
        file_shown=f"{content.name}/{settings['BLOGROLL_FILE']}",
        data=data_path(settings, "BLOGROLL_DATA"),
        root=project_root(settings),
        url=settings["BLOGROLL_URL"],
        save_as=settings["BLOGROLL_SAVE_AS"],
        inactive_months=settings["BLOGROLL_INACTIVE_MONTHS"],
        recent_count=settings["BLOGROLL_RECENT_COUNT"],
        entries=settings["BLOGROLL_ENTRIES"],
        show_mutual=settings["BLOGROLL_SHOW_MUTUAL"],
        own_urls=tuple(own + list(settings["BLOGROLL_OWN_URLS"])),
        discover_max_sites=settings["DISCOVER_MAX_SITES"],
        discover_weights=dict(settings["DISCOVER_WEIGHTS"]),
        content_path=content,
        article_paths=tuple(settings.get("ARTICLE_PATHS") or [""]),
        output_path=Path(settings.get("OUTPUT_PATH") or "output"),
        relative_urls=bool(settings.get("RELATIVE_URLS")),
        webmentions=webmentions_config(settings),
    )


def config(settings) -> Config:
    """This build's blogroll Config (the settings applied and checked the first time)."""
    return configured(settings, "blogroll", NAMES, _make)
