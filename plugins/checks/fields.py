"""Which metadata fields of a post are unknown, and what the writer probably meant. Pure."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping

# What French writers type for the fields they mean.
FRENCH = {
    "titre": "title", "résumé": "summary", "resume": "summary", "catégorie": "category",
    "categorie": "category", "étiquettes": "tags", "etiquettes": "tags", "mots-clés": "tags",
    "mots-cles": "tags", "auteur": "author", "auteurs": "authors", "langue": "lang",
    "statut": "status", "état": "status", "etat": "status", "série": "series",
    "serie": "series", "partie": "part", "matériaux": "materials", "materiaux": "materials",
    "matériau": "materials", "materiau": "materials", "outils": "tools", "outil": "tools",
    "temps": "time", "durée": "time", "duree": "time", "collaborateurs": "collaborators",
    "collaboratrices": "collaborators", "couverture": "cover", "modifié": "modified",
    "modifie": "modified", "date-modification": "modified",
}


def path_fields(patterns: Iterable[str]) -> set[str]:
    """The fields Pelican takes from file names and paths (FILENAME_METADATA, PATH_METADATA)."""
    names: set[str] = set()
    for pattern in patterns:
        if pattern:
            try:
                names.update(re.compile(pattern).groupindex)
            except re.error:
                continue
    return names


def nearest_field(key: str, known: Mapping[str, str]) -> str | None:
    """The known field a mistyped one most probably is, as written in the docs."""
    lowered = key.lower()
    if FRENCH.get(lowered) in known:
        return known[FRENCH[lowered]]
    close = difflib.get_close_matches(lowered, list(known), n=1, cutoff=0.75)
    return known[close[0]] if close else None


def field_problem(key: str, known: Mapping[str, str]) -> str:
    guess = nearest_field(key, known)
    hint = f"did you mean {guess}? " if guess else ""
    return (f"unknown field: {hint}(a field another plugin or your theme reads goes in the "
            f"CONTENT_FIELDS setting)")
