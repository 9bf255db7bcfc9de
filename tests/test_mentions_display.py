"""Received mentions under each post: built pages read back with mf2py, the settings,
a corrupt archive, and hostile payloads in a real browser."""

from __future__ import annotations

import json
import re
from pathlib import Path

import mf2py
import pytest

from relais.avatar import file_name
from relais.build import BuildError, build, load_settings
from relais.foreign import html as sanitize
from relais.store import write_json
from tests.conftest import write_tiny_site
from tests.test_mentions_fetch import png

SITE = "https://atelier.example"
POST_MD = """\
Title: {title}
Date: 2026-03-{day:02d} 10:00
Category: Collection
Slug: {slug}
Summary: Un billet.
{extra}
Un billet sur les tasses.
"""
PHOTO = "https://jeanne.example/me.png"


def mention(kind, n, target=f"{SITE}/2026/tasses/", **extra):
    source = f"https://friend{n}.example/post/{n}"
    return {
        "source": source, "target": target, "type": kind, "url": source,
        "author": {"name": f"Friend {n}", "url": f"https://friend{n}.example/", "photo": None},
        "published": f"2026-03-{10 + n:02d}T10:00:00+01:00", "name": None,
        "content": None, "rsvp": None, "received": "2026-03-20T00:00:00+00:00",
        "via": "receiver", **extra,
    }


def make_site(root: Path, mentions: list[dict], settings: str = "", avatars=None) -> Path:
    posts = {
        "tasses.md": POST_MD.format(title="Des tasses", day=1, slug="tasses", extra=""),
        "bols.md": POST_MD.format(title="Des bols", day=2, slug="bols",
                                  extra="Aliases: /ancien/bols/"),
        "vide.md": POST_MD.format(title="Sans réponse", day=3, slug="vide", extra=""),
    }
    settings_file = write_tiny_site(root, posts)
    settings_file.write_text(settings_file.read_text() + (
        f"SITEURL = {SITE!r}\nRELATIVE_URLS = True\nWEBMENTIONS_DOMAINS = ['atelier.example']\n"
        "WEBMENTIONS_ENDPOINT = 'https://atelier.example/webmention'\n" + settings))
    data = root / "data" / "webmentions"
    write_json(data / "received.json", {"cursors": {}, "mentions": mentions})
    for url, content in (avatars or {}).items():
        name = file_name(url, ".png")
        (data / "avatars").mkdir(exist_ok=True)
        (data / "avatars" / name).write_bytes(content)
        index = json.loads((data / "avatars" / "index.json").read_text()) \
            if (data / "avatars" / "index.json").exists() else {}
        write_json(data / "avatars" / "index.json", {**index, url: name})
    return settings_file


def built(settings_file: Path):
    report = build(load_settings(str(settings_file)))
    assert report.warnings == []
    return report.output


def entry_of(page: Path) -> dict:
    document = mf2py.parse(doc=page.read_text(encoding="utf-8"), url=f"{SITE}/2026/tasses/")
    entries = [i for i in document["items"] if "h-entry" in i["type"]]
    assert len(entries) == 1
    return entries[0]


def names(values):
    return [v["properties"]["author"][0]["properties"]["name"][0] for v in values]


@pytest.fixture(scope="module")
def conversation_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("conversation")
    mentions = [
        mention("reply", 2,
                content={"html": "<p>Superbe <b>émail</b></p>", "text": "Superbe émail"},
                author={"name": "Jeanne", "url": "https://jeanne.example/", "photo": PHOTO}),
        mention("reply", 1, content={"html": "", "text": "Première !"}),
        mention("like", 3), mention("like", 4), mention("repost", 5),
        mention("bookmark", 6, name="À lire"), mention("mention", 7, name="Mes lectures"),
        mention("rsvp", 8, rsvp="yes", content={"html": "", "text": "Je viens"}),
        mention("reply", 9, target=f"{SITE}/ancien/bols/",
                content={"html": "", "text": "Sur l'ancienne adresse"}),
        mention("reply", 11, source="https://x.spam.example/1",
                content={"html": "", "text": "spam"}),
        mention("reply", 12, content={"html": "", "text": "Très long. " * 100}),
        # a thread: 13 answers Jeanne's reply (2), 14 answers 13; 15 names a post we never had
        mention("reply", 13, content={"html": "", "text": "D'accord avec Jeanne"},
                in_reply_to=[f"{SITE}/2026/tasses/", "https://friend2.example/post/2"]),
        mention("reply", 14, content={"html": "", "text": "Moi aussi"},
                in_reply_to=["https://friend13.example/post/13"]),
        mention("reply", 15, content={"html": "", "text": "Ailleurs"},
                in_reply_to=["https://elsewhere.example/p"]),
        mention("like", 16), mention("like", 17),
    ]
    settings = make_site(root, mentions, "WEBMENTIONS_BLOCKLIST = ['spam.example']\n",
                         avatars={PHOTO: png()})
    return built(settings)


