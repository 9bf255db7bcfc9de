"""Two throw-away Pelican sites nobody here would write for Relais, in the shapes real blogs
have: the adoption tests and the adoption benchmark build them with plain Pelican, adopt
them, and build them again.

- `write_rst_site`: reStructuredText, several authors, a custom home page (`index`
  saved as index.html, the blog moved to /blog/), Pelican's legacy feed paths
  (/feed.xml, feeds/all-en.atom.xml, feeds/{category}.atom.xml), a French
  translation, MENUITEMS, LINKS, SOCIAL, admonitions, code, a wide table, a series
  in the pelican-series plugin's style (`series_index`), and one link already
  broken.
- `write_zh_site`: Markdown in Chinese (zh_CN, a language the theme has no
  catalog for), `FEED_DOMAIN` computed from `SITEURL` in publishconf.py, a guest
  author, pagination.

Each returns a `Manifest`: every article's URL and its authors.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Manifest:
    site_url: str
    articles: dict[str, list[str]] = field(default_factory=dict)  # URL path -> authors
    home_text: str = ""  # a sentence only the home page has


def _write(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


# What pelican-quickstart writes in every pelicanconf.py: no feeds in development.
QUICKSTART_FEEDS = """FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
"""

RST_CONF = '''AUTHOR = "Ada Lovelace"
SITENAME = "Analytical Notes"
SITEURL = ""
PATH = "content"
TIMEZONE = "Europe/London"
DEFAULT_LANG = "en"
ARTICLE_URL = "{date:%Y}/{date:%m}/{slug}.html"
ARTICLE_SAVE_AS = "{date:%Y}/{date:%m}/{slug}.html"
INDEX_SAVE_AS = "blog/index.html"
''' + QUICKSTART_FEEDS + '''MENUITEMS = (("Blog", "/blog/"),)
DISPLAY_PAGES_ON_MENU = True
LINKS = (("Pelican", "https://getpelican.com/"), ("Python", "https://www.python.org/"),
         ("Our about page", "/pages/about.html"))
SOCIAL = (("Mastodon", "https://mastodon.example/@ada"), ("Email", "mailto:ada@notes.example"))
DEFAULT_PAGINATION = 4
GITHUB_URL = "https://github.example/ada"
RELATIVE_URLS = True
'''

RST_PUBLISH = '''import os
import sys
sys.path.append(os.curdir)
from pelicanconf import *

SITEURL = "https://notes.example"
RELATIVE_URLS = False
FEED_ALL_RSS = "feed.xml"
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = "feeds/{slug}.atom.xml"
TRANSLATION_FEED_ATOM = "feeds/all-{lang}.atom.xml"
DELETE_OUTPUT_DIRECTORY = True
'''

RST_TABLE = """
.. list-table:: Engines compared
   :header-rows: 1

   * - Engine
     - What it computes, in the words of the people who built and described it at the time
     - Notes on the mechanism, the store, the mill and the cards that drive the whole machine
   * - Difference Engine
     - Polynomial tables by the method of finite differences, printed without human error
     - Columns of figure wheels, each adding its neighbour, cranked by hand through every cycle
   * - Analytical Engine
     - ``B7=-1/2*(2n-1)/(2n+1)+B1*(2n)/2+B3*(2n)*(2n-1)*(2n-2)/(2*3*4)+B5*(2n)*(2n-1)``
     - ``operation-cards:variable-cards:number-cards:store-columns:mill-axes``
