"""Pelican glue for the content checks: every content problem, found before anything is written.

- Dates are read strictly (`relais.plugins.checks.dates`): Pelican leaves out a
  file whose date it cannot read, or reads `01/12/2026` as 12 January.
- Pelican's own lines about files it leaves out ("Could not process",
  "Skipping ...: could not find information about 'title'") are taken from its
  log and reported as `file:line: Field: what to do`.
- Once every file is read: unknown metadata fields, unknown languages, links
  to files that are not there, and the images the settings name.
- Just before the first page is written, the build's report stops the build
  with every problem at once (CONTENT_LENIENT: logs them as warnings).
"""

from __future__ import annotations

import functools
import logging
import os
import re
import sys
from pathlib import Path

from pelican.readers import _DISCARD as DISCARD  # Pelican's mark for a field to drop
from pelican.utils import get_date
from relais.plugins.checks.dates import date_problem
from relais.plugins.checks.fields import field_problem, path_fields
from relais.plugins.checks.languages import language_problem
from relais.plugins.checks.links import advice, broken, link_pattern, links_in

from relais.fields import known_fields
from relais.problems import REPORT_KEY, ContentReport, header_lines, report_for
from relais.settings import SETTINGS_FILE

DATE_FIELDS = {"date": "Date", "modified": "Modified"}
# Pelican fields where nothing means something: `url:` empty is the site's root, `save_as:`
# empty is "write no page"; every other empty field counts as absent.
MEANINGFUL_EMPTY = frozenset({"url", "save_as", "lang_url", "lang_save_as"})


class MetadataProblem(ValueError):
    """A metadata value Pelican would misread: the file is left out of the build and reported."""

    def __init__(self, field: str, message: str):
        self.field, self.message = field, message
        super().__init__(f"{field}: {message}")


class LeftOut(logging.Filter):
    """Pelican's own lines about the files it leaves out, kept to be reported as problems.

    Pelican logs "Could not process <file>" (while the error is being handled,
    so the error is still at hand) or "Skipping <file>: could not find
    information about 'title'"; "Unable to find '<link>'" is the link check's.
    """

    def __init__(self):
        super().__init__()
        self.files: list[tuple[str, object]] = []

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        if message.startswith("Could not process") and record.args:
            self.files.append((str(record.args[0]), sys.exc_info()[1]))
            return False
        if message.startswith("Skipping %s: could not find information about") and record.args:
            content, prop = record.args[0], record.args[1]
            self.files.append((getattr(content, "source_path", str(content)), str(prop)))
            return False
        return not message.startswith("Unable to find")


LEFT_OUT = LeftOut()


def start_report(pelican) -> None:
    """A fresh report for this build, and Pelican's lines about left-out files caught."""
    settings = pelican.settings
    settings[REPORT_KEY] = ContentReport(bool(settings.get("CONTENT_LENIENT")))
    LEFT_OUT.files.clear()
    for name in ("pelican.generators", "pelican.contents"):
        logger = logging.getLogger(name)
        if LEFT_OUT not in logger.filters:
            logger.addFilter(LEFT_OUT)


def checked_readers(readers) -> None:
    """Every reader refuses a date it would misread (the file is then reported) and takes an
    empty field (`Summary:` with nothing after it) as no field at all."""
    for extension, cls in readers.reader_classes.items():
        if cls is not None and not getattr(cls, "relais_checked", False):
            readers.reader_classes[extension] = checked_reader(cls)


@functools.cache
def checked_reader(cls):
    """`cls` reading `Date` and `Modified` strictly, empty fields left out; same name (Pelican
    records it)."""

    class Checked(cls):
        relais_checked = True

        def process_metadata(self, name, value):
            if isinstance(value, str) and not value.strip() and name not in MEANINGFUL_EMPTY:
                return DISCARD
            if name in DATE_FIELDS and isinstance(value, str):
                problem = date_problem(value, get_date)
                if problem:
                    raise MetadataProblem(DATE_FIELDS[name], problem)
            return super().process_metadata(name, value)

    Checked.__name__ = Checked.__qualname__ = cls.__name__
    return Checked


def report_left_out(report: ContentReport, settings) -> None:
    """Each file Pelican left out, with the reason in the writer's terms."""
    for path, reason in LEFT_OUT.files:
        source = Path(settings["PATH"], path)
        if isinstance(reason, MetadataProblem):
            report.add(source, reason.field, reason.message)
        elif not any(re.match(r"\s*[A-Za-z0-9_-]+\s*:", line)
                     for line in header_lines(report.source(source))):
            report.add(source, "Title", "the file has no metadata: start it with lines such as "
                       "'Title: ...' and 'Date: YYYY-MM-DD HH:MM', then a blank line", line=1)
        elif reason in ("title", "date"):
            example = "Title: Mon titre" if reason == "title" else "Date: 2026-03-14 10:30"
            report.add(source, reason.capitalize(), f"missing: add a line such as '{example}' "
                       "to the metadata at the top", line=1)
        else:
            report.add(source, "File", f"Pelican could not read it ({reason}); fix it or move "
                       "it out of the content folder", line=1)
    LEFT_OUT.files.clear()


