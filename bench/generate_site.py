"""Generate a large maker site (stories with full metadata) for the benchmarks.

    python bench/generate_site.py DIR [--stories 2000]

Writes DIR/content/posts/*.md and DIR/content/images/*.svg. Deterministic:
the same arguments give the same files.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
from datetime import datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# A `relais build` settings file: the sample's settings, reading `content`, writing `output`.
RELAIS = """\
import sys
sys.path.insert(0, {repo!r})
from pelicanconf import *
PATH = {content!r}
OUTPUT_PATH = {output!r}
CACHE_PATH = {cache!r}
THEME = {theme!r}
{extra}
"""

WORDS = ("grès argile émail tour four cuisson tasse bol plateau engobe tournassage séchage "
         "atelier cendre céladon chamotte fil lin bois teinture aiguille carnet papier reliure "
         "marché voisine collection essai recette couleur texture main geste patience").split()
STATUSES = ("idea", "in progress", "finished", "available")
CATEGORIES = ("Atelier", "Collection", "Matériaux", "Outils", "Notes")
SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 30"><title>Essai {n}</title>'
       '<rect width="40" height="30" fill="#e9dccb"/><circle cx="20" cy="15" r="{r}" '
       'fill="#{c:06x}"/></svg>')


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def story(rng: random.Random, number: int, date: datetime) -> str:
    series = number // 5
    paragraphs = "\n\n".join(
        " ".join(sentence(rng, rng.randint(8, 16)) for _ in range(5)) for _ in range(6))
    tags = ", ".join(sorted(set(rng.sample(WORDS, 3))))
    return f"""Title: Récit {number} : {sentence(rng, 4)[:-1]}
Date: {date:%Y-%m-%d %H:%M}
Category: {CATEGORIES[number % len(CATEGORIES)]}
Tags: {tags}
Slug: recit-{number}
Summary: {sentence(rng, 14)}
Status: {STATUSES[number % 4]}
Series: Série {series}
Part: {number % 5 + 1}
Materials: {"; ".join(rng.sample(WORDS, 3))}
Tools: {"; ".join(rng.sample(WORDS, 2))}
Time: {rng.randint(1, 40)} h
Collaborators: Créatrice {number % 37} <https://creatrice-{number % 37}.example/>
Cover: images/essai-{number % 20}.svg
Cover_alt: Carreau d'essai numéro {number % 20}

{paragraphs}

Voir aussi [un atelier voisin](https://voisin-{number % 50}.example/billet-{number}) et
![essai](images/essai-{number % 20}.svg).
"""


def generate(root: Path, stories: int) -> Path:
    rng = random.Random(2026)
    posts = root / "content" / "posts"
    images = root / "content" / "images"
    posts.mkdir(parents=True, exist_ok=True)
    images.mkdir(parents=True, exist_ok=True)
    for n in range(20):
        (images / f"essai-{n}.svg").write_text(SVG.format(n=n, r=5 + n % 9, c=rng.randrange(2**24)))
    (images / "avatar.svg").write_text(SVG.format(n="avatar", r=12, c=0xB86644))  # AUTHOR_CARD's
    start = datetime(2020, 1, 1, 9, 0)
    for number in range(stories):
        date = start + timedelta(hours=number * 13)
        (posts / f"recit-{number:05d}.md").write_text(story(rng, number, date), encoding="utf-8")
    return root / "content"


def relais_settings(work: Path, content: Path, name: str, extra: str = "") -> Path:
    """A settings file for `relais build`: ours, reading `content`, writing `out-<name>`
    (its caches in `cache-<name>`)."""
    path = work / f"{name}.py"
    path.write_text(RELAIS.format(repo=str(REPO), content=str(content),
                                  output=str(work / f"out-{name}"),
                                  cache=str(work / f"cache-{name}"), theme=str(REPO / "theme"),
                                  extra=extra))
    return path


def bare_copy(content: Path) -> Path:
    """The content as bare Pelican publishes it: the maker status under another name.

    Bare Pelican skips a post whose `Status` is not one of its own (draft,
    hidden, published); every story here has a maker status (idea, in
    progress...), so its copy names that field `Maker-Status`, which Pelican
    keeps as plain metadata: the same files, the same work, every story
    published by both builds.
    """
    copy = content.with_name("content-bare")
    shutil.copytree(content, copy)
    for post in (copy / "posts").glob("*.md"):
        text = post.read_text(encoding="utf-8")
        post.write_text(re.sub(r"(?m)^Status:", "Maker-Status:", text), encoding="utf-8")
    return copy


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--stories", type=int, default=2000)
    args = parser.parse_args()
    print(f"wrote {args.stories} stories under {generate(args.directory, args.stories)}")


if __name__ == "__main__":
    main()
