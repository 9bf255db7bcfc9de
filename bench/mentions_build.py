"""Issue 5's build target: a site whose archive holds 5,000 received mentions over 500 posts
builds within 1.15x the same build with an empty archive.

    python bench/mentions_build.py [--posts 500] [--mentions 5000] [--rounds 5]

Same generated content (bench/generate_site.py), same settings, plugins and theme; only
WEBMENTIONS_ARCHIVE differs. Each build is a fresh `relais build` subprocess; the two
alternate; medians of N rounds (bench/timing.py).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate_site import RELAIS, REPO, generate  # noqa: E402
from timing import compare, load_average, print_comparison  # noqa: E402

sys.path.insert(0, str(REPO))
from relais.avatar import file_name  # noqa: E402
from relais.store import write_json  # noqa: E402
from tests.support.fleet import solid_png  # noqa: E402

DOMAIN = "bench.example"
WORDS = ("Bravo", "très", "beau", "bol", "émail", "merci", "geste", "four", "couleur", "tasse")
KINDS = ["like"] * 8 + ["repost"] * 2 + ["reply"] * 7 + ["bookmark", "mention", "mention"]


def post_urls(content: Path) -> list[str]:
    urls = []
    for path in sorted((content / "posts").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        year = re.search(r"^Date: (\d{4})", text, re.M).group(1)
        slug = re.search(r"^Slug: (.+)$", text, re.M).group(1).strip()
        urls.append(f"https://{DOMAIN}/{year}/{slug}/")
    return urls


def make_archive(folder: Path, targets: list[str], count: int) -> Path:
    """`count` mentions spread over the targets, a fifth of the people with an avatar."""
    rng = random.Random(5)
    avatars = folder / "avatars"
    avatars.mkdir(parents=True)
    index = {}
    mentions = []
    for n in range(count):
        person = n % 400
        photo = f"https://friend{person}.example/me.png" if person % 5 == 0 else None
        if photo and photo not in index:
            index[photo] = file_name(photo, ".png")
            (avatars / index[photo]).write_bytes(solid_png((person % 250, 90, 120), 8))
        kind = rng.choice(KINDS)
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 120)))
        source = f"https://friend{person}.example/posts/{n}"
        mentions.append({
            "source": source, "target": targets[n % len(targets)], "type": kind, "url": source,
            "author": {"name": f"Friend {person}", "url": f"https://friend{person}.example/",
                       "photo": photo},
            "published": f"2026-0{1 + n % 9}-{1 + n % 28:02d}T10:00:00+01:00",
            "name": f"Post {n}" if kind in ("bookmark", "mention") else None,
            "content": {"html": f"<p>{text} <a href='/x'>lien</a></p>", "text": text}
            if kind in ("reply", "mention") else None,
            "rsvp": None, "received": "2026-10-01T00:00:00+00:00", "via": "receiver"})
    write_json(avatars / "index.json", index)
    path = folder / "received.json"
    write_json(path, {"cursors": {}, "mentions": mentions})
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=500)
    parser.add_argument("--mentions", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--theme", type=Path, default=REPO / "theme")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        content = generate(work, args.posts)
        empty = work / "empty" / "received.json"
        write_json(empty, {"cursors": {}, "mentions": []})
        full = make_archive(work / "full", post_urls(content), args.mentions)
        commands = {}
        for name, archive in (("empty archive", empty), ("full archive", full)):
            settings = work / f"{name.split()[0]}.py"
            settings.write_text(RELAIS.format(
                repo=str(REPO), content=str(content), output=str(work / f"out-{name[:4]}"),
                cache=str(work / f"cache-{name[:4]}"), theme=str(args.theme),
                extra=f"WEBMENTIONS_ARCHIVE = {str(archive)!r}\n"
                      f"WEBMENTIONS_DOMAINS = [{DOMAIN!r}]\n"))
            commands[name] = [sys.executable, "-m", "relais.cli", "build", "--ignore-cache",
                              "-s", str(settings)]
        print(f"before: {load_average()}")
        samples = compare(commands, REPO, args.rounds)
        shown = sum(1 for p in (work / "out-full").rglob("index.html")
                    if 'class="mentions-counts"' in p.read_text(encoding="utf-8"))
    print(f"posts: {args.posts}, mentions: {args.mentions}, medians of {args.rounds} rounds "
          f"({shown} pages show a conversation)")
    print_comparison(samples, "full archive", "empty archive", "full/empty", 1.15)
    print(f"after: {load_average()}")


if __name__ == "__main__":
    main()
