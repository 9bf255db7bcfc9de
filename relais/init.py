"""`relais init [DIR]`: a new maker's own site in one command.

Asks (or takes as flags) her name, the site's name, its language(s), its
domain and where it is hosted, then writes the settings, an about page with
her h-card, one example story, an empty blogroll, the publish workflow and a
short README for her. `relais build` works at once, offline; `relais publish
--dry-run` lists what is still missing before the first publish.

`site_files` is pure (answers in, file texts out); `init_command` asks and writes.
"""

from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import dataclass
from datetime import date, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

HOSTS = ("github-pages", "folder", "later")
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
LANGUAGE = re.compile(r"^[a-zA-Z]{2,3}([-_][a-zA-Z0-9]{2,8})*$")


class InitError(Exception):
    """The site cannot be written; one line saying why."""


@dataclass(frozen=True)
class Answers:
    name: str
    site_name: str
    languages: tuple[str, ...] = ("en",)
    domain: str = ""  # host name only, e.g. atelier.example; "" when not known yet
    host: str = "later"
    folder: str = ""  # PUBLISH_FOLDER when host is "folder"
    timezone: str = "UTC"
    now: datetime | None = None  # when `relais init` runs, in `timezone`, to the minute

    def __post_init__(self):
        if self.now is None:
            object.__setattr__(self, "now", current_minute(self.timezone))

    @property
    def today(self) -> date:
        return self.now.date()

    @property
    def lang(self) -> str:
        return self.languages[0]

    @property
    def site_url(self) -> str:
        return f"https://{self.domain}" if self.domain else ""


def current_minute(timezone: str) -> datetime:
    """Now in `timezone` (UTC when it is not a known zone), to the minute: the example
    story's date, never later than the builds that follow (a post dated in the future is
    left out of the feeds)."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return datetime.now(zone).replace(second=0, microsecond=0)


def domain_of(text: str) -> str:
    """`https://Atelier.example/` or `atelier.example` -> `atelier.example`; InitError if not a
    domain name."""
    text = text.strip()
    host = (urlsplit(text).hostname if "://" in text else text.strip("/")) or ""
    host = host.lower()
    if not DOMAIN.match(host):
        raise InitError(f"--domain {text}: not a domain name (e.g. atelier.example)")
    return host


def languages_of(values: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """`fr,en` or several --lang: the first is the site's language."""
    found: list[str] = []
    for value in values:
        for lang in filter(None, (part.strip() for part in value.split(","))):
            if not LANGUAGE.match(lang):
                raise InitError(f"--lang {lang}: not a language code (e.g. en, fr, zh_CN)")
            if lang not in found:
                found.append(lang)
    return tuple(found) or ("en",)


def local_timezone() -> str:
    """The machine's time zone name (TZ, /etc/timezone, /etc/localtime), else UTC."""
    if os.environ.get("TZ", "").count("/") == 1:
        return os.environ["TZ"]
    try:
        name = Path("/etc/timezone").read_text(encoding="utf-8").strip()
        if name:
            return name
    except OSError:
        pass
    link = Path("/etc/localtime")
    if link.is_symlink() and "zoneinfo/" in str(link.readlink()):
        return str(link.readlink()).split("zoneinfo/", 1)[1]
    return "UTC"


# --- what is written --------------------------------------------------------------------

