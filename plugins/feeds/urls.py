"""Make every relative URL in a post's HTML absolute, so that readers show its images and links.

Feed readers do not know the page a post came from; a relative `src`,
`href` or `srcset` candidate would point nowhere.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

URL_NAMES = ("href", "src", "poster", "cite", "data")
URL_ATTRIBUTE = re.compile(
    rf"""(?P<before>\s(?:{"|".join(URL_NAMES)})\s*=\s*)(?P<q>["'])(?P<url>.*?)(?P=q)""",
    re.IGNORECASE,
)
SRCSET_ATTRIBUTE = re.compile(
    r"""(?P<before>\ssrcset\s*=\s*)(?P<q>["'])(?P<value>.*?)(?P=q)""", re.IGNORECASE
)
ABSOLUTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|#)", re.IGNORECASE)


def absolute(url: str, base: str) -> str:
    """`url` resolved against `base`; absolute URLs, mailto: and bare fragments are kept."""
    stripped = url.strip()
    if not stripped or ABSOLUTE.match(stripped):
        return url
    return urljoin(base, stripped)


def absolute_srcset(value: str, base: str) -> str:
    candidates = []
    for candidate in value.split(","):
        parts = candidate.strip().split(None, 1)
        if parts:
            parts[0] = absolute(parts[0], base)
            candidates.append(" ".join(parts))
    return ", ".join(candidates)


def matches(pattern: re.Pattern, names: tuple[str, ...], html: str):
    """What `pattern.finditer(html)` finds, for a pattern `\\s(?:NAME|...)\\s*=...`, found from
    the `=` signs instead of trying every space of the text (a post has thousands).

    A match starting at `s` has its name right after `s` and only spaces from there to its
    `=`: from each `=`, going back over the spaces, the few places a match could start are
    tried, in the order `finditer` meets them (see tests/test_feeds_core.py)."""
    lengths = sorted({len(name) for name in names}, reverse=True)
    end, find = 0, html.find
    sign = find("=")
    while sign != -1:
        name_end = sign
        while name_end > end and html[name_end - 1].isspace():
            name_end -= 1
        for length in lengths:
            start = name_end - length - 1
            found = pattern.match(html, start) if start >= end else None
            if found:
                yield found
                end = found.end()
                break
        sign = find("=", max(sign + 1, end))


def _replace(html: str, found, replacement) -> str:
    parts, last = [], 0
    for match in found:
        parts += [html[last:match.start()], replacement(match)]
        last = match.end()
    return "".join(parts) + html[last:] if parts else html


def absolutize(html: str, base: str) -> str:
    """The same HTML with links, images and srcset candidates made absolute against `base`."""
    html = _replace(html, matches(URL_ATTRIBUTE, URL_NAMES, html),
                    lambda m: f"{m['before']}{m['q']}{absolute(m['url'], base)}{m['q']}")
    return _replace(html, matches(SRCSET_ATTRIBUTE, ("srcset",), html),
                    lambda m: f"{m['before']}{m['q']}{absolute_srcset(m['value'], base)}{m['q']}")