def test_mf2py_reads_the_conversation_back_from_the_built_page(conversation_site):
    properties = entry_of(conversation_site / "2026" / "tasses" / "index.html")["properties"]
    comments = properties["comment"]
    assert all("h-cite" in c["type"] for c in comments)
    assert names(comments) == ["Friend 1", "Jeanne", "Friend 8", "Friend 12", "Friend 15"]
    assert comments[1]["properties"]["content"][0]["html"] == "<p>Superbe <b>émail</b></p>"
    assert comments[1]["properties"]["published"][0].startswith("2026-03-12T10:00:00+01")
    assert comments[2]["properties"]["rsvp"] == ["yes"]
    assert names(properties["like"]) == ["Friend 3", "Friend 4", "Friend 16", "Friend 17"]
    assert properties["like"][0]["properties"]["url"] == ["https://friend3.example/post/3"]
    assert names(properties["repost"]) == ["Friend 5"]
    assert properties["bookmark"][0]["properties"]["name"] == ["À lire"]
    assert properties["mention"][0]["properties"]["url"] == ["https://friend7.example/post/7"]


def test_a_reply_to_a_reply_is_threaded_under_it(conversation_site):
    comments = entry_of(conversation_site / "2026" / "tasses" / "index.html")["properties"]["comment"]
    jeanne = comments[1]["properties"]
    [answer] = jeanne["comment"]  # mf2: the reply's own comments
    assert names([answer]) == ["Friend 13"]
    assert names(answer["properties"]["comment"]) == ["Friend 14"]
    assert "comment" not in comments[0]["properties"]


def test_likes_and_reposts_in_words_with_the_names_as_h_card_links(conversation_site):
    html = (conversation_site / "2026" / "tasses" / "index.html").read_text(encoding="utf-8")
    people = re.findall(r'<h3 class="mentions-subtitle mentions-people">(.*?)</h3>', html, re.S)
    assert people == [
        'Aimé par <a class="h-card u-url p-name" href="https://friend3.example/" '
        'rel="nofollow ugc">Friend 3</a> et 3 autres personnes',
        'Partagé par <a class="h-card u-url p-name" href="https://friend5.example/" '
        'rel="nofollow ugc">Friend 5</a>']
    assert "6 réponses" in html  # the counts include the replies inside threads


def test_outside_links_are_ugc_avatars_are_local_and_long_replies_are_cut(conversation_site):
    html = (conversation_site / "2026" / "tasses" / "index.html").read_text(encoding="utf-8")
    section = html[html.index('<section class="mentions"'):]
    section = section[:section.index("</section>")]
    assert "spam" not in section  # the blocklist
    for link in section.split("<a ")[1:]:
        assert 'rel="nofollow ugc"' in link.split(">")[0]
    assert PHOTO not in section and "jeanne.example/me.png" not in section
    avatar = conversation_site / "mentions" / "avatars" / file_name(PHOTO, ".png")
    assert avatar.read_bytes() == png() and f"mentions/avatars/{avatar.name}" in section
    assert 'class="mention-avatar mention-initial"' in section  # no photo: the initial
    assert "Très long. Très long." in section and "…" in section
    assert "Lire toute la réponse" in section or "Read the whole reply" in section


def test_an_old_address_from_aliases_counts_and_an_empty_post_invites(conversation_site):
    bols = entry_of(conversation_site / "2026" / "bols" / "index.html")["properties"]
    assert names(bols["comment"]) == ["Friend 9"]
    empty = (conversation_site / "2026" / "vide" / "index.html").read_text(encoding="utf-8")
    section = empty[empty.index('<section class="mentions"'):]
    section = section[:section.index("</section>")]
    assert "mentions-invite" in section and "<ul" not in section and "<ol" not in section
    assert 'action="https://atelier.example/webmention"' in section
    assert 'value="https://atelier.example/2026/vide/"' in section


