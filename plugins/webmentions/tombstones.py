"""Tombstones: a `410 Gone` page where a post the sent log knows is no longer built.

Receivers that re-fetch a deleted post's source learn it is gone. Which files
become tombstones is decided here; the page itself is the theme's
`tombstone.html` (the plugin's default when the theme has none), written by
the Pelican glue like any other page: styled, its links relative to SITEURL.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

TOMBSTONE_TEXT = {
    "fr": ("Billet supprimé", "Ce billet a été supprimé par son autrice ou son auteur.",
           "Retour à l’accueil"),
    "en": ("Post deleted", "This post was deleted by its author.", "Back to the home page"),
}


@dataclass(frozen=True)
class Tombstone:
    """What the template shows (`page`): the deleted post's URL and the words, in `lang`."""

    source: str
    save_as: str
    lang: str
    title: str
    text: str
    home: str
    translations: tuple = ()

    @property
    def url(self) -> str:
        return self.save_as.removesuffix("index.html")


def tombstones(log: dict, built_paths: set[str], output: Path, lang: str) -> list[Tombstone]:
    """A tombstone for every logged source whose file this build does not write."""
    found = []
    root = output.resolve()
    title, text, home = TOMBSTONE_TEXT.get(lang, TOMBSTONE_TEXT["en"])
    for source, entry in sorted(log["sources"].items()):
        path = entry.get("path")
        if not path or path in built_paths:
            continue
        if root not in (root / path).resolve().parents:
            raise ValueError(f"sent log: sources.{source}.path {path!r} is outside the output")
        found.append(Tombstone(source, path, lang, title, text, home))
    return found
