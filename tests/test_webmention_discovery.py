"""Endpoint discovery: the 23 webmention.rocks discovery tests as local fixtures, plus bad input.

Each case is written from the test's published description (what the page
advertises and where), served by a real server on 127.0.0.1, fetched with
the real client, and must give the endpoint that webmention.rocks accepts.
`{base}` is the server's origin; `WRONG` marks endpoints a sender must not use.
"""

from __future__ import annotations

import asyncio

import pytest
from relais.plugins.webmentions.discovery import discover, find_endpoint, parse_link_header

from relais.net.client import Blocked, HttpClient, TooLarge
from tests.support.local_http import LocalServer

HTML = "text/html; charset=utf-8"


def page(body: str) -> str:
    return f"<!doctype html><html><head><title>t</title>{body}</html>"


# (id, description, headers, html, expected endpoint path)
ROCKS = [
    ("01", "HTTP Link header, unquoted rel, relative URL",
     [("Link", "</test/1/webmention?head=true>; rel=webmention")], page(""),
     "/test/1/webmention?head=true"),
    ("02", "HTTP Link header, unquoted rel, absolute URL",
     [("Link", "<{base}/test/2/webmention?head=true>; rel=webmention")], page(""),
     "/test/2/webmention?head=true"),
    ("03", "HTML <link> tag, relative URL",
     [], page('<link rel="webmention" href="/test/3/webmention"></head>'), "/test/3/webmention"),
    ("04", "HTML <link> tag, absolute URL",
     [], page('<link rel="webmention" href="{base}/test/4/webmention"></head>'),
     "/test/4/webmention"),
    ("05", "HTML <a> tag, relative URL",
     [], page('</head><body><a rel="webmention" href="/test/5/webmention">wm</a>'),
     "/test/5/webmention"),
    ("06", "HTML <a> tag, absolute URL",
     [], page('</head><body><a href="{base}/test/6/webmention" rel="webmention">wm</a>'),
     "/test/6/webmention"),
    ("07", "HTTP Link header with strange casing",
     [("LinK", "<{base}/test/7/webmention?head=true>; rel=webmention")], page(""),
     "/test/7/webmention?head=true"),
    ("08", "HTTP Link header, quoted rel",
     [("Link", '<{base}/test/8/webmention?head=true>; rel="webmention"')], page(""),
     "/test/8/webmention?head=true"),
    ("09", "Multiple rel values on a <link> tag",
     [], page('<link rel="webmention somethingelse" href="/test/9/webmention"></head>'),
     "/test/9/webmention"),
    ("10", "Multiple rel values on a Link header",
     [("Link", '<{base}/test/10/webmention?head=true>; rel="webmention somethingelse"')],
     page(""), "/test/10/webmention?head=true"),
    ("11", "Multiple Webmention endpoints advertised: Link, <link>, <a>",
     [("Link", "<{base}/test/11/webmention>; rel=webmention")],
     page('<link rel="webmention" href="/test/11/WRONG-link"></head>'
          '<body><a rel="webmention" href="/test/11/WRONG-a">wm</a>'),
     "/test/11/webmention"),
    ("12", "Checking for exact match of rel=webmention",
     [], page('<link rel="not-webmention" href="/test/12/WRONG">'
              '<link rel="webmention" href="/test/12/webmention"></head>'),
     "/test/12/webmention"),
    ("13", "False endpoint inside an HTML comment",
     [], page('</head><body><!-- <a rel="webmention" href="/test/13/WRONG">x</a> -->'
              '<a rel="webmention" href="/test/13/webmention">wm</a>'),
     "/test/13/webmention"),
    ("14", "False endpoint in escaped HTML",
     [], page('</head><body><code>&lt;a href="/test/14/WRONG" rel="webmention"&gt;&lt;/a&gt;'
              '</code><a rel="webmention" href="/test/14/webmention">wm</a>'),
     "/test/14/webmention"),
    ("15", "Webmention href is an empty string",
     [], page('<link rel="webmention" href=""></head>'), "/test/15"),
    ("16", "Multiple Webmention endpoints advertised: <a>, <link>",
     [], page('</head><body><a rel="webmention" href="/test/16/webmention">wm</a>'
              '<link rel="webmention" href="/test/16/WRONG">'),
     "/test/16/webmention"),
    ("17", "Multiple Webmention endpoints advertised: <link>, <a>",
     [], page('<link rel="webmention" href="/test/17/webmention"></head>'
              '<body><a rel="webmention" href="/test/17/WRONG">wm</a>'),
     "/test/17/webmention"),
    ("18", "Multiple HTTP Link headers",
     [("Link", '<{base}/test/18/WRONG>; rel="other"'),
      ("Link", '<{base}/test/18/webmention?head=true>; rel="webmention"')], page(""),
     "/test/18/webmention?head=true"),
    ("19", "Single HTTP Link header with multiple values",
     [("Link", '<{base}/test/19/WRONG>; rel="other", '
               '<{base}/test/19/webmention?head=true>; rel="webmention"')], page(""),
     "/test/19/webmention?head=true"),
    ("20", "Link tag with no href attribute",
     [], page('<link rel="webmention"></head>'
              '<body><a rel="webmention" href="/test/20/webmention">wm</a>'),
     "/test/20/webmention"),
    ("21", "Webmention endpoint has query string parameters",
     [], page('<link rel="webmention" href="/test/21/webmention?query=yes"></head>'),
     "/test/21/webmention?query=yes"),
    ("22", "Webmention endpoint is relative to the path",
     [], page('<link rel="webmention" href="22/webmention"></head>'), "/test/22/webmention"),
    ("23", "Webmention target is a redirect and the endpoint is relative",
     None, page('<link rel="webmention" href="webmention-endpoint/k2j4"></head>'),
     "/test/23/page/webmention-endpoint/k2j4"),
]


