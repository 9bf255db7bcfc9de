"""Build-stopping reports: one or more `where: what` lines, all found before anything is written.

`relais build` prints each line as `error: <line>`; plugins raise a subclass
of `ProblemLines` rather than each inventing its own. Content problems (a
post's metadata, its links, files the settings name) go into the build's one
`ContentReport`, so that every problem of every file is listed at once, as
`file:line: Field: what to do`; the report stops the build before any page
is written, or, for a lenient build (`relais build --lenient`), logs each line
as a warning instead.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, MutableMapping
from pathlib import Path
from typing import Any

log = logging.getLogger("relais.problems")

# The settings key under which a build keeps its report, and the setting that softens it.
REPORT_KEY = "_relais_content_report"
LENIENT_SETTING = "CONTENT_LENIENT"


class ProblemLines(Exception):
    """One or more problems, each a complete line naming the file, field or URL."""

    def __init__(self, lines: list[str]):
        self.lines = list(lines)
        super().__init__("\n".join(self.lines))


class ContentProblems(ProblemLines):
    """Problems in the content of one or more files, one `file:line: Field: what` line each."""


def shown_path(path: str | os.PathLike) -> str:
    """A path as the user would type it: relative to where the build runs, when inside it."""
    path = str(path)
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def header_lines(text: str) -> list[str]:
    """The metadata block of a source: its lines up to the first blank one."""
    lines = text.splitlines()
    return lines[: next((n for n, line in enumerate(lines) if not line.strip()), len(lines))]


def field_line(text: str, names: Iterable[str | None]) -> int | None:
    """The line where the first of `names` is given (`Name:`, `:name:` or `<meta name>`)."""
    lines = text.splitlines()
    header = header_lines(text)
    for name in names:
        if not name:
            continue
        escaped = re.escape(name)
        markdown = re.compile(rf"^\s*{escaped}\s*:", re.IGNORECASE)
        for number, line in enumerate(header, start=1):
            if markdown.match(line):
                return number
        other = re.compile(rf"^\s*:{escaped}:|<meta\s+name=[\"']{escaped}[\"']", re.IGNORECASE)
        for number, line in enumerate(lines, start=1):
            if other.search(line):
                return number
    return None


def text_line(text: str, needle: str) -> int | None:
    """The first line of `text` that is `needle` (alone, or as the value of a `Field:`),
    else the first that contains it."""
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped == needle or (stripped.endswith(needle) and
                                  stripped[:-len(needle)].rstrip().endswith(":")):
            return number
    for number, line in enumerate(lines, start=1):
        if needle in line:
            return number
    return None


class ContentReport:
    """The content problems of one build, reported together before any page is written."""

    def __init__(self, lenient: bool = False):
        self.lenient = lenient
        self.problems: set[tuple[str, int, str]] = set()
        self._texts: dict[str, str] = {}

    def source(self, path: str | os.PathLike) -> str:
        """A source file's text, read once (empty if it cannot be read)."""
        key = str(path)
        if key not in self._texts:
            try:
                self._texts[key] = Path(key).read_text(encoding="utf-8", errors="replace")
            except OSError:
                self._texts[key] = ""
        return self._texts[key]

    def add(self, path: str | os.PathLike, field: str, message: str, *, line: int | None = None,
            near: Iterable[str | None] = (), needle: str | None = None) -> None:
        """One problem of `path`. Its line is `line`, else where `needle` appears, else where
        `field` (or a field of `near`, the one that asked for it) is given, else 1."""
        if line is None and needle:
            line = text_line(self.source(path), needle)
        if line is None:
            line = field_line(self.source(path), (field, *near))
        self.problems.add((shown_path(path), line or 1, f"{field}: {message}"))

    def lines(self) -> list[str]:
        return [f"{path}:{line}: {text}" for path, line, text in sorted(self.problems)]

    def stop(self) -> None:
        """Stop the build with every problem found so far (lenient: log each as a warning)."""
        if not self.problems:
            return
        lines = self.lines()
        self.problems.clear()
        if not self.lenient:
            raise ContentProblems(lines)
        for line in lines:
            log.warning("%s", line)


def report_for(settings: MutableMapping[str, Any]) -> ContentReport:
    """The build's one content report, kept in its settings (it dies with the build)."""
    report = settings.get(REPORT_KEY)
    if report is None:
        report = settings[REPORT_KEY] = ContentReport(bool(settings.get(LENIENT_SETTING)))
    return report
