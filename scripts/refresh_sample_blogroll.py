"""Produce the sample site's committed `data/blogroll/` with the real refresh and discovery.

The sample creators live at `https://<name>.example/`, which do not exist.
So this script serves each of them from the local fleet (scripts/sample_world.py)
on a loopback address, runs the real `refresh` and the real discovery crawl
(depth 3) against those servers, then writes the results under the public
addresses they stand for. Nothing but the addresses is changed.

    .venv/bin/python scripts/refresh_sample_blogroll.py
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import tempfile
from dataclasses import replace
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from relais.plugins.blogroll.cache import AVATARS, CANDIDATES_DIR, load_all  # noqa: E402
from relais.plugins.blogroll.config import SETTINGS  # noqa: E402
from relais.plugins.blogroll.discover import discover  # noqa: E402
from relais.plugins.blogroll.model import load_blogroll, site_key  # noqa: E402
from relais.plugins.blogroll.refresh import refresh  # noqa: E402

from relais.avatar import file_name  # noqa: E402
from relais.store import write_json  # noqa: E402
from scripts.sample_world import DOMAINS, OWNER, REFRESHED, start  # noqa: E402
from tests.support.fleet import Fleet  # noqa: E402


def relocate(source: Path, target: Path, mapping: dict[str, str]) -> int:
    """Copy states and avatars from `source` to `target`, loopback addresses replaced (an
    avatar's file is named after its URL: it is renamed after the public one)."""
    keys = {site_key(local): site_key(public) for local, public in mapping.items()}
    pattern = re.compile(
        "|".join(re.escape(k) for k in sorted({**mapping, **keys}, key=len, reverse=True))
    )
    swap = {**mapping, **keys}
    count = 0
    for path in sorted(source.glob("*.json")):
        text = pattern.sub(lambda m: swap[m.group(0)], path.read_text(encoding="utf-8"))
        state = json.loads(text)
        if state.get("avatar"):
            picture = source / state["avatar"]
            state["avatar"] = f"{AVATARS}/{file_name(state['card']['photo'], picture.suffix)}"
            (target / AVATARS).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(picture, target / state["avatar"])
        write_json(target / f"{site_key(state['site'])}.json", state)
        count += 1
    return count


def main() -> None:
    now = datetime.fromisoformat(REFRESHED)
    defaults = {s.name: s.default for s in SETTINGS}
    creators = load_blogroll(REPO / "content" / "blogroll.yaml")
    data = REPO / defaults["BLOGROLL_DATA"]
    with Fleet() as fleet, tempfile.TemporaryDirectory() as scratch:
        local = start(fleet)
        mapping = {url: DOMAINS[slug] for slug, url in local.items()}
        back = {public: url for url, public in mapping.items()}
        scratch = Path(scratch)
        local_creators = [
            replace(c, site=back[c.site], feed=c.feed and c.feed.replace(c.site, back[c.site]))
            for c in creators
        ]
        outcomes = refresh(
            local_creators, scratch, allow_private=True, now=now, keep=defaults["BLOGROLL_ENTRIES"]
        )
        for outcome in outcomes:
            print(f"{outcome.name}: {outcome.result} {'; '.join(outcome.problems)}")
        states = load_all(scratch, {c.key: c.site for c in local_creators})
        found = discover(
            local_creators,
            states,
            scratch,
            content=REPO / "content",
            article_paths=["posts"],
            own_urls=[OWNER],
            received=[],
            depth=3,
            max_sites=defaults["DISCOVER_MAX_SITES"],
            allow_private=True,
            weights=defaults["DISCOVER_WEIGHTS"],
            now=now,
        )
        print(f"discovery: {len(found.ranked)} candidates, {found.fetched} fetched")
        if data.exists():
            shutil.rmtree(data)
        written = relocate(scratch, data, mapping)
        relocate(scratch / CANDIDATES_DIR, data / CANDIDATES_DIR, mapping)
    print(f"wrote {written} creators into {data.relative_to(REPO)}/")


if __name__ == "__main__":
    main()
