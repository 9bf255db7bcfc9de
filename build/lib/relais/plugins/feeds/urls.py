"""Make every relative URL in a post's HTML absolute, so that readers show its images and links.

Feed readers do not know the page a post came from; a relative `src`,
`href` or `srcset` candidate would point nowhere.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

URL_ATTRIBUTE = re.compile(
    r"""(?P<before>\s(?:href|src|poster|cite|data)\s*=\s*)(?P<q>["'])(?P<url>.*?)(?P=q)""",
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


def absolutize(html: str, base: str) -> str:
    """The same HTML with links, images and srcset candidates made absolute against `base`."""
    html = URL_ATTRIBUTE.sub(
        lambda m: f"{m['before']}{m['q']}{absolute(m['url'], base)}{m['q']}", html
    )
    return SRCSET_ATTRIBUTE.sub(
        lambda m: f"{m['before']}{m['q']}{absolute_srcset(m['value'], base)}{m['q']}", html
    )
