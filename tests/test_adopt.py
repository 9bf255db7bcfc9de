"""`relais adopt` on two throw-away Pelican sites (tests/support/pelican_sites.py): after it,
every page is where the plain Pelican build put it, every feed keeps its path and entry ids,
each article is one h-entry crediting its authors, and no link is broken that was not before."""

from __future__ import annotations

import re
from pathlib import Path

import feedparser
import mf2py
import pytest

from tests.conftest import run_relais
from tests.support.linkcheck import broken_links
from tests.support.pelican_sites import Adopted


@pytest.fixture(scope="module", params=["adopted_rst", "adopted_zh"])
def adopted(request) -> Adopted:
    return request.getfixturevalue(request.param)


def files(folder: Path, suffixes: tuple[str, ...]) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.suffix in suffixes}


def test_adopt_reports_success_and_changes_no_content(adopted):
    assert adopted.adopt.returncode == 0, adopted.adopt.stderr + adopted.adopt.stdout
    assert "check: all" in adopted.adopt.stdout
    now = {p.relative_to(adopted.site) for p in (adopted.site / "content").rglob("*")}
    assert now - adopted.before <= {Path("content/blogroll.yaml")}
    for path, data in adopted.sources.items():
        assert path.read_bytes() == data, path
    assert adopted.dev.returncode == 0, adopted.dev.stderr


def test_every_page_of_the_plain_build_is_at_the_same_url(adopted):
    missing = files(adopted.plain, (".html",)) - files(adopted.output, (".html",))
    assert not missing
    if adopted.manifest.home_text:  # the custom home page is still the home page
        assert adopted.manifest.home_text in (adopted.output / "index.html").read_text("utf-8")


def test_every_feed_keeps_its_path_and_its_entry_ids(adopted):
    feeds = files(adopted.plain, (".xml",))
    assert feeds
    for feed in feeds:
        ids = [e.id for e in feedparser.parse((adopted.plain / feed).read_bytes()).entries]
        now = [e.id for e in feedparser.parse((adopted.output / feed).read_bytes()).entries]
        assert ids and sorted(now) == sorted(ids), feed


def test_each_article_is_one_h_entry_crediting_its_authors(adopted):
    for url, authors in adopted.manifest.articles.items():
        page = adopted.output / url.lstrip("/")
        page = page / "index.html" if url.endswith("/") else page
        parsed = mf2py.parse(doc=page.read_text(encoding="utf-8"),
                             url=adopted.manifest.site_url + url)
        entries = [item for item in parsed["items"] if "h-entry" in item["type"]]
        assert len(entries) == 1, url
        credited = [a["properties"]["name"][0] for a in entries[0]["properties"]["author"]]
        assert credited == authors, url


def test_no_link_is_broken_that_the_plain_build_did_not_break(adopted):
    def targets(problems):
        return {re.search(r"\(no (.*)\)$", p).group(1) for p in problems}

    site_url = adopted.manifest.site_url
    before = targets(broken_links(adopted.plain, site_url))
    after = targets(broken_links(adopted.output, site_url))
    assert after <= before, sorted(after - before)


def test_adopting_twice_is_refused(adopted):
    again = run_relais("adopt", str(adopted.site))
    assert again.returncode == 1
    assert again.stderr.startswith("error: ") and "already adopted" in again.stderr


def test_a_dry_run_from_a_relative_path_reports_and_writes_nothing(tmp_path):
    site = tmp_path / "blog"
    (site / "content").mkdir(parents=True)
    (site / "pelicanconf.py").write_text('SITENAME = "Blog"\nPATH = "content"\n'
                                         'SOCIAL = (("Mastodon", "https://m.example/@me"),)\n')
    before = (site / "pelicanconf.py").read_text()
    result = run_relais("adopt", "blog", "--dry-run", "--no-check", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Would adopt {site}:")
    assert 'SOCIAL -> REL_ME: 1 profile(s) linked with rel="me"' in result.stdout
    assert "publishconf.py: written" in result.stdout and "SITEURL: not known" in result.stdout
    assert (site / "pelicanconf.py").read_text() == before
    assert sorted(p.name for p in site.iterdir()) == ["content", "pelicanconf.py"]


def test_keeping_the_sites_theme_the_plugins_pages_use_their_own_templates_in_it(tmp_path):
    from tests.support.pelican_sites import write_zh_site

    write_zh_site(tmp_path / "site", posts=3)
    result = run_relais("adopt", "site", "--keep-theme", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "THEME: yours (notmyidea, Pelican's default)" in result.stdout
    built = run_relais("build", "--publish", "-o", str(tmp_path / "out"), cwd=tmp_path / "site")
    assert built.returncode == 0, built.stderr
    for page in ("blogroll/index.html", "follow/index.html"):
        text = (tmp_path / "out" / page).read_text(encoding="utf-8")
        assert "/theme/css/main.css" in text and 'class="relais-' in text  # notmyidea's layout
