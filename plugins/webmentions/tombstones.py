"""Tombstones: a `410 Gone` page where a post the sent log knows is no longer built.

Receivers that re-fetch a deleted post's source learn it is gone; the page
links to nothing else.
"""

from __future__ import annotations

import html
from pathlib import Path

TOMBSTONE_TEXT = {
    "fr": ("Billet supprimé", "Ce billet a été supprimé par son autrice ou son auteur.",
           "Retour à l’accueil"),
    "en": ("Post deleted", "This post was deleted by its author.", "Back to the home page"),
}


def tombstone_html(source: str, lang: str) -> str:
    """A page that says 410 Gone the only way a static host lets us, and links to nothing else."""
    title, text, home = TOMBSTONE_TEXT.get(lang, TOMBSTONE_TEXT["en"])
    return (
        f'<!doctype html>\n<html lang="{html.escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta http-equiv="Status" content="410 Gone">\n'
        '<meta name="robots" content="noindex">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>410 Gone — {html.escape(title)}</title>\n</head>\n<body>\n"
        f'<main class="h-entry tombstone">\n<h1>{html.escape(title)}</h1>\n'
        f"<p>{html.escape(text)} (410 Gone)</p>\n"
        f'<p><a class="u-url" href="{html.escape(source)}">{html.escape(source)}</a></p>\n'
        f'<p><a href="/">{html.escape(home)}</a></p>\n</main>\n</body>\n</html>\n'
    )


def write_tombstones(log: dict, built_paths: set[str], output: Path, lang: str) -> set[str]:
    """Tombstone every logged source whose file this build does not write; returns them."""
    gone = set()
    root = output.resolve()
    for source, entry in sorted(log["sources"].items()):
        path = entry.get("path")
        if not path or path in built_paths:
            continue
        destination = (root / path).resolve()
        if root not in destination.parents:
            raise ValueError(f"sent log: sources.{source}.path {path!r} is outside the output")
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(tombstone_html(source, lang), encoding="utf-8")
        gone.add(source)
    return gone
