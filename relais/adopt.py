"""`relais adopt [DIR]`: Relais for an existing Pelican site, without changing its content.

What it does, in order:

1. reads the site's settings as Pelican does (`pelicanconf.py`, and
   `publishconf.py` when there is one) and builds the site as it is, with
   plain Pelican, into a temporary folder (what must still be there after);
2. decides the changes (`plan`, pure): a clearly marked block appended to
   `pelicanconf.py` (Relais's theme and plugins, Pelican's feeds kept with
   their entry ids, `SOCIAL` as `REL_ME`, other paths where Relais's own
   pages would land on one of the site's), `content/blogroll.yaml` from
   `LINKS`, `publishconf.py` when there is none;
3. writes them, builds with Relais into another temporary folder and checks
   that every page and feed of the plain build is still there, at the same
   URL, and every feed with the same entry ids;
4. prints the report: what changed, what was kept, what could not be mapped.

The content folder is never written to except for the new blogroll file;
URL settings are never changed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import click
import yaml

MARKER = "# --- Relais: added by `relais adopt`"
FEED_SUFFIXES = (".xml", ".atom", ".rss", ".json")

# Settings Pelican documents (or themes commonly share) that are not in its DEFAULT_CONFIG:
# not worth reporting as "not mapped".
KNOWN = {"AUTHOR", "SITEURL", "SITESUBTITLE", "TIMEZONE", "FEED_DOMAIN", "MENUITEMS", "LINKS",
         "SOCIAL", "LOCALE", "DEFAULT_DATE", "PLUGIN_PATHS", "PLUGINS", "THEME", "PATH",
         "OUTPUT_PATH", "DEFAULT_LANG", "RELATIVE_URLS", "DELETE_OUTPUT_DIRECTORY",
         "DEFAULT_PAGINATION", "SITENAME", "STATIC_PATHS", "EXTRA_PATH_METADATA",
         "ARTICLE_PATHS", "PAGE_PATHS", "TYPOGRIFY", "MARKDOWN", "SUMMARY_MAX_LENGTH",
         "DISPLAY_PAGES_ON_MENU", "DISPLAY_CATEGORIES_ON_MENU", "CACHE_CONTENT",
         "LOAD_CONTENT_CACHE", "ARTICLE_ORDER_BY", "DEFAULT_METADATA", "FILENAME_METADATA",
         "PATH_METADATA", "USE_FOLDER_AS_CATEGORY", "TEMPLATE_PAGES", "DIRECT_TEMPLATES",
         "SLUGIFY_SOURCE", "FEED_MAX_ITEMS", "RSS_FEED_SUMMARY_ONLY", "FEED_APPEND_REF"}

# Plugins that overlap with one of Relais's: kept, with a word on what to expect.
OVERLAPS = {
    "series": "maker_stories reads the same Series and series_index; the series pages are "
              "Relais's — remove the plugin if its templates are no longer used",
    "webring": "the blogroll shows the creators you follow, from content/blogroll.yaml",
    "i18n_subsites": "Relais writes translations under /<lang>/ with your *_LANG_URL settings; "
                     "the subsites are still built by the plugin",
}


class AdoptError(Exception):
    """The site cannot be adopted; one line saying why."""


@dataclass
class Plan:
    block: str  # appended to pelicanconf.py
    publish_block: str = ""  # appended to publishconf.py when it does not import pelicanconf
    new_files: dict[str, str] = field(default_factory=dict)  # path -> text
    changed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Options:
    keep_theme: bool = False
    site_url: str = ""
    today: date = field(default_factory=date.today)


# --- reading the site ------------------------------------------------------------------------


@contextmanager
def in_folder(folder: Path):
    """Run the site's settings files as Pelican does: from their folder, fresh modules."""
    cwd, path = os.getcwd(), list(sys.path)
    saved = {name: sys.modules.pop(name) for name in ("pelicanconf", "publishconf")
             if name in sys.modules}
    os.chdir(folder)
    sys.path.insert(0, str(folder))
    try:
        yield
    finally:
        os.chdir(cwd)
        sys.path[:] = path
        for name in ("pelicanconf", "publishconf"):
            sys.modules.pop(name, None)
        sys.modules.update(saved)


