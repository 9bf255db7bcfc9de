"""Group stories into series, in part order, and find each part's neighbours. Pure."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Series:
    name: str
    slug: str
    lang: str
    url: str = ""
    save_as: str = ""
    parts: list[Any] = field(default_factory=list)

    @property
    def latest(self):
        return max(self.parts, key=lambda part: part.date)


@dataclass(frozen=True)
class SeriesInfo:
    series: Series
    part: int
    count: int
    previous: Any
    next: Any


def group_series(
    members: Iterable[tuple[Any, str, int | None, str]], slugify: Callable[[str], str],
    date_of: Callable[[Any], Any] = lambda post: post.date,
) -> tuple[list[Series], list[tuple[Any, int, Any]]]:
    """Series from (post, series name, part or None, lang) tuples.

    Returns the series, each with its numbered parts in order, then the
    unnumbered ones by date (as the pelican-series plugin orders them), and the
    posts whose part number is already taken in their series, as (post, part,
    holder) triples; the first member given keeps the number.
    """
    by_key: dict[tuple[str, str], Series] = {}
    numbers: dict[tuple[str, str], dict[int, Any]] = {}
    unnumbered: dict[tuple[str, str], list[Any]] = {}
    duplicates: list[tuple[Any, int, Any]] = []
    for post, name, part, lang in members:
        key = (name, lang)
        if key not in by_key:
            by_key[key] = Series(name=name, slug=slugify(name), lang=lang)
            numbers[key], unnumbered[key] = {}, []
        if part is None:
            unnumbered[key].append(post)
        elif part in numbers[key]:
            duplicates.append((post, part, numbers[key][part]))
        else:
            numbers[key][part] = post
    for key, series in by_key.items():
        series.parts = [numbers[key][n] for n in sorted(numbers[key])] + sorted(
            unnumbered[key], key=date_of)
    return list(by_key.values()), duplicates


def navigation(series: Series, parts: list[Any] | None = None) -> dict[int, SeriesInfo]:
    """For each post (by id) of a series: its place, previous and next part.

    `parts` replaces the series' own parts for a translation: the same places,
    each part in the translation's language where it exists.
    """
    parts = series.parts if parts is None else parts
    return {
        id(post): SeriesInfo(
            series=series,
            part=index + 1,
            count=len(parts),
            previous=parts[index - 1] if index > 0 else None,
            next=parts[index + 1] if index + 1 < len(parts) else None,
        )
        for index, post in enumerate(parts)
    }


def in_language(parts: list[Any], lang: str, translations_of: Callable[[Any], list[Any]]):
    """The series' parts with each replaced by its translation in `lang`, when there is one."""
    return [next((t for t in translations_of(p) if t.lang == lang), p) for p in parts]