def test_which_types_are_shown_is_a_setting(tmp_path):
    settings = make_site(tmp_path, [mention("like", 1), mention("reply", 2, content={
        "html": "", "text": "Bonjour"})], "WEBMENTIONS_SHOW_TYPES = ['reply']\n")
    properties = entry_of(built(settings) / "2026" / "tasses" / "index.html")["properties"]
    assert "like" not in properties and names(properties["comment"]) == ["Friend 2"]


@pytest.mark.parametrize("content, line", [
    ("{broken", "received.json: not valid JSON"),
    ('{"mentions": [{"source": "a", "target": "b", "type": "wave"}]}', "field 'type' is 'wave'"),
])
def test_a_corrupt_archive_stops_the_build_with_one_line(tmp_path, content, line):
    settings = make_site(tmp_path, [])
    archive = tmp_path / "data" / "webmentions" / "received.json"
    archive.write_text(content)
    with pytest.raises(BuildError) as caught:
        build(load_settings(str(settings)))
    assert line in str(caught.value) and len(str(caught.value).splitlines()) == 1
    assert archive.read_text() == content


@pytest.mark.parametrize("setting, value, message", [
    ("WEBMENTIONS_SHOW_TYPES", "['reply', 'poke']", "unknown type 'poke'"),
    ("WEBMENTIONS_MAX_REPLY_LENGTH", "5", "must be between 50 and 20000"),
    ("WEBMENTIONS_ENDPOINT", "'/webmention'", "absolute http(s) URL"),
])
def test_wrong_settings_stop_the_build_naming_the_setting(tmp_path, setting, value, message):
    settings = make_site(tmp_path, [], f"{setting} = {value}\n")
    with pytest.raises(BuildError, match=rf"setting {setting}: .*{re.escape(message)}"):
        build(load_settings(str(settings)))


HOSTILE_TEXT = [
    "<script>alert('name')</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg onload=alert(1)><circle r=1 /></svg>",
    "javascript:alert(1)",
    "</div></section><script>alert(2)</script>",
    "<style>body{display:none}</style>",
    "{{ 7*7 }}{% raw %}",
]
HOSTILE_HTML = [
    "<p>hi<script>alert(3)</script></p>",
    '<img src="x" onerror="alert(4)">',
    '<a href="javascript:alert(5)">click</a>',
    '<a href="  JaVaScRiPt:alert(6)">click</a>',
    '<a href="data:text/html,<script>alert(7)</script>">x</a>',
    "<svg><script>alert(8)</script></svg>",
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(9)>',
    "<b><i>broken <p>markup",
    '<iframe srcdoc="<script>alert(10)</script>"></iframe>',
    '<div style="background:url(javascript:alert(11))">css</div>',
    '<form action="javascript:alert(12)"><button>go</button></form>',
    '<a href="https://ok.example/" onmouseover="alert(13)">ok</a>',
    "<object data='javascript:alert(14)'></object><embed src='javascript:alert(15)'>",
    '<noscript><p title="</noscript><img src=x onerror=alert(16)>"></noscript>',
]
HOSTILE_URLS = ["javascript:alert(17)", "data:image/svg+xml,<svg onload=alert(18)>",
                "vbscript:msgbox(19)", 'https://x.example/" onerror="alert(20)']


def hostile_mentions() -> list[dict]:
    found = []
    for n, text in enumerate(HOSTILE_TEXT):
        for kind in ("reply", "like", "mention"):
            found.append(mention(kind, n, name=text, author={
                "name": text, "url": HOSTILE_URLS[n % len(HOSTILE_URLS)],
                "photo": HOSTILE_URLS[(n + 1) % len(HOSTILE_URLS)]},
                url=HOSTILE_URLS[(n + 2) % len(HOSTILE_URLS)],
                content={"html": "", "text": text}))
    for n, html in enumerate(HOSTILE_HTML, start=100):
        found.append(mention("reply", n, content={"html": html, "text": html}))
    for n, text in enumerate(HOSTILE_TEXT, start=200):
        found.append(mention("reply", n, content={"html": text, "text": text}))
    for n, item in enumerate(found):  # every source unique
        item["source"] = f"https://friend{n}.example/hostile/{n}"
    return found


