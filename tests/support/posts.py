"""Story files for the tests that build throw-away sites (`tiny_site` in tests/conftest.py)."""

from __future__ import annotations

GOOD = """\
Title: {title}
Date: 2026-03-0{day} 10:00
Category: Atelier
Slug: {slug}
{extra}
Un texte.
"""


def post(slug: str, extra: str = "", day: int = 1, body: str = "") -> str:
    """A good story `slug` of 2026-03-0`day`: its metadata, then `extra` lines (line 5 on),
    a line of text, then `body`."""
    return GOOD.format(title=slug.title(), slug=slug, extra=extra, day=day) + body
