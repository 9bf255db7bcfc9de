"""Give every `<img>` of a written page that shows a prepared raster image its responsive
markup. Pure: no Pelican, no Pillow.

`<img src="…/images/bowl.jpg" alt="…">` becomes

    <picture><source type="image/webp" srcset="…/images/bowl-480.webp 480w, …" sizes="…">
    <img src="…/images/bowl.jpg" alt="…" srcset="…/images/bowl-480.jpg 480w, …" sizes="…"
         width="1600" height="1200" loading="lazy" decoding="async"></picture>

The variants sit beside the image, so each new address is the `src` as written
(relative, root-relative or absolute) with its file name changed. A `sizes` the
template or the text gave is kept (a template that cannot know whether the images plugin
runs says it as `data-sizes`, which becomes `sizes`); otherwise the site's default is used. The
first such image inside `<main>` loads eagerly with a high fetch priority (it is
likely the largest thing seen first); every later one is lazy; one before
`<main>` (a header photo) keeps the loading its template chose. An `<img>` already
in a `<picture>`, or showing a file this build did not prepare (SVG, GIF, another
site's), is left as it is.
"""

from __future__ import annotations

import functools
import html
import posixpath
import re
from collections.abc import Callable
from urllib.parse import quote, unquote, urlsplit

TAG = re.compile(r"<picture\b.*?</picture\s*>|<img\b[^>]*>", re.IGNORECASE | re.DOTALL)
ATTRIBUTE = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
MANAGED = ("src", "srcset", "sizes", "data-sizes", "width", "height", "loading", "decoding", "fetchpriority")


def attributes(tag: str) -> list[tuple[str, str | None]]:
    """The attributes of one `<img …>` tag, in order, values unescaped (None: no value)."""
    inner = tag[4:-1].rstrip("/")
    found = []
    for match in ATTRIBUTE.finditer(inner):
        name = match.group(1).lower()
        raw = next((g for g in match.groups()[1:] if g is not None), None)
        found.append((name, None if raw is None else html.unescape(raw)))
    return found


def site_path(src: str, page_dir: str, site_url: str) -> str | None:
    """The path from the output root of the file `src` points to on a page in `page_dir`
    (posix, "" for the root), or None when it points elsewhere."""
    if src.startswith(("data:", "//")) or "?" in src or "#" in src:
        return None
    base = urlsplit(site_url).path.rstrip("/") if site_url else ""
    if "://" in src:
        if not site_url or not src.startswith(site_url.rstrip("/") + "/"):
            return None
        path = src[len(site_url.rstrip("/")) + 1:]
    elif src.startswith("/"):
        if base and not src.startswith(base + "/"):
            return None
        path = src[len(base) + 1:]
    else:
        path = posixpath.join(page_dir, src)
    path = posixpath.normpath(unquote(path))
    return None if path.startswith("..") else path


@functools.lru_cache(maxsize=4096)
def _srcset(prefix: str, stem: str, variants: tuple) -> str:
    return ", ".join(f"{prefix}{quote(stem + '-' + v.name)} {v.width}w" for v in variants)


def _tag(name: str, attrs: list[tuple[str, str | None]]) -> str:
    parts = [name]
    for key, value in attrs:
        parts.append(key if value is None else f'{key}="{html.escape(value, quote=True)}"')
    return "<" + " ".join(parts) + ">"


def rewrite(page: str, page_dir: str, site_url: str, lookup: Callable[[str], object | None],
            default_sizes: str) -> str:
    """`page` with each `<img>` of a prepared image made responsive (see the module's doc)."""
    main_at = page.find("<main")
    first_pending = True
    pieces, last = [], 0
    for match in TAG.finditer(page):
        tag = match.group(0)
        if tag[:4].lower() != "<img":
            continue
        attrs = attributes(tag)
        values = dict(attrs)
        src = values.get("src") or ""
        path = site_path(src, page_dir, site_url)
        prepared = lookup(path) if path else None
        if prepared is None:
            continue
        prefix = src[: src.rfind("/") + 1]
        stem = posixpath.splitext(posixpath.basename(path))[0]
        sizes = values.get("sizes") or values.get("data-sizes") or default_sizes
        kept = [(k, v) for k, v in attrs if k not in MANAGED]
        loading = values.get("loading")
        extra: list[tuple[str, str | None]] = []
        if match.start() >= main_at:
            if first_pending:
                loading, first_pending = "eager", False
                extra.append(("fetchpriority", "high"))
            else:
                loading = "lazy"
        new_img = [("src", src), *kept,
                   ("srcset", _srcset(prefix, stem, prepared.fallback)), ("sizes", sizes),
                   ("width", str(prepared.width)), ("height", str(prepared.height))]
        if loading:
            new_img.append(("loading", loading))
        new_img += [*extra, ("decoding", "async" if loading != "eager" else "auto")]
        source = _tag("source", [("type", "image/webp"),
                                 ("srcset", _srcset(prefix, stem, prepared.modern)),
                                 ("sizes", sizes)])
        pieces += [page[last:match.start()], "<picture>", source, _tag("img", new_img),
                   "</picture>"]
        last = match.end()
    if not pieces:
        return page
    pieces.append(page[last:])
    return "".join(pieces)
