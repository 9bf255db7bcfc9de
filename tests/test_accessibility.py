"""axe-core on the pages a visitor meets first, at phone and desktop widths, light and dark."""

from __future__ import annotations

import pytest

from tests.support.axe import axe_script, axe_violations
from tests.test_browser import story_path

pytestmark = pytest.mark.browser

WIDTHS = {"phone": 375, "desktop": 1280}
PAGES = {
    "home": "/",
    "story": None,  # the richest story, found in the build
    "archives": "/archives/",
    "blogroll": "/blogroll/",
    "follow": "/suivre/",
    "about": "/a-propos/",
    "english-follow": "/en/follow/",
    "pieces": "/pieces/",
    "piece": "/2026/bols-et-plateaux/",
}


@pytest.fixture(scope="module")
def site_url(sample_site_url):
    return sample_site_url


# Layout changes with the width, colours with the scheme: dark is checked at one width.
VIEWS = [("phone", "light"), ("desktop", "light"), ("desktop", "dark")]


@pytest.mark.parametrize(("width", "scheme"), VIEWS, ids=[f"{w}-{s}" for w, s in VIEWS])
@pytest.mark.parametrize("which", PAGES)
def test_axe_finds_no_violation(browser, site_url, sample_site, which, width, scheme):
    axe_script()  # skip (or fail in CI) before opening anything when axe is missing
    path = PAGES[which] or story_path(sample_site)
    context = browser.new_context(viewport={"width": WIDTHS[width], "height": 900},
                                  color_scheme=scheme)
    page = context.new_page()
    response = page.goto(site_url + path, wait_until="load")
    assert response.status == 200, path
    violations = axe_violations(page)
    context.close()
    assert violations == [], f"{path} at {WIDTHS[width]}px, {scheme}: " + "; ".join(violations)