def read_site(folder: Path, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(what the file itself sets, the settings Pelican builds from it) for `folder/name`."""
    from pelican.settings import get_settings_from_file, read_settings

    path = folder / name
    with in_folder(folder):
        try:
            own = get_settings_from_file(str(path))
            for module in ("pelicanconf", "publishconf"):
                sys.modules.pop(module, None)
            effective = read_settings(str(path))
        except Exception as error:  # the user's own code: any failure is one line
            raise AdoptError(f"{path}: cannot be read ({type(error).__name__}: {error})") from None
    return own, effective


# --- deciding --------------------------------------------------------------------------------


def _py(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _is_http(url: Any) -> bool:
    return isinstance(url, str) and url.startswith(("http://", "https://"))


def _pairs(value: Any) -> list[tuple[str, str]]:
    """LINKS / SOCIAL entries as (label, url) pairs; anything else is dropped."""
    pairs = []
    for item in value or ():
        if isinstance(item, list | tuple) and len(item) >= 2:
            pairs.append((str(item[0]), str(item[1])))
    return pairs


def pelican_feeds(settings: Mapping[str, Any]) -> list[str]:
    """The feed paths Pelican's settings ask for (with `{slug}` / `{lang}` left in)."""
    from relais.plugins.feeds.config import PELICAN_FEEDS

    return [str(settings[name]) for name in PELICAN_FEEDS if settings.get(name)]


def plugin_names(value: Any) -> list[str]:
    return [getattr(p, "__name__", str(p)) for p in value or ()]


def namespace_plugins() -> list[str]:
    """The plugins Pelican loads by itself when PLUGINS is not set (installed namespace ones)."""
    try:
        from pelican.plugins._utils import get_namespace_plugins
    except ImportError:  # pragma: no cover (Pelican < 4.5)
        return []
    return sorted(get_namespace_plugins())


def free_path(wanted: str, taken: set[str], fallback: str) -> str | None:
    """None when `wanted` (a URL ending in /) is free in the plain build, else `fallback`."""
    return fallback if f"{wanted}index.html" in taken else None


def plan(own: Mapping[str, Any], dev: Mapping[str, Any], pub: Mapping[str, Any] | None,
         pub_text: str | None, options: Options, plain_files: set[str],
         relais_plugins: list[str], blogroll: tuple[str, bool]) -> Plan:
    """What adopting the site changes, and the report. Pure.

    `own`: what pelicanconf.py itself sets; `dev`/`pub`: the settings Pelican builds
    from pelicanconf.py / publishconf.py; `plain_files`: the files of the plain build;
    `blogroll`: the blogroll file's path in the site's folder, and whether it exists.
    """
    published = pub or dev
    lines = [f"{MARKER} on {options.today.isoformat()} (pip install relais) ---",
             "# Everything above is as it was; delete this block to go back to plain Pelican.",
             "import relais as _relais  # noqa: E402", ""]
    result = Plan(block="")

    # theme
    theme = str(own["THEME"]) if own.get("THEME") else "notmyidea, Pelican's default"
    if options.keep_theme:
        result.kept.append(f"THEME: yours ({theme}); Relais's pages use their own templates in it")
    else:
        lines.append(f"THEME = _relais.THEME  # was {theme}")
        result.changed.append(f"THEME: Relais's theme (was {theme}); `relais adopt --keep-theme` "
                              "keeps yours")

    # plugins
    had = plugin_names(own.get("PLUGINS")) if own.get("PLUGINS") is not None else None
    if had is None:
        autoloaded = namespace_plugins()
        lines.append(f"PLUGINS = {_py(autoloaded)} + _relais.PLUGINS")
        if autoloaded:
            result.changed.append("PLUGINS: was not set, so Pelican loaded every installed plugin "
                                  f"({', '.join(autoloaded)}); now listed, with Relais's")
    else:
        lines.append("PLUGINS = list(PLUGINS) + [p for p in _relais.PLUGINS "
                     "if p not in PLUGINS]  # noqa: F405")
    kept_plugins = had if had is not None else namespace_plugins()
    result.changed.append(f"PLUGINS: {', '.join(p.rsplit('.', 1)[-1] for p in relais_plugins)} "
                          "added" + (f"; kept: {', '.join(kept_plugins)}" if kept_plugins else ""))
    for plugin in kept_plugins:
        note = OVERLAPS.get(plugin.rsplit(".", 1)[-1])
        if note:
            result.unmapped.append(f"plugin {plugin}: {note}")

    # feeds
    legacy = pelican_feeds(published)
    lines += ['FEEDS_PELICAN_FEEDS = True  # Pelican\'s feeds stay at their paths (Relais writes them)',
              'FEEDS_ID_AUTHORITY = "pelican"  # with the entry ids Pelican gave: no post shows twice']
    if legacy:
        result.changed.append("feeds: kept at their paths with the same entry ids: "
                              + ", ".join(legacy) + "; Relais's own feeds (stories, tags, "
                              "authors, languages, JSON Feed) added beside them")
    else:
        result.changed.append("feeds: the site had none; Relais's feeds are added (written when "
                              "SITEURL is absolute, i.e. with publishconf.py)")

    # SOCIAL -> REL_ME
    social = _pairs(published.get("SOCIAL"))
    profiles = [(label, url) for label, url in social if _is_http(url)]
    if profiles and not published.get("REL_ME"):
        lines.append(f"REL_ME = {_py([list(p) for p in profiles])}  # from SOCIAL")
        result.changed.append(f"SOCIAL -> REL_ME: {len(profiles)} profile(s) linked with rel=\"me\"")
    for label, url in social:
        if not _is_http(url):
            result.unmapped.append(f"SOCIAL ({label}, {url}): not an http(s) profile, so not a "
                                   "rel=\"me\" link; still shown in the footer")

    # LINKS -> blogroll
    links = _pairs(published.get("LINKS"))
    creators, seen = [], set()
    for label, url in links:
        if _is_http(url) and url.rstrip("/") not in seen:
            seen.add(url.rstrip("/"))
            creators.append({"name": label, "site": url})
        else:
            result.unmapped.append(f"LINKS ({label}, {url}): not an outside http(s) site (or a "
                                   "second link to one), so not in the blogroll")
    blogroll_path, blogroll_exists = blogroll
    if creators and blogroll_exists:
        result.kept.append(f"{blogroll_path}: already there, LINKS not merged into it")
    elif creators:
        result.new_files[blogroll_path] = (
            "# The creators you follow, from LINKS (written by `relais adopt`): add a note,\n"
            "# interests and rel to each; `relais blogroll refresh` fetches their latest posts.\n"
            + yaml.safe_dump({"creators": creators}, allow_unicode=True, sort_keys=False))
        result.changed.append(f"LINKS -> {blogroll_path}: {len(creators)} creator(s) in the "
                              "blogroll (page /blogroll/, OPML)")

    # Relais's own pages where the site already has a page
    lang = str(dev.get("DEFAULT_LANG") or "en")
    for setting, wanted, fallback, what in (
        ("FEEDS_FOLLOW_PAGES", "follow/", "follow-this-site/", "the follow page"),
        ("BLOGROLL_URL", "blogroll/", "people-i-follow/", "the blogroll page"),
        ("SERIES_INDEX_URL", "series/", "all-series/", "the list of series"),
    ):
        moved = free_path(wanted, plain_files, fallback)
        if moved:
            if setting == "FEEDS_FOLLOW_PAGES":
                lines.append(f"FEEDS_FOLLOW_PAGES = {_py({lang: moved})}  # /{wanted} is yours")
            else:
                save_as = setting.replace("_URL", "_SAVE_AS")
                lines.append(f"{setting} = {_py(moved)}  # /{wanted} is yours")
                lines.append(f"{save_as} = {_py(moved + 'index.html')}")
            result.changed.append(f"{what}: at /{moved}, since /{wanted} is one of your pages")

    # the menu, pages and URLs
    menu = _pairs(published.get("MENUITEMS"))
    result.kept.append("content: untouched; URL settings unchanged (every page keeps its URL)")
    if menu or published.get("DISPLAY_PAGES_ON_MENU", True):
        shown = [f"MENUITEMS ({len(menu)})"] if menu else []
        if published.get("DISPLAY_PAGES_ON_MENU", True):
            shown.append("the pages (DISPLAY_PAGES_ON_MENU)")
        if published.get("DISPLAY_CATEGORIES_ON_MENU"):
            shown.append("the categories (DISPLAY_CATEGORIES_ON_MENU)")
        result.kept.append("menu: " + ", ".join(shown))

    # publishconf.py
    site_url = options.site_url or (str(dev.get("SITEURL") or "") if _is_http(dev.get("SITEURL"))
                                    else "")
    if pub is None:
        result.new_files["publishconf.py"] = publishconf(site_url.rstrip("/"))
        result.changed.append("publishconf.py: written (absolute URLs"
                              + (f", SITEURL {site_url})" if site_url else ")"))
        if not site_url:
            result.unmapped.append("SITEURL: not known; set it in publishconf.py (or run adopt with "
                                   "--siteurl) before `relais publish`")
    elif pub_text is not None and "from pelicanconf import" not in pub_text:
        result.publish_block = "\n".join(lines[:4] + [ln for ln in lines[4:]
                                                       if ln.startswith(("PLUGINS", "THEME"))])
        result.changed.append("publishconf.py: it does not import pelicanconf.py, so the theme and "
                              "plugins lines are appended to it too")

    # settings of the old theme
    if not options.keep_theme:
        from pelican.settings import DEFAULT_CONFIG

        from relais.plugins.feeds.config import PELICAN_FEEDS
        from relais.settings import registered

        relais_names = {s.name for s in registered()}
        url_settings = {n.rsplit("_", 1)[0] for n in [*DEFAULT_CONFIG, *own] if n.endswith("_SAVE_AS")}
        url_settings |= set(PELICAN_FEEDS)  # FEED_ALL_ATOM_URL and the like
        unused = sorted(name for name in own if name not in DEFAULT_CONFIG and name not in KNOWN
                        and name not in relais_names and not name.endswith("_SAVE_AS")
                        and not (name.endswith("_URL") and name[:-4] in url_settings))
        if unused:
            result.unmapped.append("settings Relais's theme does not use (your theme did): "
                                   + ", ".join(unused))
    result.block = "\n".join(lines) + "\n"
    return result


def publishconf(site_url: str) -> str:
    return f'''"""Production settings, written by `relais adopt`: everything in pelicanconf.py, with
the site's public address and absolute URLs. `relais publish` uses this file."""

import os
import sys

sys.path.append(os.path.dirname(os.path.abspath(__file__)))

from pelicanconf import *  # noqa: E402,F403

SITEURL = {_py(site_url)}  # the public address, e.g. "https://example.org"
RELATIVE_URLS = False
PUBLISH_TO = "none"  # "git" (a gh-pages branch) or "folder": see Relais's README
'''


# --- building and checking -------------------------------------------------------------------


def run_build(command: list[str], folder: Path) -> tuple[bool, str]:
    result = subprocess.run([sys.executable, "-m", *command], cwd=folder, capture_output=True,
                            text=True, timeout=1800)
    lines = [ln for ln in (result.stderr or result.stdout).strip().splitlines() if ln.strip()]
    return result.returncode == 0, "\n".join(ln for ln in lines if ln.startswith("error:")) or (
        lines[-1] if lines else "")


def files_of(output: Path) -> set[str]:
    return {p.relative_to(output).as_posix() for p in output.rglob("*") if p.is_file()}


def pages_and_feeds(files: set[str], feed_paths: list[str]) -> tuple[set[str], set[str]]:
    """The HTML pages, and the feed files (by suffix, or matching a feed setting's path)."""
    import fnmatch

    patterns = [p.format(slug="*", lang="*") for p in feed_paths]
    feeds = {f for f in files if any(fnmatch.fnmatch(f, pattern) for pattern in patterns)
             or (f.startswith("feeds/") and f.endswith(FEED_SUFFIXES))}
    return {f for f in files if f.endswith(".html")}, feeds


def entry_ids(path: Path) -> list[str]:
    import feedparser

    return sorted(entry.get("id", "") for entry in feedparser.parse(path.read_bytes()).entries)


def compare(plain: Path, adopted: Path, feed_paths: list[str]) -> list[str]:
    """Problems: a page or feed of the plain build missing, a feed whose entry ids changed."""
    pages, feeds = pages_and_feeds(files_of(plain), feed_paths)
    problems = [f"missing after adoption: /{page}" for page in sorted(pages)
                if not (adopted / page).is_file()]
    for feed in sorted(feeds):
        if not (adopted / feed).is_file():
            problems.append(f"missing after adoption: /{feed}")
        elif entry_ids(plain / feed) != entry_ids(adopted / feed):
            problems.append(f"entry ids changed in /{feed}")
    return problems


# --- the command -----------------------------------------------------------------------------


def adopt(folder: Path, options: Options, *, dry_run: bool = False, check: bool = True,
          echo=click.echo) -> bool:
    """Adopt the site in `folder`; print the report; True when the check found nothing wrong."""
    folder = folder.resolve()
    dev_file, pub_file = folder / "pelicanconf.py", folder / "publishconf.py"
    if not dev_file.is_file():
        raise AdoptError(f"{folder}: no pelicanconf.py here; for a new site: relais init {folder}")
    text = dev_file.read_text(encoding="utf-8")
    if MARKER in text:
        raise AdoptError(f"{dev_file}: already adopted (it has the Relais block); to adopt again, "
                         "delete that block first")
    own, dev = read_site(folder, "pelicanconf.py")
    pub = read_site(folder, "publishconf.py")[1] if pub_file.is_file() else None
    build_file = "publishconf.py" if pub is not None else "pelicanconf.py"
    feed_paths = pelican_feeds(pub or dev)

    with tempfile.TemporaryDirectory(prefix="relais-adopt-") as scratch:
        plain_out, relais_out = Path(scratch) / "plain", Path(scratch) / "relais"
        plain_ok, plain_error = (run_build(["pelican", "-q", "-s", build_file, "-o", str(plain_out)],
                                           folder) if check else (False, "not checked (--no-check)"))
        plain_files = files_of(plain_out) if plain_ok else set()
        from relais import PLUGINS

        blogroll = Path(str(dev.get("PATH") or folder)) / "blogroll.yaml"
        decided = plan(own, dev, pub, pub_file.read_text(encoding="utf-8") if pub else None,
                       options, plain_files, PLUGINS,
                       (os.path.relpath(blogroll, folder.resolve()), blogroll.exists()))
        if not dry_run:
            write(folder, decided, dev_file, pub_file)
        report(echo, folder, decided, dry_run)
        if dry_run or not check:
            return True
        if not plain_ok:
            echo(f"check: the site does not build with plain Pelican as it is ({plain_error}); "
                 "nothing to compare with")
        relais_ok, relais_error = run_build(["relais.cli", "build", "-s", build_file, "-o",
                                             str(relais_out)], folder)
        if not relais_ok:
            echo("check: `relais build` stops; fix these, then build again:")
            for line in relais_error.splitlines():
                echo(f"  {line.removeprefix('error: ')}")
            return False
        if not plain_ok:
            return True
        problems = compare(plain_out, relais_out, feed_paths)
        pages, feeds = pages_and_feeds(plain_files, feed_paths)
        if problems:
            echo("check: " + "; ".join(problems))
            return False
        echo(f"check: all {len(pages)} pages of the plain Pelican build are at the same URL, and "
             f"its {len(feeds)} feed file(s) at their path with the same entry ids")
    return True


def write(folder: Path, decided: Plan, dev_file: Path, pub_file: Path) -> None:
    with dev_file.open("a", encoding="utf-8") as handle:
        handle.write("\n\n" + decided.block)
    if decided.publish_block:
        with pub_file.open("a", encoding="utf-8") as handle:
            handle.write("\n\n" + decided.publish_block + "\n")
    for relative, text in decided.new_files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def report(echo, folder: Path, decided: Plan, dry_run: bool) -> None:
    echo(f"{'Would adopt' if dry_run else 'Adopted'} {folder.resolve()}:")
    for title, lines in (("changed", decided.changed), ("kept", decided.kept),
                         ("not mapped", decided.unmapped)):
        if lines:
            echo(f"{title}:")
            for line in lines:
                echo(f"  {line}")


@click.command("adopt")
@click.argument("folder", default=".", type=click.Path(file_okay=False, exists=True))
@click.option("--keep-theme", is_flag=True, help="Keep the site's theme (Relais's pages use "
              "their own templates in it).")
@click.option("--siteurl", default="", help="The public address, for a publishconf.py written "
              "when the site has none.")
@click.option("--dry-run", is_flag=True, help="Print the report; write nothing.")
@click.option("--no-check", is_flag=True, help="Do not build the site before and after.")
def adopt_command(folder, keep_theme, siteurl, dry_run, no_check):
    """Add Relais to the Pelican site in FOLDER without changing its content, URLs or feeds."""
    if siteurl and not _is_http(siteurl):
        click.echo(f"error: --siteurl {siteurl}: not an http(s) URL", err=True)
        sys.exit(1)
    try:
        fine = adopt(Path(folder), Options(keep_theme=keep_theme, site_url=siteurl),
                     dry_run=dry_run, check=not no_check)
    except AdoptError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    sys.exit(0 if fine else 1)