TEXTS = {
    "en": {
        "tagline": "Things I make, and how",
        "note": "I make things by hand and write down how, mistakes included.",
        "about_title": "About",
        "about": "I am {name}. This site is where I tell how my pieces are made.\n\n"
                 "Replace this text with your own: what you make, where, and why.",
        "story_title": "My first story",
        "story_category": "Workshop",
        "story": "This is an example story: write yours over it (or delete this file).\n\n"
                 "A story tells how a piece is made: the materials, the tools, the time "
                 "it took, what went wrong. `relais new \"Title\"` starts a new one.",
        "materials": "clay; glaze",
        "tools": "wheel",
    },
    "fr": {
        "tagline": "Ce que je fabrique, et comment",
        "note": "Je fabrique à la main et je raconte comment, ratés compris.",
        "about_title": "À propos",
        "about": "Je suis {name}. Ce site raconte comment mes pièces sont faites.\n\n"
                 "Remplacez ce texte par le vôtre : ce que vous faites, où, et pourquoi.",
        "story_title": "Ma première histoire",
        "story_category": "Atelier",
        "story": "Ceci est une histoire d'exemple : écrivez la vôtre par-dessus (ou supprimez "
                 "ce fichier).\n\nUne histoire raconte comment une pièce est faite : les "
                 "matériaux, les outils, le temps passé, ce qui a raté. `relais new \"Titre\"` "
                 "en commence une nouvelle.",
        "materials": "grès; émail",
        "tools": "tour",
    },
}


def _text(lang: str) -> dict[str, str]:
    return TEXTS.get(lang.split("_")[0].split("-")[0].lower(), TEXTS["en"])


def _python(value) -> str:
    """A string, list or dict of strings as Python source (JSON's quoting is Python's)."""
    return json.dumps(value, ensure_ascii=False)


def pelicanconf(a: Answers) -> str:
    t = _text(a.lang)
    follow = {lang: ("follow/" if lang == a.lang else f"{lang}/follow/") for lang in a.languages}
    return f'''"""Development settings of {a.site_name.replace('"', "'")} (relative URLs, nothing published).

Written by `relais init`; every Relais setting is in the README of Relais.
`relais build` uses this file, `relais publish` uses publishconf.py.
"""

import relais

AUTHOR = {_python(a.name)}
SITENAME = {_python(a.site_name)}
SITESUBTITLE = {_python(t["tagline"])}
SITEURL = ""

PATH = "content"
ARTICLE_PATHS = ["posts"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["images"]
THEME = relais.THEME
PLUGINS = relais.PLUGINS

TIMEZONE = {_python(a.timezone)}
DEFAULT_LANG = {_python(a.lang)}

# Pretty, stable URLs: /2026/slug/, pages at /slug/, translations under /<lang>/
ARTICLE_URL = "{{date:%Y}}/{{slug}}/"
ARTICLE_SAVE_AS = "{{date:%Y}}/{{slug}}/index.html"
ARTICLE_LANG_URL = "{{lang}}/{{date:%Y}}/{{slug}}/"
ARTICLE_LANG_SAVE_AS = "{{lang}}/{{date:%Y}}/{{slug}}/index.html"
PAGE_URL = "{{slug}}/"
PAGE_SAVE_AS = "{{slug}}/index.html"
PAGE_LANG_URL = "{{lang}}/{{slug}}/"
PAGE_LANG_SAVE_AS = "{{lang}}/{{slug}}/index.html"
CATEGORY_URL = "category/{{slug}}/"
CATEGORY_SAVE_AS = "category/{{slug}}/index.html"
TAG_URL = "tag/{{slug}}/"
TAG_SAVE_AS = "tag/{{slug}}/index.html"
AUTHOR_URL = "author/{{slug}}/"
AUTHOR_SAVE_AS = "author/{{slug}}/index.html"
ARCHIVES_URL = "archives/"
ARCHIVES_SAVE_AS = "archives/index.html"
DISPLAY_CATEGORIES_ON_MENU = False  # the categories are in the footer
DEFAULT_PAGINATION = 10
PAGINATION_PATTERNS = (
    (1, "{{url}}", "{{save_as}}"),
    (2, "{{base_name}}/page/{{number}}/", "{{base_name}}/page/{{number}}/index.html"),
)

# The feeds come from Relais's feeds plugin (written when publishing): Pelican's own stay off.
FEED_ALL_ATOM = CATEGORY_FEED_ATOM = TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = AUTHOR_FEED_RSS = None
FEEDS_FOLLOW_PAGES = {_python(follow)}

RELATIVE_URLS = True
DELETE_OUTPUT_DIRECTORY = True

# You, on every page (an h-card): add "photo": "images/you.jpg" once the picture is in
# content/images/. REL_ME: your other profiles, e.g. [("Mastodon", "https://…")].
AUTHOR_CARD = {{"name": {_python(a.name)}, "note": {_python(t["note"])}}}
REL_ME = []
'''