def site_fields(settings) -> dict[str, str]:
    """Every field a post of this site may carry, and the names the site's settings add."""
    extra = [*settings.get("CONTENT_FIELDS", ()), *settings.get("DEFAULT_METADATA", {}),
             *path_fields([settings.get("FILENAME_METADATA"), settings.get("PATH_METADATA")]),
             "reader"]
    for metadata in (settings.get("EXTRA_PATH_METADATA") or {}).values():
        extra.extend(metadata)
    for name in ("ARTICLE_ORDER_BY", "PAGE_ORDER_BY", "ARTICLE_TRANSLATION_ID",
                 "PAGE_TRANSLATION_ID"):
        value = settings.get(name)
        if isinstance(value, str):
            extra.append(value.removeprefix("reversed-"))
    return known_fields(extra)


def written_name(text: str, key: str) -> str:
    """A field's name as the writer wrote it (Pelican keeps it in lower case)."""
    pattern = re.compile(rf"^\s*({re.escape(key)})\s*:", re.IGNORECASE)
    for line in header_lines(text):
        match = pattern.match(line)
        if match:
            return match[1]
    return key


def check_item(report: ContentReport, item, known: dict[str, str]) -> None:
    for key in item.metadata:
        if key not in known:
            name = written_name(report.source(item.source_path), key)
            report.add(item.source_path, name, field_problem(name, known))
    lang = item.metadata.get("lang")
    if isinstance(lang, str):
        problem = language_problem(lang)
        if problem:
            report.add(item.source_path, "Lang", problem)


def check_links(report: ContentReport, item, pattern, pages, files) -> None:
    summary = item.metadata.get("summary")
    for text in (item._content, summary if isinstance(summary, str) else ""):
        for link in links_in(text, pattern):
            if broken(link, item.relative_dir, pages, files):
                report.add(item.source_path, "Link", advice(link), needle=link.written)


def settings_photos(settings) -> list[tuple[str, str]]:
    """The images the settings name: (setting as shown, path) for each card with a photo."""
    cards = [("AUTHOR_CARD", settings.get("AUTHOR_CARD") or {})]
    cards += [(f"AUTHOR_CARDS[{name!r}]", card)
              for name, card in (settings.get("AUTHOR_CARDS") or {}).items()]
    return [(shown, card["photo"]) for shown, card in cards
            if isinstance(card, dict) and isinstance(card.get("photo"), str) and card["photo"]
            and not re.match(r"^[a-z]+:", card["photo"])]


def check_settings_images(report: ContentReport, settings, files) -> None:
    for shown, photo in settings_photos(settings):
        relative = photo.removeprefix("{static}").lstrip("/")
        if relative in files:
            continue
        if Path(settings["PATH"], relative).is_file():
            what = (f"photo '{photo}' is not copied into the site: add its folder to "
                    f"STATIC_PATHS (e.g. '{relative.split('/')[0]}')")
        else:
            what = f"photo '{photo}': no such file under the content folder; put it there or fix the path"
        path, line = settings_source(settings, photo)
        report.add(path, shown, what, line=line)


def settings_source(settings, needle: str) -> tuple[str, int]:
    """The settings file (or a file it star-imports) and the line that holds `needle`."""
    first = settings.get(SETTINGS_FILE)
    if not first:
        return "settings", 1
    files = [Path(first)]
    text = files[0].read_text(encoding="utf-8", errors="replace")
    for name in re.findall(r"^from\s+([\w.]+)\s+import\s+\*", text, re.M):
        module = sys.modules.get(name)
        files.append(Path(getattr(module, "__file__", None) or files[0].with_name(f"{name}.py")))
    for path in files:
        try:
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        for number, line in enumerate(lines, start=1):
            if needle in line:
                return str(path), number
    return first, 1


def check_everything(generator) -> None:
    """Once every file is read (the static files last): the checks that need them all."""
    settings = generator.settings
    context = generator.context
    report = report_for(settings)
    report_left_out(report, settings)
    known = site_fields(settings)
    pattern = link_pattern(settings["INTRASITE_LINK_REGEX"])
    contents = {path: item for path, item in context.get("generated_content", {}).items()
                if item is not None}  # None: a file Pelican could not read
    root = settings["PATH"]
    files = {path for path in context.get("static_content", {})
             if os.path.isfile(os.path.join(root, path))}
    for item in contents.values():
        check_item(report, item, known)
        check_links(report, item, pattern, contents, files)
    check_settings_images(report, settings, files)


def stop_on_problems(pelican) -> None:
    """Before the first page is written: every content problem found, at once."""
    report_for(pelican.settings).stop()
