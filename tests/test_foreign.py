"""The one gate for foreign URLs and text (relais.foreign), the parsing bounds (relais.bounded)
and the avatar policy (relais.avatar), as units."""

from __future__ import annotations

import asyncio
import time

import pytest
from relais.plugins.blogroll.cache import load_state, save_state
from relais.plugins.blogroll.model import site_key
from relais.plugins.blogroll.parse import plain_text

from relais import avatar, bounded, foreign
from tests.support.bombs import deep_html
from tests.support.fleet import solid_png


@pytest.mark.parametrize("value", [
    "https://jeanne.example/", "http://127.0.0.1:8000/a?b=c&d=e#f", "https://x.example/@maelle",
    "https://café.example/élan",
])
def test_safe_urls_pass_as_they_are(value):
    assert foreign.url(value) == value


@pytest.mark.parametrize("value", [
    "javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,<script>x</script>",
    "vbscript:x", "//evil.example/", "/relative", "https://", "https:///path",
    'https://x.example/"><script>alert(1)</script>', "https://x.example/'onload='x",
    "https://x.example/<b>", "https://x.example/a b", "https://x.example/a\tb",
    "https://x.example/\x00", "https://x.example/\u202e", "https://x.example/a`b",
    "https://x.example/a\\b", "https://user:pass@x.example/", "https://x.example:99999/",
    "https://x.example/" + "a" * 3000, None, 42, ["https://x.example/"],
])
def test_unsafe_urls_are_refused(value):
    assert foreign.url(value) is None


def test_relative_urls_are_resolved_against_their_page_first():
    assert foreign.url("/feed.xml", "https://x.example/blog/") == "https://x.example/feed.xml"
    assert foreign.url("javascript:x", "https://x.example/") is None


def test_text_is_one_plain_line_that_is_never_markup():
    assert foreign.text("  Jeanne\n\tPotier ") == "Jeanne Potier"
    assert foreign.text("<script>alert(1)</script>") == "‹script>alert(1)‹/script>"
    assert foreign.text("a < b and 3<4 <3") == "a < b and 3<4 <3"  # no tag could open
    assert foreign.text("\x1b]0;owned\x07 name \u202egnp.exe") == "]0;owned name gnp.exe"
    assert foreign.text("word " * 100, 20) == "word word word word…"
    assert len(foreign.text("x" * 500, 50)) == 50
    assert foreign.text(None) == "" and foreign.text({"a": 1}) == ""


def test_plain_text_never_returns_markup():
    """A code sample `&lt;script&gt;` in a feed used to come back as a live `<script>`."""
    assert "<script" not in plain_text("<p>Use &lt;script&gt;alert(1)&lt;/script&gt;</p>")
    assert "<img" not in plain_text("&lt;img src=x onerror=alert(1)&gt;")
    assert plain_text("<p>Émail &amp; grès</p><p>suite</p>") == "Émail & grès suite"


def test_printable_keeps_newlines_and_drops_escape_sequences():
    assert foreign.printable("a\x1b[31mred\x1b[0m\nb\x07") == "a[31mred[0m\nb"
    assert foreign.cell("[bold]x[/]").plain == "[bold]x[/]"  # Rich shows it, never reads it


def test_file_names_from_long_addresses_are_bounded(tmp_path):
    """A 300-character site URL made `OSError: File name too long` in refresh and discover."""
    site = "https://long.example/" + "x" * 300 + "/"
    key = site_key(site)
    assert len(key) <= foreign.FILE_STEM_CHARS and key != site_key(site + "y/")
    state, _ = load_state(tmp_path, key, site)
    save_state(tmp_path, key, state)
    assert load_state(tmp_path, key, site)[0]["site"] == site
    assert site_key("https://jeanne-potier.example/") == "jeanne-potier.example"  # short: as is


def test_stored_states_pass_the_gate_again_when_read(tmp_path):
    """data/ is committed: a state edited by hand (or written by an older version) cannot bring
    an unsafe URL, markup or a path outside avatars/ into the site."""
    key = "evil.example"
    save_state(tmp_path, key, {
        "site": "https://evil.example/", "avatar": "../../../etc/passwd",
        "entries": [{"title": "<script>x</script>", "url": "javascript:alert(1)",
                     "links": ["data:text/html,x", "https://ok.example/"], "tags": ["<b>t</b>"]}],
        "card": {"name": "Evil\x1b[2J", "photo": "javascript:x", "url": '"><x'},
        "blogroll": {"members": [{"title": "M", "site": "javascript:x"},
                                 {"title": "N", "site": "https://n.example/", "feed": "data:x"}]},
    })
    state, _ = load_state(tmp_path, key, "https://evil.example/")
    [entry] = state["entries"]
    assert entry["url"] == "" and entry["links"] == ["https://ok.example/"]
    assert entry["title"] == "‹script>x‹/script>" and entry["tags"] == ["‹b>t‹/b>"]
    assert state["card"] == {"name": "Evil [2J", "photo": "", "note": "", "url": ""}
    assert state["blogroll"]["members"] == [{"title": "N", "feed": "", "site": "https://n.example/"}]
    assert state["avatar"] == ""


def test_depth_is_measured_before_parsing_in_linear_time():
    bounded.check_markup(deep_html(bounded.MAX_DEPTH - 2), max_bytes=10**6)  # + html, body
    started = time.perf_counter()
    for document in (deep_html(900_000), "<a " * 300_000, "<!--" * 300_000, "<p>" * 200_000):
        try:
            bounded.check_markup(document, max_bytes=10**8)
        except bounded.TooComplex as error:
            assert str(error) == f"elements nested more than {bounded.MAX_DEPTH} deep"
    assert time.perf_counter() - started < 30  # a guard against quadratic scans, not a timing
    with pytest.raises(bounded.TooComplex, match="more than the 100 read"):
        bounded.check_markup("x" * 101, max_bytes=100)
    with pytest.raises(bounded.TooComplex, match="XML entities"):
        bounded.check_markup('<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', max_bytes=1000, xml=True)


def test_parsing_off_the_loop_gives_up_after_its_time_limit():
    async def slow_and_other():
        other = asyncio.create_task(asyncio.sleep(0.05, "other done"))
        with pytest.raises(bounded.TooComplex, match="took more than 0.2 s"):
            await bounded.off_loop(time.sleep, 2, seconds=0.2)
        return await other

    assert asyncio.run(slow_and_other()) == "other done"


def test_the_avatar_policy_reads_the_bytes():
    png = solid_png((200, 100, 50), 64)
    assert avatar.check(png) == ".png"
    with pytest.raises(avatar.Refused, match="SVG is not accepted"):
        avatar.check(b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    with pytest.raises(avatar.Refused, match="SVG is not accepted"):
        avatar.check('<?xml version="1.0" encoding="UTF-16"?><svg/>'.encode("utf-16"))
    with pytest.raises(avatar.Refused, match="not a PNG"):
        avatar.check(b"<html><script>alert(1)</script>")
    with pytest.raises(avatar.Refused, match="more than 2048 a side"):
        avatar.check(solid_png((1, 2, 3), 1)[:16] + (30000).to_bytes(4, "big") * 2 + png[24:])
    with pytest.raises(avatar.Refused, match="over 256,000 bytes"):
        avatar.check(png + b"\0" * avatar.MAX_BYTES)
    assert avatar.file_name("https://x.example/me.png", ".png").endswith(".png")