def publishconf(a: Answers) -> str:
    if a.host == "github-pages":
        publish = ('PUBLISH_TO = "git"  # the built site is committed to the gh-pages branch\n'
                   'PUBLISH_GIT_REPOSITORY = "origin"\nPUBLISH_GIT_BRANCH = "gh-pages"\n')
    elif a.host == "folder":
        publish = f'PUBLISH_TO = "folder"\nPUBLISH_FOLDER = {_python(a.folder)}  # or "host:path" (rsync)\n'
    else:
        publish = ('PUBLISH_TO = "none"  # "git" (a gh-pages branch) or "folder": see the README\n')
    if a.domain:
        site = (f'SITEURL = {_python(a.site_url)}\n'
                f'FEEDS_ID_AUTHORITY = {_python(f"{a.domain},{a.today.year}")}'
                '  # never change it: readers know your posts by it\n')
        mentions = f"https://webmention.io/{a.domain}/webmention"
    else:
        site = 'SITEURL = ""  # your public address, e.g. "https://atelier.example"\n'
        mentions = "https://webmention.io/YOUR-DOMAIN/webmention"
    return f'''"""Production settings: everything in pelicanconf.py, with the public address.

`relais publish` builds with this file, deploys, then sends the Webmentions
the site owes; `relais publish --dry-run` says what is still missing.
"""

import os
import sys

sys.path.append(os.path.dirname(os.path.abspath(__file__)))

from pelicanconf import *  # noqa: E402,F403

{site}RELATIVE_URLS = False

{publish}
# To receive Webmentions, sign in at https://webmention.io with your domain, then:
# WEBMENTIONS_ENDPOINT = "{mentions}"
'''


def about_page(a: Answers) -> str:
    t = _text(a.lang)
    return f"""Title: {t["about_title"]}
Slug: about
Lang: {a.lang}

<div class="h-card about-card">
<p><a class="p-name u-url u-uid" href="{{index}}">{a.name}</a></p>
<p class="p-note">{t["note"]}</p>
</div>

{t["about"].format(name=a.name)}
"""


def example_story(a: Answers) -> str:
    t = _text(a.lang)
    return f"""Title: {t["story_title"]}
Date: {a.now:%Y-%m-%d %H:%M}
Category: {t["story_category"]}
Tags:
Slug: {re.sub(r"[^a-z0-9]+", "-", t["story_title"].lower()).strip("-") or "story"}
Lang: {a.lang}
Status: idea
Materials: {t["materials"]}
Tools: {t["tools"]}

{t["story"]}
"""


BLOGROLL = """\
# The creators you follow, and why: name and site at least; feed, interests, note,
# rel (XFN: friend, met, colleague…) and groups are optional. Empty, the blogroll is
# hidden. `relais blogroll import subscriptions.opml` fills it from your feed reader;
# `relais blogroll refresh` fetches their latest posts into data/blogroll/.
creators: []
"""


