"""The maker_stories settings and the frozen Config built from them once per build."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from relais.plugins.maker_stories.facts import FIELD_NAMES

from relais.fields import declare_fields
from relais.settings import Setting, configured, declare, is_int, is_text


def is_contact(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not (
            value.startswith(("http://", "https://"))
            or "@" in value.removeprefix("mailto:").strip("@")):
        return "must be an e-mail address or the http(s) URL of a contact form (or None)"
    return None

SETTINGS = (
    Setting("NOTES_CATEGORY", "Notes", is_text,
            "Posts in this category are notes (short posts) rather than stories."),
    Setting("READING_SPEED", 200, is_int(50, 1000),
            "Words read per minute, for the reading time of each post."),
    Setting("SERIES_URL", "series/{slug}/", is_text, "URL of a series page."),
    Setting("SERIES_SAVE_AS", "series/{slug}/index.html", is_text, "File of a series page."),
    Setting("SERIES_INDEX_URL", "series/", is_text, "URL of the page listing every series."),
    Setting("SERIES_INDEX_SAVE_AS", "series/index.html", is_text,
            "File of the page listing every series."),
    Setting("PIECES_CONTACT", None, is_contact,
            "Where \"write to me about this piece\" goes: an e-mail address (a mailto link "
            "with the piece in the subject) or the URL of a contact form (given `subject` and "
            "`piece` parameters). Needed once a piece is available."),
    Setting("PIECES_URL", "pieces/", is_text, "URL of the available pieces page."),
    Setting("PIECES_SAVE_AS", "pieces/index.html", is_text, "File of the available pieces page."),
    Setting("PIECES_LANG_URL", "{lang}/pieces/", is_text,
            "URL of the available pieces page in another language than DEFAULT_LANG."),
    Setting("PIECES_LANG_SAVE_AS", "{lang}/pieces/index.html", is_text,
            "File of the available pieces page in another language."),
)
declare(*SETTINGS)
declare_fields(FIELD_NAMES)  # the story fields posts may use (the content checks know them)
NAMES = [s.name for s in SETTINGS]


@dataclass(frozen=True)
class Config:
    notes_category: str
    reading_speed: int
    series_url: str
    series_save_as: str
    series_index_url: str
    series_index_save_as: str
    content_path: Path
    default_lang: str
    slug_substitutions: tuple
    relative_urls: bool
    contact: str | None
    pieces_url: str
    pieces_save_as: str
    pieces_lang_url: str
    pieces_lang_save_as: str

    def pieces_page(self, lang: str) -> tuple[str, str]:
        """The available pieces page in `lang`: (URL, file)."""
        if lang == self.default_lang:
            return self.pieces_url.format(lang=lang), self.pieces_save_as.format(lang=lang)
        return self.pieces_lang_url.format(lang=lang), self.pieces_lang_save_as.format(lang=lang)


def _make(settings: Mapping[str, Any]) -> Config:
    return Config(
        notes_category=settings["NOTES_CATEGORY"],
        reading_speed=settings["READING_SPEED"],
        series_url=settings["SERIES_URL"],
        series_save_as=settings["SERIES_SAVE_AS"],
        series_index_url=settings["SERIES_INDEX_URL"],
        series_index_save_as=settings["SERIES_INDEX_SAVE_AS"],
        content_path=Path(settings["PATH"]),
        default_lang=settings.get("DEFAULT_LANG") or "en",
        slug_substitutions=tuple(settings.get("SLUG_REGEX_SUBSTITUTIONS") or ()),
        relative_urls=bool(settings.get("RELATIVE_URLS")),
        contact=settings["PIECES_CONTACT"],
        pieces_url=settings["PIECES_URL"],
        pieces_save_as=settings["PIECES_SAVE_AS"],
        pieces_lang_url=settings["PIECES_LANG_URL"],
        pieces_lang_save_as=settings["PIECES_LANG_SAVE_AS"],
    )


def pieces_page_url(settings, lang: str) -> str:
    """The URL of the available pieces page in `lang` (for other plugins: the feeds' home)."""
    return config(settings).pieces_page(lang)[0]


def config(settings) -> Config:
    """This build's maker_stories Config (the settings applied and checked the first time)."""
    return configured(settings, "maker_stories", NAMES, _make)
