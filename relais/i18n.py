"""Theme strings and dates in a page's language; language codes as HTML wants them.

Catalogs live in `<THEME>/translations/<lang>.json` and map the English text
to its translation. Any language works: a string missing from a catalog, or
a language with no catalog at all, falls back to English.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

from markupsafe import Markup, escape

MONTHS = {
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "en": "January February March April May June July August September October November December",
}


def catalog_key(lang: str | None) -> str:
    """`zh-CN`, `zh_cn` and `ZH_CN` name the same catalog: `zh_cn`."""
    return re.sub(r"[-_]+", "_", (lang or "").strip()).lower()


def bcp47(lang: str | None) -> str:
    """A Pelican language code as a BCP 47 tag for `lang` and `hreflang`: `zh_cn` -> `zh-CN`,
    `sr_latn` -> `sr-Latn`, `es_419` -> `es-419`; empty stays empty."""
    parts = [p for p in re.split(r"[-_]+", (lang or "").strip()) if p]
    tags = []
    for index, part in enumerate(parts):
        if index == 0:
            tags.append(part.lower())
        elif len(part) == 4 and part.isalpha():
            tags.append(part.title())  # a script
        elif (len(part) == 2 and part.isalpha()) or (len(part) == 3 and part.isdigit()):
            tags.append(part.upper())  # a region
        else:
            tags.append(part.lower())
    return "-".join(tags)


class Catalogs:
    """All the theme's catalogs, loaded once per build."""

    def __init__(self, directory: Path, default_lang: str):
        self.default_lang = default_lang
        self.messages: dict[str, dict[str, str]] = {}
        if directory.is_dir():
            for path in sorted(directory.glob("*.json")):
                try:
                    self.messages[catalog_key(path.stem)] = json.loads(path.read_text(encoding="utf-8"))
                except ValueError as error:
                    raise ValueError(f"{path}: not valid JSON: {error}") from error

        self.known = frozenset(key for catalog in self.messages.values() for key in catalog)

    @property
    def languages(self) -> list[str]:
        return sorted(self.messages)

    def catalog(self, lang: str | None) -> dict[str, str]:
        """The catalog of `lang`, else of its language without the region (`pt_br` -> `pt`),
        else none (English)."""
        key = catalog_key(lang or self.default_lang)
        return self.messages.get(key) or self.messages.get(key.split("_")[0]) or {}

    def gettext(self, lang: str | None, text: str) -> str:
        return self.catalog(lang).get(text, text)

    def markup(self, lang: str | None, text: str) -> Markup:
        """The theme's own string, translated, as Markup (templates autoescape); a text that
        no catalog knows (a value from elsewhere passed to `_()`) is escaped instead."""
        if text in self.known:
            return Markup(self.gettext(lang, text))
        return escape(text)


def human_date(value: date, lang: str | None) -> str:
    """`14 mars 2026` / `14 March 2026`, without relying on the system's locales; English
    month names for a language we have none for."""
    months = (MONTHS.get(catalog_key(lang).split("_")[0]) or MONTHS["en"]).split()
    return f"{value.day} {months[value.month - 1]} {value.year}"
