"""Is a `Date:` or `Modified:` value one date, and one only? Pure.

Relais accepts ISO 8601 (`2026-03-14`, `2026-03-14 10:30`, `2026-03-14T10:30:00+01:00`, and
`2026/03/14`),
numeric day/month forms that can be read one way only (`25/12/2026`), and
dates written with an English month name, a day and a year (`14 March 2026`),
which is what Pelican reads. Everything else is a problem with a message saying
how to write it: a word (`demain`), an impossible date (`2026-13-45`), a date
with no day or month (`2026`), and `01/12/2026`, which is 1 December to a
French writer and 12 January to Pelican.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

ISO = re.compile(r"(?P<y>\d{4})(?P<sep>[-/])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})"
                 r"(?:[ T](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.\d+)?)?)?"
                 r"(?:\s*(?:Z|[+-]\d{2}:?\d{2}))?")
NUMERIC = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?:[ T].*)?")
MONTH_WORDS = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?(?=\W|\d|$)",
                         re.IGNORECASE)
HOW = "write it as YYYY-MM-DD or YYYY-MM-DD HH:MM, e.g. 2026-03-14 10:30"
MONTHS = ("January February March April May June July August September October November "
          "December").split()


def iso_problem(match: re.Match) -> str | None:
    """An ISO-looking date that is not a real one (month 13, day 45, 25:00...)."""
    try:
        datetime(*(int(match[part] or 0) for part in ("y", "m", "d", "H", "M", "S")))
    except ValueError:
        return (f"'{match[0]}' is not a real date (months run 1 to 12, days to 28-31, "
                f"hours to 23): {HOW}")
    return None


def ambiguous(first: int, second: int, year: str) -> str | None:
    """`01/12/2026` reads as 1 December or 12 January: say both, and how to write each."""
    if first > 12 or second > 12 or first == second:
        return None
    full = year if len(year) == 4 else f"20{year}"
    day_first = f"{full}-{second:02d}-{first:02d}"
    month_first = f"{full}-{first:02d}-{second:02d}"
    return (f"'{first:02d}/{second:02d}/{year}' could be {first} {MONTHS[second - 1]} or "
            f"{second} {MONTHS[first - 1]} {full}: write {day_first} or {month_first} (YYYY-MM-DD)")


def date_problem(text: str, parse: Callable[[str], object]) -> str | None:
    """What is wrong with a date as written, or None. `parse` is the reader's own (Pelican's)."""
    value = " ".join(text.replace("_", " ").split())
    if not value:
        return f"empty: {HOW}"
    iso = ISO.fullmatch(value)
    if iso:
        return iso_problem(iso)
    numeric = NUMERIC.fullmatch(value)
    if numeric:
        problem = ambiguous(int(numeric[1]), int(numeric[3]), numeric[4])
        if problem:
            return problem
    elif not (MONTH_WORDS.search(value) and re.search(r"\b\d{4}\b", value)
              and re.search(r"(?<!\d)\d{1,2}(?!\d)(?!:)", value)):
        return f"'{value}' is not a date Relais can read: {HOW}"
    try:
        parse(value)
    except (ValueError, OverflowError):
        return f"'{value}' is not a date Relais can read: {HOW}"
    return None
