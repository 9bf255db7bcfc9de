"""Theme strings in the page's language, from JSON catalogs shipped with the theme.

Catalogs live in `<THEME>/translations/<lang>.json` and map the English text
to its translation; a string missing from a catalog falls back to English.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from markupsafe import Markup, escape

MONTHS = {
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "en": "January February March April May June July August September October November December",
}


class Catalogs:
    """All the theme's catalogs, loaded once per build."""

    def __init__(self, directory: Path, default_lang: str):
        self.default_lang = default_lang
        self.messages: dict[str, dict[str, str]] = {}
        if directory.is_dir():
            for path in sorted(directory.glob("*.json")):
                try:
                    self.messages[path.stem] = json.loads(path.read_text(encoding="utf-8"))
                except ValueError as error:
                    raise ValueError(f"{path}: not valid JSON: {error}") from error

    @property
    def languages(self) -> list[str]:
        return sorted(self.messages)

    def gettext(self, lang: str | None, text: str) -> str:
        catalog = self.messages.get(lang or self.default_lang) or {}
        return catalog.get(text, text)

    def markup(self, lang: str | None, text: str) -> Markup:
        """The theme's own string, translated, as Markup (templates autoescape); a text that
        no catalog knows (a value from elsewhere passed to `_()`) is escaped instead."""
        if any(text in catalog for catalog in self.messages.values()):
            return Markup(self.gettext(lang, text))
        return escape(text)


def human_date(value: date, lang: str) -> str:
    """`14 mars 2026` / `14 March 2026`, without relying on the system's locales."""
    months = (MONTHS.get(lang) or MONTHS["en"]).split()
    return f"{value.day} {months[value.month - 1]} {value.year}"
