"""The hostile-data suite: foreign data can never run on the maker's site.

Local servers on 127.0.0.1 play the rest of the web, as an attacker would:
a followed creator's hostile home page (h-card), feed and blogroll (OPML), a
hostile OPML export imported by the owner, hostile JF2 items from a
"webmention.io", hostile source pages verified by our own receiver, hostile
fediverse activities POSTed to the receiver's inbox (signed by a hostile
actor whose profile is hostile too), and a candidate found by discovery.
The real commands store all of it (`blogroll import`, `blogroll refresh`,
`mentions fetch`, `receiver`, `discover`); the
site is built and its pages opened in Chromium, which must see no dialog, no
`javascript:`/`data:` link, no `on*` attribute and no foreign `<script>`,
`<style>`, `<iframe>` or `<form>`, while the benign value beside each hostile
one is still shown. The owner's terminal gets no escape sequence and no Rich
markup from a stranger.

Every foreign field reaches the template that shows it:
- blogroll card: photo, name, site, note, interests (OPML import), latest post URL,
  title, date (feed);
- "recently from people I follow": URL, title, creator, site, date;
- mentions: author name, URL, avatar, initial; permalink, date, name, content,
  RSVP, type (JF2 items, source pages and fediverse activities: content, name,
  summary, url, the actor's name, url and icon).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import listparser
import pytest
from relais.plugins.webmentions.incoming.receiver import ReceiverConfig, ReceiverThread

from tests.conftest import run_relais, write_tiny_site
from tests.support.fleet import solid_png
from tests.support.local_http import LocalServer
from tests.support.receivers import free_port
from tests.test_fediverse import Remote, site_settings

SITE = "https://atelier.example"
TARGET = f"{SITE}/2026/tasses/"
TOKEN = "hostile-suite-token"
ESC = "\x1b"
POST = """\
Title: Des tasses
Date: 2026-03-01 10:00
Category: Collection
Slug: tasses
Summary: Un billet.