def workflow(a: Answers, relais_version: str) -> str:
    return f"""# Publish on every push to main, and refresh data/ (mentions, blogroll) every day.
# GitHub: Settings > Pages > "Deploy from a branch", gh-pages, / (root).
# Secret (optional): RELAIS_MENTIONS_TOKEN, webmention.io's API token.
name: publish

on:
  push:
    branches: [main]
  schedule:
    - cron: "17 5 * * *"
  workflow_dispatch:

permissions:
  contents: write

concurrency:
  group: publish
  cancel-in-progress: false

jobs:
  publish:
    runs-on: ubuntu-latest
    env:
      RELAIS_MENTIONS_TOKEN: ${{{{ secrets.RELAIS_MENTIONS_TOKEN }}}}
      GIT_AUTHOR_NAME: relais-bot
      GIT_AUTHOR_EMAIL: 41898282+github-actions[bot]@users.noreply.github.com
      GIT_COMMITTER_NAME: relais-bot
      GIT_COMMITTER_EMAIL: 41898282+github-actions[bot]@users.noreply.github.com
    steps:
      - uses: actions/checkout@v4
        with:
          ref: main  # the tip, with the data commits of earlier runs
          fetch-depth: 0
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - run: pip install "relais=={relais_version}"
      - name: Refresh data (scheduled runs)
        if: github.event_name != 'push'
        run: |
          if [ -n "$RELAIS_MENTIONS_TOKEN" ]; then relais mentions fetch; fi
          relais blogroll refresh
      - name: Build, deploy, send Webmentions
        run: relais publish
      - name: Commit data/ back to main
        if: always()
        run: |
          # merged on top of main as it is now: the sent log pair by pair, the other data
          # files as this run left them; a push that lost a race is merged and pushed again
          git add data/ 2>/dev/null || exit 0
          if git diff --cached --quiet; then exit 0; fi
          git commit -q -m "data: after publish run ${{{{ github.run_id }}}}"
          echo "data/** merge=relais-ours" >> .git/info/attributes
          echo "data/webmentions/sent.json merge=relais-sentlog" >> .git/info/attributes
          git config merge.relais-sentlog.driver "relais mentions merge-log %O %A %B"
          git config merge.relais-ours.driver true
          for attempt in 1 2 3 4 5; do
            git fetch -q origin main
            git merge -q --no-edit origin/main -m "data: merge main"
            if git push -q origin HEAD:main; then exit 0; fi
            sleep $((attempt * 2))
          done
          exit 1
"""


def readme(a: Answers) -> str:
    where = {"github-pages": "the `gh-pages` branch of this repository on GitHub",
             "folder": f"`{a.folder}`", "later": "nowhere yet (`PUBLISH_TO` in publishconf.py)"}
    return f"""# {a.site_name}

{a.name}'s site, made with Relais (`pip install relais`) and Pelican.

## Every day

```sh
relais serve                 # the site on http://127.0.0.1:8000/, rebuilt as you write
relais new "A title"         # a new story in content/posts/ (--kind note|reply|like|bookmark)
relais publish               # build, put online, tell the sites you linked to
```

- Stories are Markdown files in `content/posts/`; pages (like `about.md`) in
  `content/pages/`; pictures in `content/images/`.
- `content/posts/{a.today.isoformat()}-*.md` is an example: write over it.
- `content/blogroll.yaml` lists the creators you follow (empty: hidden).

## Before the first publish

`relais publish --dry-run` lists what is missing. The site goes to
{where[a.host]}; its address is `SITEURL` in `publishconf.py`
({a.site_url or "not set yet"}).

- Put this folder in git and push it (`git init`, `git remote add origin …`).
- To receive replies from other sites (Webmentions), sign in at
  <https://webmention.io> with your domain and set `WEBMENTIONS_ENDPOINT` in
  `publishconf.py`.
- `.github/workflows/publish.yml` publishes on every push to `main`.
"""


# data/cache/: the images plugin's encoded photos, made again by any build (docs/images.md)
GITIGNORE = "output/\n__pycache__/\n.venv/\n*.pyc\ndata/cache/\n"


def site_files(a: Answers, relais_version: str) -> dict[str, str]:
    """Every file of the new site, by path relative to its folder."""
    return {
        "pelicanconf.py": pelicanconf(a),
        "publishconf.py": publishconf(a),
        "content/pages/about.md": about_page(a),
        f"content/posts/{a.today.isoformat()}-example.md": example_story(a),
        "content/blogroll.yaml": BLOGROLL,
        "content/images/.gitkeep": "",
        ".github/workflows/publish.yml": workflow(a, relais_version),
        "README.md": readme(a),
        ".gitignore": GITIGNORE,
    }