@pytest.fixture(scope="module")
def rocks():
    """A local webmention.rocks: /test/N pages, /test/23/page redirecting to its final URL."""
    server = LocalServer().start()
    base = server.base
    for number, _, headers, html, _ in ROCKS:
        body = html.replace("{base}", base)
        if headers is None:  # test 23: the page redirects, the endpoint is relative to the end
            server.add("/test/23/page", 302, [("Location", "/test/23/page/b7x1")])
            server.html("/test/23/page/b7x1", body)
        else:
            server.html(f"/test/{int(number)}",
                        body, [(k, v.replace("{base}", base)) for k, v in headers])
    yield server
    server.stop()


def run(coroutine_function, *args, **options):
    options.setdefault("allow_private", True)

    async def go():
        async with HttpClient(**options) as client:
            return await coroutine_function(client, *args)

    return asyncio.run(go())


@pytest.mark.parametrize(
    "number,description,expected",
    [(n, d, e) for n, d, _, _, e in ROCKS],
    ids=[f"rocks-{n}" for n, *_ in ROCKS],
)
def test_webmention_rocks_discovery(rocks, number, description, expected):
    target = rocks.url("/test/23/page" if number == "23" else f"/test/{int(number)}")
    found = run(discover, target)
    assert found.endpoint == rocks.url(expected), description
    assert "WRONG" not in found.endpoint


# --- the pure core on its own -------------------------------------------------------------


def test_link_header_parser_handles_commas_and_escapes_inside_quotes_and_brackets():
    links = parse_link_header('<https://a.example/x,y>; rel="other, \\"q\\""; title="a,b", '
                              "<https://b.example/>;REL=webmention")
    assert links == [("https://a.example/x,y", {"rel": 'other, "q"', "title": "a,b"}),
                     ("https://b.example/", {"rel": "webmention"})]


@pytest.mark.parametrize("header", [
    "garbage", "<unterminated; rel=webmention", ";;;,,,", '<>; rel="', "<x>; =webmention",
    "https://no-brackets.example/; rel=webmention",
])
def test_malformed_link_headers_are_ignored_not_fatal(header):
    assert find_endpoint("https://t.example/p", [("Link", header)], None) in (
        None, "https://t.example/p")  # "<>" is the empty reference: the page itself


def test_a_malformed_link_does_not_hide_a_good_one_after_it():
    headers = [("Link", "nonsense; rel=webmention, <https://e.example/wm>; rel=webmention")]
    assert find_endpoint("https://t.example/", headers, None) == "https://e.example/wm"


def test_non_html_bodies_are_not_searched():
    html = '<link rel="webmention" href="/wm">'
    assert find_endpoint("https://t.example/", {}, None) is None
    assert find_endpoint("https://t.example/", {}, html) == "https://t.example/wm"


def test_webmention_inside_script_or_attribute_text_is_not_an_element():
    html = ('<script>document.write(\'<link rel="webmention" href="/WRONG">\')</script>'
            '<img alt=\'<a rel="webmention" href="/WRONG2">\'><a rel="WebMention" href="/ok">x</a>')
    assert find_endpoint("https://t.example/", {}, html) == "https://t.example/ok"


# --- the fetch around it ------------------------------------------------------------------


@pytest.fixture
def server():
    started = LocalServer().start()
    yield started
    started.stop()


def test_a_non_html_target_uses_only_its_link_header(server):
    url = server.add("/photo.png", 200, [("Content-Type", "image/png"),
                                         ("Link", "</wm>; rel=webmention")], b"\x89PNG...")
    assert run(discover, url).endpoint == server.url("/wm")
    plain = server.add("/notes.txt", 200, [("Content-Type", "text/plain")],
                       '<link rel="webmention" href="/wm">')
    found = run(discover, plain)
    assert found.endpoint is None and "text/plain" in found.reason


def test_an_error_page_advertises_nothing(server):
    server.add("/missing", 404, [("Content-Type", HTML)],
               page('<link rel="webmention" href="/wm">'))
    found = run(discover, server.url("/missing"))
    assert found.endpoint is None and "404" in found.reason


def test_a_huge_page_is_a_typed_error(server):
    server.html("/huge", "<p>" + "x" * 20_000)
    with pytest.raises(TooLarge):
        run(discover, server.url("/huge"), max_bytes=10_000)


def test_ssrf_targets_are_refused_without_private_networks(server, monkeypatch):
    monkeypatch.delenv("RELAIS_ALLOW_PRIVATE_NETWORK", raising=False)
    server.html("/p", page('<link rel="webmention" href="/wm">'))
    for url in (server.url("/p"), "http://169.254.169.254/latest/meta-data/"):
        with pytest.raises(Blocked):
            run(discover, url, allow_private=False, retries=0)
    assert server.requests == []
