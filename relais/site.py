"""What every plugin may need to know about the site: its name, address, language, the
owner's h-card, the authors' cards, the theme's strings. Built once per build (`site()`).

The settings here are the site's, not one plugin's: the owner's card is shown by the
theme, credited in the feeds and named in the blogroll's OPML, whichever plugins are on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from relais.i18n import Catalogs
from relais.settings import Setting, configured, declare, is_author_card, is_http_url, is_link_list


def _author_cards(value: Any) -> str | None:
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        return "must map an author's name to a card {url, photo, note}"
    for name, card in value.items():
        problem = is_author_card(card)
        if problem:
            return f"{name!r}: {problem}"
        if card.get("url") and is_http_url(card["url"]):
            return f"{name!r}: url must be an absolute http(s) URL"
    return None


SETTINGS = (
    Setting("AUTHOR_CARD", {}, is_author_card,
            "The owner's h-card on every page: `name` (default `AUTHOR`), `url` (default "
            "the home page), `photo` (path under `content/`, e.g. `images/avatar.svg`), `note`."),
    Setting("AUTHOR_CARDS", {}, _author_cards,
            "Cards of the other authors, by the name their posts give in `Author`/`Authors`: "
            "`{'Ada': {'url': 'https://ada.example/', 'photo': ..., 'note': ...}}`. An author "
            "without one is credited with a link to their author page."),
    Setting("REL_ME", [], is_link_list,
            "`(label, URL)` pairs of the owner's other profiles, linked with `rel=\"me\"`."),
)
declare(*SETTINGS)
NAMES = [s.name for s in SETTINGS]


@dataclass(frozen=True)
class Card:
    """A person as an h-card: `url` absolute, or relative to the site root ("" is the home page)."""

    name: str
    url: str = ""
    photo: str | None = None
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "url": self.url, "photo": self.photo, "note": self.note}


@dataclass(frozen=True)
class Site:
    name: str
    url: str  # SITEURL: "" or relative in development
    lang: str  # DEFAULT_LANG as Pelican has it (e.g. zh_CN)
    owner: Card
    cards: Mapping[str, Card] = field(default_factory=dict)
    rel_me: tuple[tuple[str, str], ...] = ()
    catalogs: Catalogs | None = None
    author_pages: bool = True  # Pelican writes a page per author (AUTHOR_SAVE_AS)

    @property
    def absolute_url(self) -> str:
        """SITEURL when it is an absolute http(s) URL (publishing), else ""."""
        return self.url if self.url.startswith(("http://", "https://")) else ""

    def card_for(self, name: str, author_page: str = "") -> Card:
        """The h-card an author is credited with: the owner's, their AUTHOR_CARDS entry, or
        their name linked to their author page on this site (the home page when the site
        writes no author pages)."""
        if name == self.owner.name:
            return self.owner
        return self.cards.get(name) or Card(name, author_page if self.author_pages else "")

    def label(self, text: str, lang: str | None = None) -> str:
        """A theme string in `lang` (default: the site's), English when there is no catalog."""
        return self.catalogs.gettext(lang or self.lang, text) if self.catalogs else text


def _card(data: Mapping[str, Any], name: str, url: str) -> Card:
    return Card(data.get("name") or name, data.get("url") or url, data.get("photo") or None,
                data.get("note") or "")


def _make(settings: Mapping[str, Any]) -> Site:
    owner_name = settings.get("AUTHOR") or settings.get("SITENAME") or ""
    theme = settings.get("THEME")
    return Site(
        name=settings.get("SITENAME") or "",
        url=(settings.get("SITEURL") or "").rstrip("/"),
        lang=settings.get("DEFAULT_LANG") or "en",
        owner=_card(settings["AUTHOR_CARD"], owner_name, ""),
        cards={name: _card(card, name, "") for name, card in settings["AUTHOR_CARDS"].items()},
        rel_me=tuple((label, url) for label, url in settings["REL_ME"]),
        catalogs=Catalogs(Path(theme) / "translations", settings.get("DEFAULT_LANG") or "en")
        if theme else None,
        author_pages=bool(settings.get("AUTHOR_SAVE_AS", True)),
    )


def site(settings) -> Site:
    """This build's Site (the site-wide settings applied and checked once)."""
    return configured(settings, "site", NAMES, _make)