Un billet sur les tasses.
"""

# Script hidden in an SVG's namespace, and an SVG written in UTF-16: both passed the old filter.
SVG_NAMESPACED = (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/2000/svg">'
                  b"<x:script>alert('svg')</x:script></svg>")
SVG_UTF16 = '<?xml version="1.0" encoding="UTF-16"?><svg xmlns="http://www.w3.org/2000/svg" ' \
            'onload="alert(\'utf16\')"/>'.encode("utf-16")


def home_page(web: str, slug: str, name: str, note: str, photo: str, extra: str = "") -> str:
    return (f'<!doctype html><html><head><title>{slug}</title>'
            f'<link rel="alternate" type="application/rss+xml" href="/{slug}/feed.xml">'
            f'<link rel="blogroll" href="/{slug}/blogroll.opml">{extra}</head><body>'
            f'<div class="h-card"><img class="u-photo" src="{photo}" alt="">'
            f'<a class="p-name u-url" href="{web}/{slug}/">{name}</a>'
            f'<p class="p-note">{note}</p></div></body></html>')


def rss(items: list[tuple[str, str, str, str]], blogroll: str = "") -> str:
    """(title, link, description, date) items; every value already XML-escaped."""
    source = (f'<source:blogroll>{blogroll}</source:blogroll>' if blogroll else "")
    body = "".join(f"<item><title>{t}</title><link>{link}</link><description>{d}</description>"
                   f"<pubDate>{date}</pubDate><category>&lt;b&gt;tag&lt;/b&gt;</category></item>"
                   for t, link, d, date in items)
    return ('<?xml version="1.0"?><rss version="2.0" '
            'xmlns:source="http://source.scripting.com/"><channel><title>&lt;i&gt;Feed&lt;/i&gt;'
            f"</title><link>https://x.example/</link>{source}{body}</channel></rss>")


def opml(outlines: list[dict]) -> str:
    from xml.sax.saxutils import quoteattr

    rows = "".join("<outline " + " ".join(f"{k}={quoteattr(v)}" for k, v in o.items()) + "/>"
                   for o in outlines)
    return f'<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>{rows}' \
           "</body></opml>"


def jf2_items(web: str) -> list[dict]:
    def item(n, prop="in-reply-to", **fields):
        return {"type": "entry", "wm-id": n, "wm-source": f"{web}/m/{n}", "wm-target": TARGET,
                "wm-property": prop, prop: TARGET, "url": f"{web}/m/{n}",
                "published": f"2026-03-{10 + n:02d}T10:00:00+01:00",
                "wm-received": "2026-03-20T00:00:00Z", **fields}

    hostile_html = ("<p>Bien<script>alert('jf2 script')</script><iframe src='/x'></iframe>"
                    "<style>body{display:none}</style><form action='/x'><input></form>"
                    "<img src=x onerror=alert('jf2 img')><a href='javascript:alert(1)'>lien</a>"
                    "<svg onload=alert('svg')></svg></p>")
    return [
        item(1, author={"name": "<script>alert('jf2 name')</script>Mallory",
                        "url": "javascript:alert('author url')",
                        "photo": f"{web}/evil/avatar.svg"},
             url='https://x.example/"><svg onload=alert(2)>', name="<b>titre</b>",
             content={"html": hostile_html, "text": "Bien lien"}),
        item(2, prop="rsvp", rsvp="\"><script>alert('rsvp')</script>",
             author={"name": "Rsvp Hostile", "url": f"{web}/r/"},
             content={"text": "je viens"}),
        item(3, prop="like-of", author={"name": '"><img src=x onerror=alert(5)>',
                                        "photo": "data:image/svg+xml,<svg onload=alert(6)>"}),
        item(4, prop="bookmark-of", name="javascript:alert(7)", url="javascript:alert(8)",
             author={"name": "Marque", "url": "vbscript:msgbox(1)"}),
        item(5, **{"wm-source": "javascript:alert(9)"}),
        item(6, author={"name": "Alice Amie", "url": f"{web}/alice/",
                        "photo": f"{web}/kind/avatar.png"},
             content={"html": "<p>Merci pour ce billet</p>", "text": "Merci pour ce billet"}),
        item(7, prop="rsvp", rsvp="yes", author={"name": "Rita Oui"},
             content={"text": "Je serai là"}),
        item(8, author={"name": f"Esc{ESC}[2J{ESC}]0;owned\x07ape"},
             content={"text": "<script>alert('long')</script> " + "mot " * 400}),
    ]


@dataclass
class World:
    root: Path
    settings: Path
    output: Path
    web: str
    terminal: dict[str, str]  # command -> what the owner saw
    report: str
    inbox: dict[str, int]     # hostile activity -> the inbox's answer


def relais(*args: str, cwd: Path) -> str:
    done = run_relais(*args, cwd=cwd, env={"RELAIS_ALLOW_PRIVATE_NETWORK": "1",
                                           "RELAIS_MENTIONS_TOKEN": TOKEN})
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done.stdout + done.stderr


def serve_the_hostile_web(server: LocalServer) -> str:
    web = server.base
    evil_items = [  # newest first; the newest with a usable URL is shown
        ("Lien piégé", f"{web}/evil/a&quot;&gt;&lt;script&gt;alert('link')&lt;/script&gt;",
         "", "Mon, 16 Nov 2026 10:00:00 GMT"),
        ("&amp;lt;img src=x onerror=alert('title')&amp;gt;Titre", f"{web}/evil/titre",
         "&lt;script&gt;alert('desc')&lt;/script&gt;&lt;a href='javascript:alert(1)'&gt;x&lt;/a&gt;",
         "Sun, 15 Nov 2026 10:00:00 GMT"),
        ("Lien javascript", "javascript:alert('js link')", "", "Sat, 14 Nov 2026 10:00:00 GMT"),
        ("Un bol tranquille", f"{web}/evil/bol", "Un bol.", "Fri, 13 Nov 2026 10:00:00 GMT"),
    ]
    server.html("/evil/", home_page(
        web, "evil", "&lt;script&gt;alert('card')&lt;/script&gt;Eve",
        "<img src=x onerror=alert('note')>Une note", "/evil/avatar.svg",
        '<link rel="me" href="javascript:alert(\'me\')">'))
    server.add("/evil/feed.xml", 200, [("Content-Type", "application/rss+xml")],
               rss(evil_items, blogroll=f"{web}/evil/blogroll.opml"))
    server.add("/evil/blogroll.opml", 200, [("Content-Type", "text/x-opml")], opml([
        {"text": "Candide", "htmlUrl": f"{web}/cand/", "xmlUrl": f"{web}/cand/feed.xml"},
        {"text": "JS", "htmlUrl": "javascript:alert('disc')", "xmlUrl": f"{web}/js/feed.xml"},
        {"text": "Quote", "htmlUrl": f'{web}/q/" onmouseover="alert(1)',
         "xmlUrl": f"{web}/q/feed.xml"},
    ]))
    server.add("/evil/avatar.svg", 200, [("Content-Type", "image/png")], SVG_NAMESPACED)
    server.add("/evil/avatar16.svg", 200, [("Content-Type", "image/svg+xml")], SVG_UTF16)
    server.html("/kind/", home_page(web, "kind", "Benoît Bienveillant", "Un ami tourneur.",
                                    "/kind/avatar.png"))
    server.add("/kind/feed.xml", 200, [("Content-Type", "application/rss+xml")], rss([
        ("Un pichet bleu", f"{web}/kind/pichet", "Un pichet.", "Thu, 12 Nov 2026 10:00:00 GMT")]))
    server.add("/kind/avatar.png", 200, [("Content-Type", "image/png")], solid_png((60, 90, 160)))
    server.html("/cand/", home_page(
        web, "cand", f"[red]Rouge[/red] {ESC}]0;pwned\x07 Candide {ESC}[2J",
        "émail grès cuisson", "/cand/avatar.png"))
    server.add("/cand/feed.xml", 200, [("Content-Type", "application/rss+xml")], rss([
        ("Tests d'émail et de grès", f"{web}/cand/email", "Cuisson.",
         "Wed, 11 Nov 2026 10:00:00 GMT")]))
    server.add("/api/mentions.jf2", 200, [("Content-Type", "application/json")],
               json.dumps({"type": "feed", "children": jf2_items(web)}))
    author = (f'<span class="p-author h-card"><img class="u-photo" src="/evil/avatar16.svg">'
              f'<a class="p-name u-url" href="javascript:alert(\'src\')">&lt;script&gt;'
              f"alert('src')&lt;/script&gt;Src{ESC}[31m</a></span>")
    server.html("/src/evil", f'<article class="h-entry">{author}'
                f'<a class="u-in-reply-to" href="{TARGET}">re</a><data class="p-rsvp" '
                "value='\"><script>alert(1)</script>'></data><div class=\"e-content\">"
                "<p>Source<script>alert('src content')</script><iframe srcdoc=x></iframe></p>"
                "</div></article>")
    server.html("/src/kind", '<article class="h-entry"><span class="p-author h-card">'
                '<a class="p-name u-url" href="/bruno/">Bruno Bienvenu</a></span>'
                f'<a class="u-in-reply-to" href="{TARGET}">re</a>'
                '<p class="e-content">Superbe émail</p></article>')
    return web


AP_HOSTILE_HTML = ("<p>Réponse fédérée<script>alert('ap script')</script>"
                   "<img src=x onerror=alert('ap img')><a href='javascript:alert(1)'>lien</a>"
                   "<svg onload=alert('ap svg')></svg><iframe src='/x'></iframe></p>")


def hostile_actors(server: LocalServer) -> tuple[Remote, Remote]:
    """Zoé, whose profile is hostile, and Trent, who tries to act in her name."""
    web = server.base
    zoe = Remote(server, "zoe", {
        "name": "<script>alert('ap name')</script>Zoé Fédérée",
        "url": "javascript:alert('ap profile')", "icon": {"url": f"{web}/evil/avatar.svg"}})
    return zoe, Remote(server, "trent", {"name": "Trent"})


def nested(depth: int) -> dict:
    value: dict = {"end": True}
    for _ in range(depth):
        value = {"type": "Note", "tag": [value]}
    return value


def send_hostile_activities(inbox: str, zoe: Remote, trent: Remote) -> dict[str, int]:
    """What a hostile fediverse sends the inbox; the answer to each."""
    def note(n: int, **fields) -> dict:
        return {"id": f"{zoe.id}/notes/{n}", "type": "Note", "attributedTo": zoe.id,
                "inReplyTo": TARGET, "published": f"2026-03-0{n}T10:00:00Z", **fields}

    def create(n: int, **fields) -> dict:
        return {"@context": "https://www.w3.org/ns/activitystreams", "id": f"{zoe.id}/c/{n}",
                "type": "Create", "actor": zoe.id, "object": note(n, **fields)}

    like = {"id": f"{zoe.id}/likes/1", "type": "Like", "actor": zoe.id, "object": TARGET}
    activities = {
        "reply": create(1, content=AP_HOSTILE_HTML, url="javascript:alert('ap url')",
                        name="<img src=x onerror=alert('ap title')>Titre",
                        summary="<script>alert('ap cw')</script>Attention"),
        "like": like,
        "huge": create(2, content="<p>" + "<b>grand</b> " * 15_000 + "</p>"),  # ~190 KiB
        "too large": create(3, content="<p>" + "<b>énorme</b> " * 25_000 + "</p>"),
        "deep": create(4, content="<p>profond</p>", tag=[nested(40)]),
    }
    answers = {}
    with httpx.Client(timeout=20) as http:
        for name, activity in activities.items():
            body, headers = zoe.signed(inbox, activity)
            answers[name] = http.post(inbox, content=body, headers=headers).status_code
            if name == "like":  # the same signed request again
                answers["replay"] = http.post(inbox, content=body, headers=headers).status_code
        body, headers = zoe.signed(inbox, {})
        body = b"[" * 100_000 + b"]" * 100_000  # past any parser's recursion
        from relais.plugins.fediverse import signatures

        headers = signatures.sign("POST", inbox, zoe.key, zoe.key_id, body=body)
        answers["nested past the parser"] = http.post(inbox, content=body,
                                                      headers=headers).status_code
        forged = json.dumps({**like, "id": f"{trent.id}/likes/9"}).encode()  # trent signs as zoe
        headers = signatures.sign("POST", inbox, trent.key, trent.key_id, body=forged)
        answers["forged actor"] = http.post(inbox, content=forged, headers=headers).status_code
        body, headers = trent.signed(inbox, {**like, "actor": trent.id})  # zoe's like id
        answers["stolen id"] = http.post(inbox, content=body, headers=headers).status_code
    return answers


def receive_sources(world_root: Path, output: Path, web: str,
                    actors: tuple[Remote, Remote]) -> tuple[str, dict[str, int]]:
    """Our own receiver verifies the hostile and benign source pages and takes the hostile
    fediverse activities; moderation shows the owner who waits; approved, they come to the
    archive through its JF2 API."""
    from relais.plugins.fediverse.config import config as fediverse_config
    from relais.plugins.fediverse.server import Fediverse

    port = free_port()
    actor = Fediverse(fediverse_config(site_settings(
        world_root / "actor", SITE, FEDIVERSE_SERVER=f"http://127.0.0.1:{port}")))
    config = ReceiverConfig(db=world_root / "wm.sqlite3", site_dir=output,
                            domains=["atelier.example"], token=TOKEN, allow_private=True,
                            moderation=True, extensions=(actor,))
    with ReceiverThread(config, port=port) as receiver, \
            httpx.Client(base_url=receiver.url) as http:
        answers = send_hostile_activities(f"{receiver.url}/inbox", *actors)
        for path in ("/src/evil", "/src/kind"):
            answer = http.post("/", data={"source": f"{web}{path}", "target": TARGET})
            assert answer.status_code == 201, answer.text
            deadline = time.monotonic() + 20
            while http.get(answer.headers["location"]).json()["state"] != "done":
                assert time.monotonic() < deadline
                time.sleep(0.05)
        waiting = relais("receiver", "moderate", "--db", str(config.db), cwd=world_root)
        relais("receiver", "moderate", "--db", str(config.db), "--approve", "127.0.0.1",
               cwd=world_root)
        relais("mentions", "fetch", "-s", "site.py", "--api",
               f"{receiver.url}/api/mentions.jf2", cwd=world_root)
    return waiting, answers


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> World:
    root = tmp_path_factory.mktemp("hostile")
    server = LocalServer().start()
    try:
        web = serve_the_hostile_web(server)
        settings = write_tiny_site(root, {"tasses.md": POST})
        settings.write_text(settings.read_text() + (
            "WEBMENTIONS_DOMAINS = ['atelier.example']\n"
            f"WEBMENTIONS_API = '{web}/api/mentions.jf2'\n"
            "BLOGROLL_OWN_URLS = ['https://atelier.example/']\n"), encoding="utf-8")
        (root / "content" / "blogroll.yaml").write_text(
            "creators:\n"
            f"  - name: Benoît Bienveillant\n    site: {web}/kind/\n    note: Un ami tourneur.\n"
            f"  - name: Ève\n    site: {web}/evil/\n", encoding="utf-8")
        (root / "export.opml").write_text(opml([
            {"text": "<script>alert('opml')</script>Importé", "htmlUrl":
             f'{web}/imp/"onmouseover="alert(1)', "xmlUrl": f"{web}/imp/feed.xml",
             "description": "<img src=x onerror=alert('opml note')>Note importée",
             "category": "<b>émail</b>,céramique"},
            {"text": "Faux lien", "htmlUrl": "javascript:alert('opml site')",
             "xmlUrl": f"{web}/imp2/x/feed.xml"},
            {"text": "Data", "xmlUrl": "data:text/xml,<x/>"},
        ]), encoding="utf-8")
        terminal = {"import": relais("blogroll", "import", "export.opml", "-s", "site.py",
                                     cwd=root)}
        terminal["refresh"] = relais("blogroll", "refresh", "-s", "site.py", cwd=root)
        terminal["fetch"] = relais("mentions", "fetch", "-s", "site.py", cwd=root)
        relais("build", "-s", "site.py", cwd=root)  # the receiver reads the list of pages
        terminal["moderate"], inbox = receive_sources(root, root / "output", web,
                                                      hostile_actors(server))
        terminal["discover"] = relais("discover", "-s", "site.py", "--all", cwd=root)
        terminal["explain"] = relais("discover", "-s", "site.py", "--offline", "--explain",
                                     f"{web}/cand/", cwd=root)
        relais("discover", "-s", "site.py", "--offline", "--format", "html", "-o",
               str(root / "report.html"), cwd=root)
        relais("build", "-s", "site.py", cwd=root)
    finally:
        server.stop()
    return World(root, settings, root / "output", web, terminal,
                 (root / "report.html").read_text(encoding="utf-8"), inbox)


PAGES = ["index.html", "blogroll/index.html", "2026/tasses/index.html", "archives/index.html"]

FIND_HOSTILE = """() => {
    const bad = [];
    for (const el of document.querySelectorAll('*')) {
        const tag = el.tagName.toLowerCase();
        for (const attr of el.attributes) {
            if (attr.name.toLowerCase().startsWith('on')) bad.push(`${tag} ${attr.name}`);
            if (/^\\s*(javascript|data|vbscript):/i.test(attr.value)) {
                bad.push(`${tag} ${attr.name}=${attr.value}`);
            }
        }
        if (['script', 'style', 'iframe', 'frame', 'object', 'embed', 'svg', 'math', 'base',
             'template'].includes(tag)) bad.push(tag);
        if (tag === 'form' && !el.matches('.mentions-form')) bad.push('form');
        if (tag === 'meta' && /refresh/i.test(el.getAttribute('http-equiv') || '')) bad.push(tag);
    }
    return bad;
}"""


def hostile_in(page) -> list[str]:
    return page.evaluate(FIND_HOSTILE)


@pytest.mark.browser
def test_no_foreign_value_runs_and_every_benign_one_is_shown(world, browser, serve_directory,
                                                            artifacts):
    from playwright.sync_api import Error as PlaywrightError

    base = serve_directory(world.output)
    context = browser.new_context(java_script_enabled=True)
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    texts = {}
    for path in PAGES:
        assert page.goto(f"{base}/{path}", wait_until="load").ok, path
        for link in page.locator("main a").all()[:60]:  # wake any onmouseover
            try:
                link.hover(timeout=300)
            except PlaywrightError:
                pass
        page.wait_for_timeout(100)
        assert hostile_in(page) == [], path
        texts[path] = page.inner_text("body")
        page.screenshot(path=str(artifacts / f"hostile-{path.replace('/', '-')}.png"),
                        full_page=True)
    context.close()
    assert dialogs == []
    # the benign values are all there: the test cannot pass by showing nothing
    for path in ("index.html", "2026/tasses/index.html"):
        assert "Un pichet bleu" in texts[path]  # the widget: a followed creator's newest post
    blogroll = texts["blogroll/index.html"]
    for shown in ("Benoît Bienveillant", "Un pichet bleu", "Ève", "Note importée", "céramique"):
        assert shown in blogroll
    mentions = texts["2026/tasses/index.html"]
    for shown in ("Alice Amie", "Merci pour ce billet", "Rita Oui", "Bruno Bienvenu",
                  "Superbe émail", "Marque", "Réponse fédérée", "Attention", "grand grand"):
        assert shown in mentions
    # and the hostile ones are shown as the text they are, never run
    assert "‹script>alert('jf2 name')‹/script>Mallory" in mentions
    assert "‹script>alert('ap name')‹/script>Zoé Fédérée" in mentions
    assert "‹img src=x onerror=alert('title')>Titre" in blogroll


def test_links_and_pictures_from_outside_are_only_safe_http_urls(world):
    import re

    for path in PAGES:
        html = (world.output / path).read_text(encoding="utf-8")
        for value in re.findall(r'\s(?:href|src|action|value)="([^"]*)"', html):
            assert not re.match(r"\s*(javascript|data|vbscript):", value, re.I), (path, value)
    page = (world.output / "2026/tasses/index.html").read_text(encoding="utf-8")
    blogroll = (world.output / "blogroll/index.html").read_text(encoding="utf-8")
    # avatars: the PNG is copied and shown; neither SVG (namespaced script, UTF-16) ever is
    assert 'class="u-photo blogroll-avatar"' in blogroll
    assert 'class="u-photo mention-avatar' in page
    copied = [p.suffix for p in world.output.rglob("*") if "avatars" in p.parts and p.is_file()]
    assert copied and set(copied) == {".png"}
    stored = [p.suffix for p in world.root.joinpath("data").rglob("avatars/*") if p.is_file()]
    assert ".svg" not in stored
    # the hostile RSVP is no RSVP at all; the benign one is
    assert 'class="p-rsvp" value="yes"' in page and "alert('rsvp')" not in page


URL_KEYS = {"url", "site", "feed", "photo", "source", "target", "links", "rel_me", "feeds",
            "blogrolls", "sources", "source_blogroll", "moved_from"}


def strings_in(value, key=None):
    """(key, string) for every string in a JSON value, lists under their key."""
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item, key)
    elif isinstance(value, dict):
        for name, item in value.items():
            yield from strings_in(item, name)


def test_what_was_stored_passed_the_gate(world):
    blogroll = (world.root / "content" / "blogroll.yaml").read_text(encoding="utf-8")
    assert "javascript:" not in blogroll and "data:" not in blogroll and '"onmouseover' not in blogroll
    assert "<script" not in blogroll and "‹script>alert('opml')‹/script>Importé" in blogroll
    for path in (world.root / "data").rglob("*.json"):
        text = path.read_text(encoding="utf-8")
        assert "<script" not in text and ESC not in text, path
        for key, value in strings_in(json.loads(text)):
            if key in URL_KEYS and value:  # a text may say "javascript:"; a URL never is one
                assert value.startswith(("http://127.0.0.1:", SITE)), (path, key, value)
    published = listparser.parse((world.output / "blogroll.opml").read_bytes())
    assert not published.bozo and len(published.feeds) >= 2


def test_the_inbox_refuses_what_it_cannot_trust_or_bound(world):
    assert world.inbox == {
        "reply": 202, "like": 202, "huge": 202,
        "replay": 401,                   # the same signature twice
        "too large": 413,                # past 256 KiB, refused before it is read
        "deep": 400,                     # nested past 16 levels
        "nested past the parser": 400,   # would have been a RecursionError
        "forged actor": 401,             # trent's key, zoe's name
        "stolen id": 400,                # trent reusing zoe's like
    }
    archive = json.loads((world.root / "data/webmentions/received.json").read_text())
    by_source = {m["source"]: m for m in archive["mentions"]}
    taken = sorted(s.split("/zoe/", 1)[1] for s in by_source if "/zoe/" in s)
    assert taken == ["likes/1", "notes/1", "notes/2"]
    zoe = next(m for m in archive["mentions"] if m["source"].endswith("/zoe/notes/1"))
    assert zoe["url"] == zoe["source"]                 # the javascript: url was dropped
    assert zoe["author"]["url"].endswith("/zoe")       # so was the profile's
    assert zoe["name"].startswith("‹img")              # a name is text, never markup
    assert "<script" not in zoe["content"]["html"] and "onerror" not in zoe["content"]["html"]
    huge = next(m for m in archive["mentions"] if m["source"].endswith("/zoe/notes/2"))
    # read up to 100,000 characters (nh3 then closes what the cut left open), text 20,000
    assert len(huge["content"]["html"]) <= 100_100 and len(huge["content"]["text"]) <= 20_000


def test_the_owners_terminal_gets_no_escape_sequence_and_no_rich_markup(world):
    for command, seen in world.terminal.items():
        assert ESC not in seen and "\x07" not in seen, command
    assert "[red]Rouge[/red]" in world.terminal["discover"]  # shown as written, not obeyed
    assert "Candide" in world.terminal["explain"]
    assert "Src" in world.terminal["moderate"] and "Bruno Bienvenu" in world.terminal["moderate"]
    assert "Zoé Fédérée" in world.terminal["moderate"]  # the fediverse's wait for moderation too


def test_the_discovery_report_links_only_http_urls(world):
    import re

    links = re.findall(r'href="([^"]*)"', world.report)
    assert links and all(link.startswith("http://127.0.0.1:") for link in links)


UNGATED_FIELDS = [
    "entry-title", "entry-creator", "member-name", "member-note", "member-interest",
    "reply-name", "rsvp-name", "mention-name", "mention-title", "bookmark-title",
    "like-name", "repost-name",
]


@pytest.mark.browser
def test_the_templates_escape_what_the_gate_would_have_let_through(tmp_path, browser,
                                                                  serve_directory):
    """The gate's second line: hostile values put straight into every foreign field the
    templates show (tests/support/ungated.py), as if the gate had let them through. Only
    autoescape stands in their way; turn it off and this test fails."""
    settings = write_tiny_site(tmp_path, {"tasses.md": POST})
    settings.write_text(settings.read_text() + (
        "WEBMENTIONS_DOMAINS = ['atelier.example']\n"
        "PLUGINS = PLUGINS + ['tests.support.ungated']\n"), encoding="utf-8")
    (tmp_path / "content" / "blogroll.yaml").write_text(
        "creators:\n  - name: Quelqu'un\n    site: https://x.example/\n", encoding="utf-8")
    relais("build", "-s", "site.py", cwd=tmp_path)  # its own process: the plugin stays there
    base = serve_directory(tmp_path / "output")
    page = browser.new_page()
    dialogs, seen = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    for path in ("index.html", "blogroll/index.html", "2026/tasses/index.html"):
        assert page.goto(f"{base}/{path}", wait_until="load").ok, path
        assert hostile_in(page) == [], path
        seen.append(page.evaluate("""() => document.body.innerText + ' ' + Array.from(
            document.querySelectorAll('*')).flatMap(el => Array.from(el.attributes))
            .map(a => a.value).join(' ')"""))
    page.close()
    assert dialogs == []
    for field in UNGATED_FIELDS:
        assert f"benign-{field}" in " ".join(seen), field


@pytest.mark.browser
def test_the_browser_check_catches_a_hostile_page(browser, serve_directory, tmp_path):
    """The check finds what it looks for: a page that kept hostile values (as a template
    without escaping would) is caught."""
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "index.html").write_text(
        '<p>ok</p><a href="javascript:alert(1)">x</a><img src=x onerror="1">', encoding="utf-8")
    page = browser.new_page()
    page.goto(f"{serve_directory(broken)}/index.html")
    assert len(hostile_in(page)) == 2
    page.close()


PRIVATE_ACTORS = ["http://10.0.0.7/users/a", "http://169.254.169.254/latest/meta-data",
                  "http://[fd00::1]/users/b", "http://localhost:9/users/c"]


@pytest.mark.parametrize("allow_private", [False, True])
def test_a_key_or_an_actor_on_a_private_address_is_never_connected_to(
        tmp_path, monkeypatch, allow_private):
    """Activities whose key (and actor) are on private, link-local or loopback addresses:
    refused without a connection. The connect layer under the guard is stubbed, so not a
    packet could leave even if the guard regressed; with private addresses allowed (the
    control), the same requests do reach the stub."""
    import httpcore
    from cryptography.hazmat.primitives.asymmetric import rsa
    from relais.plugins.fediverse import signatures

    from relais.net import streams
    from tests.test_fediverse import SiteActor

    attempts = []

    async def no_packet(self, host, port, *args, **kwargs):
        attempts.append((host, port))
        raise httpcore.ConnectError("the test's connect layer sends nothing")

    monkeypatch.setattr(streams.AsyncioBackend, "connect_tcp", no_packet)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    answers = []
    with SiteActor(tmp_path, allow_private=allow_private) as site:
        inbox = f"{site.url}/inbox"
        for actor in PRIVATE_ACTORS[:1] if allow_private else PRIVATE_ACTORS:  # the control
            for activity in ({"id": f"{actor}/likes/1", "type": "Like",
                              "object": f"{site.url}/2026/douze-tasses/"},
                             {"id": f"{actor}#delete", "type": "Delete", "object": actor}):
                body = json.dumps({**activity, "actor": actor}).encode()
                headers = signatures.sign("POST", inbox, key, f"{actor}#main-key", body=body)
                answers.append(httpx.post(inbox, content=body, headers=headers).status_code)
    assert answers == [401] * len(answers)
    if allow_private:
        assert {host for host, _ in attempts} == {"10.0.0.7"}
    else:
        assert attempts == []
