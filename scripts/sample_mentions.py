"""Produce the sample site's archive of received mentions, data/webmentions/received.json.

Nothing is written by hand: the sample site is built, its friends' posts
(the fixture sources below) are served on 127.0.0.1, our real receiver
verifies a webmention for each, and `relais mentions fetch`'s code reads
them back from the receiver's API and downloads the avatars. The only
edit afterwards: the local address of each friend's site becomes that
friend's domain (https://jeanne-potier.example/…), and the time received
becomes the time published, so that running this again gives the same
files.

    .venv/bin/python scripts/sample_mentions.py
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from relais.plugins.webmentions.incoming import archive as archive_file  # noqa: E402
from relais.plugins.webmentions.incoming.avatar_download import download_avatars  # noqa: E402
from relais.plugins.webmentions.incoming.avatars import INDEX, read_index  # noqa: E402
from relais.plugins.webmentions.incoming.fetch import fetch_into  # noqa: E402
from relais.plugins.webmentions.incoming.receiver import ReceiverConfig, ReceiverThread  # noqa: E402

from relais.avatar import file_name  # noqa: E402
from relais.build import build, load_settings  # noqa: E402
from relais.store import write_json  # noqa: E402
from tests.support.fleet import solid_png  # noqa: E402

DOMAIN = "atelier-maelle.example"
SITE = f"https://{DOMAIN}"
DATA = REPO / "data" / "webmentions"

# name, domain, avatar colour (None: no photo, the page shows the initial)
FRIENDS = {
    "jeanne": ("Jeanne Potier", "jeanne-potier.example", (0x4f, 0x7a, 0x6b)),
    "theo": ("Théo Marchal", "theo-marchal.example", (0x9a, 0x6b, 0x3a)),
    "lou": ("Lou Ferrand", "lou-tisse.example", (0x7b, 0x4f, 0x8a)),
    "four": ("Le Four Partagé", "four-partage.example", (0xb0, 0x4a, 0x2a)),
    "camille": ("Camille Roux", "camille-lit.example", None),
    "sam": ("Sam Okafor", "sam-makes.example", (0x2f, 0x5d, 0x8c)),
}

LONG_REPLY = (
    "Merci pour ce compte rendu si précis ! Au Four Partagé, on voit passer beaucoup de "
    "premiers essais d'émail, et c'est rare qu'on nous montre les carreaux ratés avec "
    "autant de franchise. Deux remarques pour la prochaine fois. D'abord, le céladon à 1 % "
    "de fer réagit beaucoup à l'épaisseur : un trempage de trois secondes au lieu de deux "
    "change la couleur plus que la recette. Ensuite, notre four chauffe un peu plus en haut "
    "qu'en bas, d'une vingtaine de degrés : si tu veux comparer tes recettes, mets-les sur la "
    "même plaque. On garde une étagère pour toi à la cuisson partagée de mai, et si tu veux, "
    "on peut tester ensemble un émail brun de fer sur les mêmes carreaux. À très vite à "
    "l'atelier, et bravo pour le budget tenu : trente euros, c'est moins que ce que beaucoup "
    "dépensent en un seul sac d'émail tout prêt."
)

# (friend, kind, slug of the target path, published, content or title)
# A reply in ANSWERS also answers another reply: index in MENTIONS -> index of that reply.
MENTIONS = [
    ("jeanne", "reply", "2026/douze-tasses/", "2026-02-04T08:12:00+01:00",
     "Une seule forme de tasse, c'est courageux et <em>très</em> juste. Je garde ton carnet "
     "de croquis comme exemple pour mes élèves."),
    ("theo", "like", "2026/douze-tasses/", "2026-02-04T12:30:00+01:00", None),
    ("lou", "like", "2026/douze-tasses/", "2026-02-05T09:00:00+01:00", None),
    ("four", "repost", "2026/douze-tasses/", "2026-02-06T18:00:00+01:00", None),
    ("camille", "mention", "2026/douze-tasses/", "2026-02-28T20:00:00+01:00",
     "Mes lectures de février : céramique, laine et petites entreprises"),
    ("four", "reply", "2026/tests-email/", "2026-03-15T10:05:00+01:00", LONG_REPLY),
    ("jeanne", "like", "2026/tests-email/", "2026-03-15T11:00:00+01:00", None),
    ("sam", "bookmark", "2026/tests-email/", "2026-03-18T21:40:00+01:00",
     "Glaze tests on a budget — Atelier Maëlle"),
    ("sam", "reply", "en/2026/tests-email/", "2026-03-21T19:00:00+00:00",
     "Great write-up! I tried your celadon ratio on porcelain and got a <strong>much</strong> "
     "bluer green. Will post photos soon."),
    ("theo", "reply", "2026/premiere-cuisson/", "2026-05-10T09:15:00+02:00",
     "Onze sur quatorze pour une première cuisson, c'est un très bon score. Et la tasse qui "
     "a collé à la plaque fera un beau porte-crayons."),
    ("jeanne", "like", "2026/premiere-cuisson/", "2026-05-10T10:00:00+02:00", None),
    ("camille", "like", "2026/premiere-cuisson/", "2026-05-11T08:00:00+02:00", None),
    ("lou", "repost", "2026/premiere-cuisson/", "2026-05-11T14:00:00+02:00", None),
    ("lou", "reply", "2026/bols-et-plateaux/", "2026-10-04T16:20:00+02:00",
     "Je suis tellement contente de voir mes serviettes avec tes bols et le plateau de Théo. "
     "On recommence au printemps ?"),
    ("theo", "reply", "2026/bols-et-plateaux/", "2026-10-05T08:45:00+02:00",
     "Le chêne a bien pris l'huile. Merci pour la patience pendant les finitions !"),
    ("four", "like", "2026/bols-et-plateaux/", "2026-10-05T12:00:00+02:00", None),
    ("jeanne", "mention", "2026/dix-personnes/", "2026-01-14T19:30:00+01:00",
     "Dix personnes qui en touchent dix : ce que Maëlle a compris avant nous"),
    # added later (appended, so that the sources above keep their addresses)
    ("sam", "like", "2026/premiere-cuisson/", "2026-05-12T07:30:00+02:00", None),
    ("four", "like", "2026/premiere-cuisson/", "2026-05-12T18:00:00+02:00", None),
    # a thread: Lou answers Théo's reply (see ANSWERS)
    ("lou", "reply", "2026/bols-et-plateaux/", "2026-10-05T19:10:00+02:00",
     "Théo, ton huile de lin sent encore bon dans mon atelier. Merci à vous deux !"),
]

ANSWERS = {19: 14}

PROPERTY = {"reply": "u-in-reply-to", "like": "u-like-of", "repost": "u-repost-of",
            "bookmark": "u-bookmark-of"}


def source_page(base: str, index: int, friend: str, kind: str, path: str, published: str,
                text: str | None) -> str:
    """The friend's post: an h-entry with its author's h-card, as their own site would have it."""
    name, _domain, colour = FRIENDS[friend]
    target = f"{SITE}/{path}"
    photo = f'<img class="u-photo" src="{base}/{friend}/avatar.png" alt="">' if colour else ""
    card = (f'<span class="p-author h-card">{photo}'
            f'<a class="p-name u-url" href="{base}/{friend}/">{name}</a></span>')
    if kind == "mention":
        body = (f'<h1 class="p-name">{text}</h1><div class="e-content"><p>À lire chez Maëlle : '
                f'<a href="{target}">son billet</a>.</p></div>')
    elif kind == "bookmark":
        body = f'<a class="{PROPERTY[kind]} p-name" href="{target}">{text}</a>'
    elif kind == "reply":
        body = f'<a class="{PROPERTY[kind]}" href="{target}">En réponse à Maëlle</a>'
        if index in ANSWERS:
            parent = MENTIONS[ANSWERS[index]][0]
            body += (f' et à <a class="{PROPERTY[kind]}" href="{base}/{parent}/posts/'
                     f'{ANSWERS[index]}">{FRIENDS[parent][0]}</a>')
        body += f'<div class="e-content"><p>{text}</p></div>'
    else:
        body = f'<a class="{PROPERTY[kind]}" href="{target}">{kind}</a>'
    return (f"<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>{name}</title>"
            f'</head><body><article class="h-entry">{card}{body}'
            f'<a class="u-url" href="{base}/{friend}/posts/{index}"><time class="dt-published" '
            f'datetime="{published}">{published[:10]}</time></a></article></body></html>')


class FriendsSites:
    """Every friend's site on one local server: /<friend>/posts/<n> and /<friend>/avatar.png."""

    def __init__(self):
        self.pages: dict[str, tuple[str, bytes]] = {}
        pages = self.pages

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                kind, body = pages.get(self.path, ("text/plain", b""))
                self.send_response(200 if self.path in pages else 404)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def localize(value, base: str):
    """Each friend's local address becomes their domain, everywhere in a JSON value."""
    if isinstance(value, dict):
        return {localize(k, base): localize(v, base) for k, v in value.items()}
    if isinstance(value, list):
        return [localize(v, base) for v in value]
    if isinstance(value, str):
        for friend, (_name, domain, _colour) in FRIENDS.items():
            value = value.replace(f"{base}/{friend}/", f"https://{domain}/")
    return value


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="relais-sample-mentions-"))
    print(f"Building the sample site into {work / 'output'} …")
    build(load_settings(str(REPO / "pelicanconf.py"), str(work / "output")))
    friends = FriendsSites()
    sources = []
    for index, (friend, kind, path, published, text) in enumerate(MENTIONS):
        html = source_page(friends.base, index, friend, kind, path, published, text)
        friends.pages[f"/{friend}/posts/{index}"] = ("text/html; charset=utf-8", html.encode())
        sources.append((f"{friends.base}/{friend}/posts/{index}", f"{SITE}/{path}"))
    for friend, (_name, _domain, colour) in FRIENDS.items():
        if colour:
            friends.pages[f"/{friend}/avatar.png"] = ("image/png", solid_png(colour))

    config = ReceiverConfig(db=work / "receiver.sqlite3", site_dir=work / "output",
                            domains=[DOMAIN], token="sample", allow_private=True, rate_limit=0,
                            address_rate_limit=0)
    fetched = work / "received.json"
    with ReceiverThread(config) as receiver, httpx.Client(base_url=receiver.url) as http:
        locations = []
        for source, target in sources:
            answer = http.post("/", data={"source": source, "target": target})
            answer.raise_for_status()
            locations.append(answer.headers["location"])
        for location in locations:
            while (status := http.get(location).json())["state"] != "done":
                time.sleep(0.05)
            if "verified" not in status["outcome"]:
                raise SystemExit(f"{location}: {status['outcome']}")
        report = asyncio.run(fetch_into(fetched, api=f"{receiver.url}/api/mentions.jf2",
                                        token="sample", domains=[DOMAIN], allow_private=True))
    print(f"Received and fetched: {report.changes}")
    avatars = work / "avatars"
    mentions = archive_file.load(fetched).mentions.values()
    asyncio.run(download_avatars([m["author"]["photo"] for m in mentions if m["author"]["photo"]],
                                 avatars, allow_private=True))
    friends.stop()

    result = archive_file.Archive()  # no cursors: they belong to the local receiver, not to git
    for mention in mentions:
        mention = localize(mention, friends.base)
        mention["received"] = mention["published"]
        result.mentions[(mention["source"], mention["target"])] = mention
    DATA.mkdir(parents=True, exist_ok=True)
    target_folder = DATA / "avatars"
    target_folder.mkdir(exist_ok=True)
    index = {}
    for url, name in read_index(avatars).items():
        public = localize(url, friends.base)
        if name:  # named after the public URL, as a fetch from the real site would name it
            renamed = file_name(public, Path(name).suffix)
            (target_folder / renamed).write_bytes((avatars / name).read_bytes())
            name = renamed
        index[public] = name
    write_json(target_folder / INDEX, dict(sorted(index.items())))
    archive_file.save(DATA / "received.json", result)
    print(f"Wrote {DATA / 'received.json'} ({len(result.mentions)} mentions) "
          f"and {sum(1 for v in index.values() if v)} avatars")
    print(json.dumps(sorted({m['type'] for m in result.mentions.values()})))


if __name__ == "__main__":
    main()
