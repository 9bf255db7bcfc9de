"""The metadata fields a post may use: Pelican's own, those Relais's plugins declare, the site's.

A field outside these is a typo until said otherwise (`Material:` for
`Materials:`): the content checks stop the build on it, naming the nearest
known field. A site whose other plugins or theme read their own fields lists
them in the `CONTENT_FIELDS` setting.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

# Pelican's documented metadata, as the docs write them.
PELICAN_FIELDS = ("Title", "Date", "Modified", "Tags", "Keywords", "Category", "Slug", "Author",
                  "Authors", "Summary", "Lang", "Translation", "Status", "Template", "Save_as",
                  "Url")
# Common in the Pelican world and read by Relais itself (old addresses of a post).
SHARED_FIELDS = ("Aliases",)

_DECLARED: dict[str, str] = {}


def declare_fields(fields: Mapping[str, str] | Iterable[str]) -> None:
    """A plugin's fields: names as written in the docs, or {metadata key: name as written}."""
    pairs = fields.items() if isinstance(fields, Mapping) else ((f.lower(), f) for f in fields)
    for key, name in pairs:
        _DECLARED[key.lower()] = name


def known_fields(extra: Iterable[str] = ()) -> dict[str, str]:
    """Every known field: metadata key (lower case, as Pelican keeps it) -> name as written."""
    known = {name.lower(): name for name in (*PELICAN_FIELDS, *SHARED_FIELDS)}
    known.update(_DECLARED)
    known.update((name.lower(), name) for name in extra)
    return known