def write_site(folder: Path, files: dict[str, str]) -> list[Path]:
    """Write the files into `folder`, which must be empty (a `.git` folder may be there)."""
    if folder.exists() and not folder.is_dir():
        raise InitError(f"{folder}: not a folder")
    if folder.is_dir() and any(p.name != ".git" for p in folder.iterdir()):
        raise InitError(f"{folder}: not empty; `relais init` only writes into an empty folder "
                        f"(for an existing Pelican site: relais adopt {folder})")
    written = []
    for relative, text in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def installed_version() -> str:
    try:
        return version("relais")
    except PackageNotFoundError:  # pragma: no cover (always installed when run)
        return "0.1.0"


# --- the command ---------------------------------------------------------------------------


def ask(value, prompt: str, interactive: bool, default=None, missing: list | None = None):
    """The flag's value, else the answer to `prompt` (stdin a terminal), else the default;
    a required value with none is added to `missing`."""
    if value not in (None, ()):
        return value
    if interactive:
        return click.prompt(prompt, default=default, show_default=default is not None)
    if default is None and missing is not None:
        missing.append(prompt)
    return default


@click.command("init")
@click.argument("folder", default=".", type=click.Path(file_okay=False))
@click.option("--name", help="Your name, as the site credits you.")
@click.option("--site-name", help="The site's name.")
@click.option("--lang", "langs", multiple=True,
              help="The site's language (en, fr, zh_CN…); repeat or comma-separate for more.")
@click.option("--domain", help="Its domain, e.g. atelier.example (can be set later).")
@click.option("--host", type=click.Choice(HOSTS), help="Where it is published.")
@click.option("--folder", "publish_folder", default=None,
              help="With --host folder: the folder, or rsync's host:path, that receives it.")
@click.option("--timezone", default=None, help="Your time zone (default: this machine's).")
def init_command(folder, name, site_name, langs, domain, host, publish_folder, timezone):
    """Write a new maker's site into FOLDER (empty or new): ready to build and publish."""
    interactive = sys.stdin.isatty()
    missing: list[str] = []
    try:
        name = ask(name, "Your name", interactive, missing=missing)
        site_name = ask(site_name, "The site's name", interactive, missing=missing)
        if missing:
            flags = {"Your name": "--name", "The site's name": "--site-name"}
            raise InitError("missing " + " and ".join(flags[m] for m in missing)
                            + " (or run it in a terminal to be asked)")
        languages = languages_of(langs or [ask(None, "Language(s), e.g. en or fr,en",
                                               interactive, default="en")])
        domain = ask(domain, "Domain (empty if not known yet)", interactive, default="")
        host = ask(host, "Hosted on (github-pages, folder, later)", interactive, default="later")
        if host not in HOSTS:
            raise InitError(f"--host {host}: expected one of {', '.join(HOSTS)}")
        if host == "folder":
            publish_folder = ask(publish_folder, "Folder or rsync host:path", interactive,
                                 missing=missing)
            if not publish_folder:
                raise InitError("--host folder needs --folder (a folder or rsync host:path)")
        answers = Answers(name=name.strip(), site_name=site_name.strip(), languages=languages,
                          domain=domain_of(domain) if domain.strip() else "", host=host,
                          folder=publish_folder or "", timezone=timezone or local_timezone())
        if not answers.name or not answers.site_name:
            raise InitError("the name and the site's name may not be empty")
        target = Path(folder)
        write_site(target, site_files(answers, installed_version()))
    except InitError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    where = "" if target.resolve() == Path.cwd() else f"cd {folder} && "
    click.echo(f"Wrote {answers.site_name} into {target}/.")
    click.echo(f"Next: {where}relais build   (then `relais serve` to see it, "
               "`relais publish --dry-run` before publishing)")
