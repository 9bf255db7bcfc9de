"""`relais blogroll import FILE.opml`: merge a feed reader's subscriptions into the blogroll.

The YAML file is edited by appending, never rewritten: the owner's notes,
comments and ordering stay exactly as she wrote them. A subscription whose
site or feed is already in the blogroll is skipped. The result is parsed
again before it replaces the file, atomically.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from relais.plugins.blogroll.model import Creator, normalize_url, parse_blogroll, site_identity
from relais.plugins.blogroll.opml import Outline, origin, read_opml

from relais.store import write_atomic

ITEM = re.compile(r"^(\s*)- ", re.MULTILINE)
HEADER = "# The creators I follow: see docs/blogroll.md\ncreators:\n"


@dataclass
class Merge:
    added: list[Outline] = field(default_factory=list)
    skipped: list[tuple[Outline, str]] = field(default_factory=list)
    text: str = ""


def _block(outline: Outline, indent: str) -> str:
    item = {"name": outline.title, "site": outline.site or origin(outline.feed or "")}
    if outline.feed:
        item["feed"] = outline.feed
    if outline.groups:
        item["groups"] = outline.groups
    if outline.tags:
        item["interests"] = outline.tags
    item["note"] = outline.description or ""
    dumped = yaml.safe_dump([item], allow_unicode=True, sort_keys=False, width=100)
    return "".join(indent + line + "\n" for line in dumped.splitlines())


def merge_opml(text: str, document: bytes, where: str, opml_name: str) -> Merge:
    """The blogroll text with the OPML's new subscriptions appended (validated)."""
    creators = parse_blogroll(text, where)
    outlines = read_opml(document, opml_name)
    sites = {site_identity(c.site): c for c in creators}
    feeds = {normalize_url(c.feed): c for c in creators if c.feed}
    merge = Merge()
    blocks = []
    for outline in outlines:
        site = outline.site or origin(outline.feed or "")
        same = sites.get(site_identity(site)) or (
            feeds.get(normalize_url(outline.feed)) if outline.feed else None
        )
        if same:
            merge.skipped.append((outline, same.name))
            continue
        sites[site_identity(site)] = Creator(outline.title, site)
        if outline.feed:
            feeds[normalize_url(outline.feed)] = sites[site_identity(site)]
        merge.added.append(outline)
    if not merge.added:
        merge.text = text
        return merge
    existing = ITEM.search(text) if creators else None
    if existing:
        indent = existing.group(1)
        base = text if text.endswith("\n") else text + "\n"
    else:  # no creator yet: a fresh `creators:` list after whatever comments there were
        kept = [line for line in text.splitlines() if line.lstrip().startswith("#")]
        base = ("\n".join(kept) + "\n" if kept else "") + (HEADER if not kept else "creators:\n")
        indent = "  "
    for outline in merge.added:
        blocks.append(_block(outline, indent))
    merge.text = base + "".join(blocks)
    parse_blogroll(merge.text, where)  # never write a file we could not read back
    return merge


def import_opml(path: Path, opml_path: Path, where: str) -> Merge:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    merge = merge_opml(text, Path(opml_path).read_bytes(), where, str(opml_path))
    if merge.added:
        write_atomic(path, merge.text)
    return merge