"""


def write_rst_site(root: Path, articles: int = 6) -> Manifest:
    """The rst site in `root` (with `articles` posts, at least 4)."""
    manifest = Manifest("https://notes.example", home_text="Welcome to the workshop of engines")
    bylines = [("Ada Lovelace",), ("Ada Lovelace", "Charles Babbage"), ("Charles Babbage",)]
    files = {"pelicanconf.py": RST_CONF, "publishconf.py": RST_PUBLISH,
             "content/pages/about.rst": "About us\n########\n\n:slug: about\n\nTwo people and an "
                                        "engine. `Our first note <{filename}/note-1.rst>`_.\n",
             "content/pages/index.rst": f"Home\n####\n\n:slug: home\n:save_as: index.html\n"
                                        f":url:\n\n{manifest.home_text}. Read `the blog "
                                        f"<{{index}}>`_.\n"}
    for n in range(1, articles + 1):
        authors = bylines[n % len(bylines)]
        field_line = (f":author: {authors[0]}" if len(authors) == 1
                      else f":authors: {', '.join(authors)}")
        category = "Engines" if n % 2 else "Notes"
        extra = ""
        if n == 1:
            extra = ("\n.. note::\n\n   The mill is the processor; the store is the memory.\n"
                     "\n.. warning::\n\n   Cards wear out.\n\n.. code-block:: python\n\n"
                     "   def bernoulli(n):\n       return n * 2\n" + RST_TABLE)
        if n == 2:
            extra = "\nAn old link: `the lost page </missing/page.html>`_.\n"
        series = (f":series: Engines explained\n:series_index: {n}\n" if n in (3, 4) else "")
        files[f"content/note-{n}.rst"] = (
            f"Note number {n}\n{'#' * (12 + len(str(n)))}\n\n:date: 2024-0{1 + n % 9}-1{n % 10} "
            f"09:30\n{field_line}\n:category: {category}\n:tags: engines, cards\n:slug: note-{n}\n"
            f"{series}:summary: The {n}th note.\n\nThe text of note {n}, with *emphasis*.\n{extra}")
        month = f"{1 + n % 9:02d}"
        manifest.articles[f"/2024/{month}/note-{n}.html"] = list(authors)
    files["content/note-1-fr.rst"] = ("Note numéro 1\n#############\n\n:date: 2024-02-11 09:30\n"
                                      ":author: Ada Lovelace\n:category: Engines\n:slug: note-1\n"
                                      ":lang: fr\n\nLe texte de la note 1.\n")
    manifest.articles["/note-1-fr.html"] = ["Ada Lovelace"]  # ARTICLE_LANG_URL, by default
    _write(root, files)
    return manifest


ZH_CONF = '''AUTHOR = "李梅"
SITENAME = "陶艺笔记"
SITEURL = ""
PATH = "content"
TIMEZONE = "Asia/Shanghai"
DEFAULT_LANG = "zh_CN"
ARTICLE_URL = "posts/{slug}/"
ARTICLE_SAVE_AS = "posts/{slug}/index.html"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
DEFAULT_PAGINATION = 10
''' + QUICKSTART_FEEDS + '''LINKS = (("景德镇陶瓷大学", "https://jci.example/"),)
'''

ZH_PUBLISH = '''import os
import sys
sys.path.append(os.curdir)
from pelicanconf import *

SITEURL = "https://taoyi.example"
FEED_DOMAIN = SITEURL
RELATIVE_URLS = False
FEED_ALL_ATOM = "feeds/all.atom.xml"
FEED_ALL_RSS = "feeds/all.rss.xml"
CATEGORY_FEED_ATOM = "feeds/{slug}.atom.xml"
'''

# A firing log: twelve columns of figures, wider than the text column.
FIRING_LOG = ("| 时间 | " + " | ".join(f"{h}:00" for h in range(8, 19)) + " |\n"
              + "|---" * 12 + "|\n| 温度 | " + " | ".join(f"{t}°C" for t in range(200, 1300, 100))
              + " |\n")

ZH_WORDS = ["拉坯", "釉色", "窑火", "泥料", "修坯", "素烧", "青瓷", "茶碗"]


def write_zh_site(root: Path, posts: int = 12) -> Manifest:
    """The Chinese Markdown site in `root`, with `posts` posts."""
    manifest = Manifest("https://taoyi.example")
    files = {"pelicanconf.py": ZH_CONF, "publishconf.py": ZH_PUBLISH,
             "content/pages/about.md": "Title: 关于\nSlug: about\n\n我是李梅，在景德镇做陶瓷。\n"}
    for n in range(1, posts + 1):
        word = ZH_WORDS[n % len(ZH_WORDS)]
        author = "王芳" if n % 5 == 0 else "李梅"
        category = "工作室" if n % 3 else "随笔"
        slug = f"note-{n}"
        body = "\n\n".join(f"第{p}段：今天练习{word}，记录下温度、时间和失败的原因。" * 3
                           for p in range(1, 6))
        files[f"content/posts/{n:03d}.md"] = (
            f"Title: {word}笔记 {n}\nDate: 2023-{1 + n % 12:02d}-{1 + n % 27:02d} 20:00\n"
            f"Author: {author}\nCategory: {category}\nTags: {word}, 陶瓷\nSlug: {slug}\n\n"
            f"{body}\n\n[关于我]({{filename}}/pages/about.md)\n\n{FIRING_LOG}")
        manifest.articles[f"/posts/{slug}/"] = [author]
    _write(root, files)
    return manifest


def relais(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "relais.cli", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=600, env={**os.environ, "PYTHONPATH": ""})


class Adopted:
    """A site written by `writer` in `root/site`, built with plain Pelican (publishconf) into
    `root/plain`, adopted, then built by Relais into `root/adopted` (publish) and
    `root/dev`; the content's bytes before adoption are kept to compare."""

    def __init__(self, root: Path, writer):
        self.root, self.site = root, root / "site"
        self.manifest = writer(self.site)
        subprocess.run([sys.executable, "-m", "pelican", "-q", "-s", "publishconf.py", "-o",
                        str(root / "plain")], cwd=self.site, check=True, capture_output=True)
        self.plain, self.output = root / "plain", root / "adopted"
        self.before = {p.relative_to(self.site) for p in (self.site / "content").rglob("*")}
        self.sources = {p: p.read_bytes() for p in (self.site / "content").rglob("*") if p.is_file()}
        self.adopt = relais("adopt", str(self.site), cwd=root)
        built = relais("build", "--publish", "-o", str(self.output), cwd=self.site)
        assert built.returncode == 0, built.stderr
        self.dev = relais("build", "-o", str(root / "dev"), cwd=self.site)
