"""Checkers for the feed rules that most often fail validation, written for the tests.

`xml_problems` follows the W3C feed validator's common failures (guid that
is not a URL without isPermaLink="false", missing or relative self link,
non-RFC-822 / non-RFC-3339 dates, relative URLs in content, duplicate ids);
`json_feed_problems` follows the JSON Feed 1.1 spec's required fields.
Each returns a list of one-line problems; empty means the feed passes.
"""

from __future__ import annotations

import re
from datetime import datetime
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from urllib.parse import urlsplit

from lxml import etree

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
RFC822 = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|"
                    r"Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$")
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def absolute(url: str | None) -> bool:
    parts = urlsplit(url or "")
    return parts.scheme in ("http", "https") and bool(parts.netloc)


class _Urls(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src", "poster", "cite") and value is not None:
                self.urls.append(value)
            elif name == "srcset" and value:
                self.urls += [c.split()[0] for c in value.split(",") if c.strip()]


def relative_urls(html: str) -> list[str]:
    parser = _Urls()
    parser.feed(html or "")
    return [u for u in parser.urls if not absolute(u) and not u.startswith(("#", "mailto:"))]


def _rss(root) -> list[str]:
    problems = []
    channel = root.find("channel")
    self_links = [link for link in channel.findall(f"{ATOM}link") if link.get("rel") == "self"]
    if not self_links or not absolute(self_links[0].get("href")):
        problems.append("channel: missing or relative atom:link rel=self")
    for name in ("lastBuildDate", "pubDate"):
        for element in channel.iter(name):
            if not RFC822.match(element.text or ""):
                problems.append(f"{name}: not an RFC 822 date: {element.text!r}")
    guids = []
    for item in channel.findall("item"):
        guid = item.find("guid")
        if guid is None:
            problems.append("item without guid")
            continue
        guids.append(guid.text)
        if guid.get("isPermaLink", "true") == "true" and not absolute(guid.text):
            problems.append(f"guid {guid.text!r} is not a URL but lacks isPermaLink=\"false\"")
        link = item.findtext("link")
        if not absolute(link):
            problems.append(f"item link not absolute: {link!r}")
        for element in (item.find("description"), item.find(CONTENT)):
            if element is not None:
                problems += [f"relative URL in content: {u}" for u in relative_urls(element.text)]
        enclosure = item.find("enclosure")
        if enclosure is not None and not (absolute(enclosure.get("url"))
                                          and (enclosure.get("length") or "").isdigit()):
            problems.append("enclosure without an absolute url and a length")
    problems += [f"duplicate guid {g}" for g in sorted({g for g in guids if guids.count(g) > 1})]
    return problems


def _atom(root) -> list[str]:
    problems = []
    self_links = [link for link in root.findall(f"{ATOM}link") if link.get("rel") == "self"]
    if not self_links or not absolute(self_links[0].get("href")):
        problems.append("feed: missing or relative link rel=self")
    for name in ("updated", "published"):
        for element in root.iter(f"{ATOM}{name}"):
            if not RFC3339.match(element.text or ""):
                problems.append(f"{name}: not an RFC 3339 date: {element.text!r}")
    ids = []
    for entry in root.findall(f"{ATOM}entry"):
        ids.append(entry.findtext(f"{ATOM}id"))
        alternates = [(link.get("type"), link.get("hreflang")) for link in entry.findall(f"{ATOM}link")
                      if link.get("rel", "alternate") == "alternate"]
        if not alternates:
            problems.append(f"entry {ids[-1]}: no alternate link")
        if len(alternates) != len(set(alternates)):
            problems.append(f"entry {ids[-1]}: duplicate alternate links")
        for link in entry.findall(f"{ATOM}link"):
            if not absolute(link.get("href")):
                problems.append(f"relative link {link.get('href')!r}")
        for element in (entry.find(f"{ATOM}content"), entry.find(f"{ATOM}summary")):
            if element is not None:
                problems += [f"relative URL in content: {u}" for u in relative_urls(element.text)]
        if entry.find(f"{ATOM}author") is None and root.find(f"{ATOM}author") is None:
            problems.append(f"entry {ids[-1]}: no author")
    problems += [f"duplicate id {i}" for i in sorted({i for i in ids if ids.count(i) > 1})]
    return problems


def xml_problems(data: bytes) -> list[str]:
    root = etree.fromstring(data)
    if root.tag == "rss":
        return _rss(root)
    if root.tag == f"{ATOM}feed":
        return _atom(root)
    return [f"not RSS nor Atom: {root.tag}"]


def json_feed_problems(document: dict) -> list[str]:
    problems = []
    if document.get("version") != "https://jsonfeed.org/version/1.1":
        problems.append("version is not https://jsonfeed.org/version/1.1")
    if not isinstance(document.get("title"), str) or not document.get("title"):
        problems.append("no title")
    for name in ("home_page_url", "feed_url"):
        if not absolute(document.get(name)):
            problems.append(f"{name} missing or not absolute")
    authors = document.get("authors")
    if not isinstance(authors, list) or not authors or not all(a.get("name") for a in authors):
        problems.append("authors missing or without names")
    if not isinstance(document.get("language"), str):
        problems.append("no language")
    for hub in document.get("hubs", []):
        if not hub.get("type") or not absolute(hub.get("url")):
            problems.append("hub without type or URL")
    items = document.get("items")
    if not isinstance(items, list):
        return problems + ["items is not a list"]
    ids = [str(i.get("id")) for i in items]
    for item in items:
        if not isinstance(item.get("id"), str) or not item["id"]:
            problems.append("item without a string id")
        if not (item.get("content_html") or item.get("content_text")):
            problems.append(f"item {item.get('id')}: no content")
        for name in ("url", "image"):
            if name in item and not absolute(item[name]):
                problems.append(f"item {item.get('id')}: {name} not absolute")
        for name in ("date_published", "date_modified"):
            if name in item:
                try:
                    if datetime.fromisoformat(item[name]).tzinfo is None:
                        problems.append(f"{name} without a timezone")
                except ValueError:
                    problems.append(f"{name} is not RFC 3339: {item[name]!r}")
        problems += [f"relative URL in content: {u}" for u in relative_urls(item.get("content_html"))]
    problems += [f"duplicate id {i}" for i in sorted({i for i in ids if ids.count(i) > 1})]
    return problems


def rfc822(text: str) -> datetime:
    return parsedate_to_datetime(text)


# --- the checkers catch what they are for -------------------------------------------

BAD_RSS = b"""<?xml version="1.0"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>
<title>t</title><link>https://x.example/</link><description>d</description>
<atom:link href="/feed.xml" rel="self"/>
<lastBuildDate>2026-03-14</lastBuildDate>
<item><title>a</title><link>https://x.example/a/</link><guid>post-1</guid>
<description>&lt;img src="images/a.png"&gt;</description></item>
<item><title>b</title><link>https://x.example/b/</link><guid>post-1</guid></item>
</channel></rss>"""

BAD_ATOM = b"""<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom"><id>x</id><title>t</title>
<updated>Sat, 14 Mar 2026 10:30:00 +0000</updated>
<entry><id>a</id><title>a</title><updated>2026-03-14T10:30:00+00:00</updated>
<link href="https://x.example/a/"/><link href="https://x.example/a.png"/>
<content type="html">&lt;a href="../b/"&gt;b&lt;/a&gt;</content></entry>
<entry><id>a</id><title>b</title><updated>2026-03-14T10:30:00+00:00</updated>
<link href="https://x.example/b/"/></entry></feed>"""


def test_the_xml_checker_finds_the_common_failures():
    rss_found = "\n".join(xml_problems(BAD_RSS))
    for expected in ("relative atom:link rel=self", "not an RFC 822 date",
                     "'post-1' is not a URL", "relative URL in content: images/a.png",
                     "duplicate guid post-1"):
        assert expected in rss_found
    atom_found = "\n".join(xml_problems(BAD_ATOM))
    for expected in ("missing or relative link rel=self", "not an RFC 3339 date",
                     "duplicate alternate links", "relative URL in content: ../b/",
                     "duplicate id a", "no author"):
        assert expected in atom_found


def test_the_json_feed_checker_finds_missing_fields():
    found = "\n".join(json_feed_problems({
        "version": "https://jsonfeed.org/version/1", "title": "t", "feed_url": "/f.json",
        "items": [{"id": 1, "content_html": '<img src="a.png">'}, {"id": "2"}],
    }))
    for expected in ("version is not", "home_page_url missing", "feed_url missing",
                     "authors missing", "no language", "item without a string id",
                     "item 2: no content", "relative URL in content: a.png"):
        assert expected in found
