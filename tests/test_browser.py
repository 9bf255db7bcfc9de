"""A real browser: the home page and a story at phone and desktop widths."""

import pytest

from tests.test_sample_site import article_pages

pytestmark = pytest.mark.browser

WIDTHS = {"phone": 375, "desktop": 1280}


@pytest.fixture(scope="module")
def site_url(sample_site_url):
    return sample_site_url


def story_path(sample_site):
    """The first story with a cover: the richest page the theme renders."""
    page = next(p for p in article_pages(sample_site.output)
                if "u-photo" in p.read_text(encoding="utf-8"))
    return "/" + page.parent.relative_to(sample_site.output).as_posix() + "/"


PAGES = {"home": "/", "story": None, "pieces": "/pieces/", "blogroll": "/blogroll/",
         "follow": "/suivre/", "piece": "/2026/bols-et-plateaux/"}

# Every picture of the work (covers, cards, the gallery): its box has the image's own shape
# (nothing cropped), whatever the CSS does with object-fit.
CROPPED = """() => [...document.querySelectorAll(
        'main img.u-photo, main .entry-card-cover, main .gallery-item img')]
    .filter(i => i.naturalWidth && i.getBoundingClientRect().width)
    .map(i => { const box = i.getBoundingClientRect();
                const shown = box.width / box.height, own = i.naturalWidth / i.naturalHeight;
                return [i.currentSrc || i.src, shown, own, getComputedStyle(i).objectFit]; })
    .filter(([src, shown, own]) => Math.abs(shown / own - 1) > 0.02)"""

# What the page cost: the document and every resource it fetched, as the browser counts them.
TRANSFERRED = """() => performance.getEntriesByType('navigation').concat(
    performance.getEntriesByType('resource')).reduce((sum, e) => sum + e.transferSize, 0)"""


def visit_all(page) -> None:
    """Scroll the whole page (lazy images load once scrolled to), then back to the top."""
    page.evaluate("""async () => {
        for (let y = 0; y < document.body.scrollHeight; y += 400) {
            window.scrollTo(0, y); await new Promise(r => setTimeout(r, 20)); }
        window.scrollTo(0, 0); }""")
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("width", WIDTHS, ids=list(WIDTHS))
@pytest.mark.parametrize("which", PAGES)
def test_pages_render_without_errors_or_sideways_scroll(browser, site_url, sample_site,
                                                         artifacts, which, width):
    path = PAGES[which] or story_path(sample_site)
    context = browser.new_context(viewport={"width": WIDTHS[width], "height": 900})
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    response = page.goto(site_url + path, wait_until="load")
    assert response.status == 200
    assert errors == []
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{overflow}px of horizontal scroll at {WIDTHS[width]}px"
    visit_all(page)  # lazy images load once scrolled to: see them all before judging them
    broken = page.evaluate(
        "[...document.images].filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)")
    assert broken == []
    assert page.evaluate(CROPPED) == [], "covers shown cropped"
    if which == "home":  # the sample's photos included, every picture scrolled to
        assert page.evaluate(TRANSFERRED) <= 300 * 1024
    page.screenshot(path=str(artifacts / f"{which}-{width}.png"), full_page=True)
    context.close()


def test_the_site_works_without_javascript(browser, site_url, sample_site):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.goto(site_url + "/", wait_until="load")
    assert page.locator("main").count() == 1
    # the skip link leads to the main content, and navigation works by plain links
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')").endswith("#main")
    first_entry = page.locator("main .h-entry a.u-url").first
    first_entry.click()
    page.wait_for_load_state("load")
    assert page.locator("article.h-entry .e-content").count() == 1
    context.close()


def test_nothing_scrolls_sideways_at_320_px(browser, site_url, sample_site):
    """The narrowest phones: every page a visitor meets first fits, covers whole."""
    context = browser.new_context(viewport={"width": 320, "height": 700})
    page = context.new_page()
    for which, path in PAGES.items():
        page.goto(site_url + (path or story_path(sample_site)), wait_until="load")
        visit_all(page)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{which}: {overflow}px of horizontal scroll at 320px"
        assert page.evaluate(CROPPED) == [], which
    context.close()