@pytest.mark.browser
def test_hostile_payloads_run_no_script_in_a_real_browser(browser, tmp_path, serve_directory,
                                                         artifacts):
    from playwright.sync_api import Error as PlaywrightError

    output = built(make_site(tmp_path, hostile_mentions()))
    base = serve_directory(output)
    page = browser.new_context(java_script_enabled=True).new_page()
    dialogs, errors = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("console", lambda message: errors.append(f"{message.text} {message.location}")
            if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{base}/2026/tasses/", wait_until="load")
    page.mouse.move(10, 10)
    for link in page.locator(".mentions a").all()[:40]:  # wake any onmouseover
        try:
            link.hover(timeout=500)
        except PlaywrightError:
            pass  # covered or hidden: nothing to hover
    page.wait_for_timeout(300)
    page.screenshot(path=str(artifacts / "mentions-hostile.png"), full_page=True)
    errors = [e for e in errors if "favicon.ico" not in e]  # the tiny site has none
    assert dialogs == [] and errors == []
    found = page.evaluate("""() => {
        const bad = [];
        for (const el of document.querySelectorAll('.mentions *')) {
            for (const attr of el.attributes) {
                if (attr.name.startsWith('on')) bad.push(el.tagName + ' ' + attr.name);
                if (/^\\s*(javascript|data|vbscript):/i.test(attr.value)) bad.push(attr.value);
            }
            if (['SCRIPT', 'STYLE', 'IFRAME', 'OBJECT', 'EMBED', 'FORM', 'SVG', 'MATH']
                .includes(el.tagName.toUpperCase()) && !el.closest('.mentions-form')) {
                bad.push(el.tagName);
            }
        }
        return bad;
    }""")
    assert found == []
    assert page.locator(".mentions-replies > li").count() == len(HOSTILE_TEXT) * 1 + \
        len(HOSTILE_HTML) + len(HOSTILE_TEXT)


def test_sanitize_keeps_the_allow_list_only():
    cleaned = sanitize('<p class="x" style="color:red">Hi <a href="/p" target="_blank">me</a>'
                       '<script>alert(1)</script><img src=x></p>', "https://src.example/a/b")
    assert cleaned == ('<p>Hi <a href="https://src.example/p" rel="nofollow ugc">me</a></p>')


def test_a_conversation_carries_a_digest_of_all_it_shows():
    """Each conversation is made with a digest of everything it shows (the page cache digests
    a post's mentions by it): the same mentions give the same digest, any change another;
    a post's old and new addresses merged, one made from both."""
    from relais.plugins.webmentions.incoming.display import Conversation, conversations
    from relais.plugins.webmentions.incoming.record import clean

    def grouped(*records, target="/2026/tasses/"):
        return conversations([clean(record) for record in records], domains=["atelier.example"],
                             show_types=["reply", "like", "repost", "mention"], blocked=[],
                             max_length=500, avatar_of=lambda url: None)[target]

    reply = mention("reply", 1, content={"html": "<p>Beau bol</p>", "text": "Beau bol"})
    first = grouped(reply, mention("like", 2))
    assert first.relais_digest and first.relais_digest == grouped(
        reply, mention("like", 2)).relais_digest
    changed = [grouped({**reply, "content": {"html": "<p>Beau pot</p>", "text": "Beau pot"}},
                       mention("like", 2)),
               grouped(reply, mention("like", 2), mention("repost", 3)),
               grouped(reply, mention("like", 2, author={"name": "Autre", "url": None,
                                                          "photo": None}))]
    digests = {first.relais_digest, *(c.relais_digest for c in changed)}
    assert len(digests) == 4
    old = grouped(mention("like", 4, target=f"{SITE}/2025/tasses/"), target="/2025/tasses/")
    both = first.merged(old)
    assert both.relais_digest and both.relais_digest == first.merged(old).relais_digest
    assert both.relais_digest not in (first.relais_digest, old.relais_digest)
    assert first.merged(Conversation()).relais_digest is None  # not made: digested in full
