"""A link checker over a built site: every internal href, src and srcset must resolve to a file
(and a fragment to an element id)."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit


class PageScan(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(attributes["id"])
        for name in ("href", "src"):
            if attributes.get(name) is not None:
                self.links.append(attributes[name])
        for candidate in (attributes.get("srcset") or "").split(","):
            if candidate.strip():
                self.links.append(candidate.split()[0])


def scan(path: Path) -> PageScan:
    page = PageScan()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def target_file(root: Path, url_path: str) -> Path:
    path = root / unquote(url_path).lstrip("/")
    return path / "index.html" if url_path.endswith("/") or path.is_dir() else path


def broken_links(root: Path, site_url: str = "") -> list[str]:
    """`page: link` for each internal link of each HTML page under root that does not resolve."""
    base = "http://site.invalid/"
    problems = []
    scans = {}
    for page_path in sorted(root.rglob("*.html")):
        relative = page_path.relative_to(root).as_posix()
        page = scans.setdefault(page_path, scan(page_path))
        for link in page.links:
            if site_url and link.startswith(site_url):
                link = "/" + link[len(site_url):].lstrip("/")
            absolute = urljoin(base + relative, link)
            parts = urlsplit(absolute)
            if parts.scheme not in ("http", "https") or not absolute.startswith(base):
                continue  # outside links and mailto: are not ours to check
            target = target_file(root, parts.path)
            if not target.is_file():
                problems.append(f"{relative}: {link} (no {target.relative_to(root)})")
            elif parts.fragment and target.suffix == ".html":
                ids = scans.setdefault(target, scan(target)).ids
                if parts.fragment not in ids:
                    problems.append(f"{relative}: {link} (no id {parts.fragment!r})")
    return problems
