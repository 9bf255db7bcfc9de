"""A real browser on the follow pages of the published site; every feed link answers."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.conftest import start_static_server
from tests.test_feeds import SITE, published_site  # noqa: F401  (the session fixture)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("path, heading", [("/suivre/", "Suivre ce site"),
                                           ("/en/follow/", "Follow this site")])
def test_the_follow_page_renders_and_its_feed_links_answer(browser, published_site,  # noqa: F811
                                                           artifacts, path, heading):
    base, server = start_static_server(published_site.output)
    page = browser.new_page(viewport={"width": 375, "height": 800})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(base + path)
        assert page.locator("h1").inner_text() == heading
        links = page.locator(".follow-feeds a, .follow-tags a").evaluate_all(
            "links => links.map(a => a.href)")
        assert len(links) > 20 and all(link.startswith(SITE + "/feeds/") for link in links)
        for link in links:  # the published URLs, answered by the built output
            response = page.request.get(base + urlsplit(link).path)
            assert response.status == 200, link
            assert response.body()[:1] in (b"<", b"{"), link
        # each address in a field one can select and copy without JavaScript
        fields = page.locator(".feed-address-field")
        assert fields.count() == page.locator(".follow-feeds a").count()
        for i in range(fields.count()):
            field = fields.nth(i)
            href = field.locator("xpath=preceding-sibling::label/a").get_attribute("href")
            assert field.get_attribute("readonly") is not None and field.input_value() == href
        fields.first.click()
        page.keyboard.press("Control+A")
        assert fields.first.evaluate("f => [f.selectionStart, f.selectionEnd]") == [
            0, len(fields.first.input_value())]
        # the page's language first; two or three readers for each platform
        first = page.locator(".follow-feeds dt").first.get_attribute("id")
        assert first == ("feed-all" if path == "/suivre/" else "feed-lang-en")
        platforms = page.locator(".reader-apps dd").evaluate_all(
            "dds => dds.map(dd => dd.querySelectorAll('a').length)")
        assert len(platforms) >= 5 and all(2 <= n <= 3 for n in platforms)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        page.screenshot(path=str(artifacts / f"follow-{path.strip('/').replace('/', '-')}.png"),
                        full_page=True)
        assert errors == []
    finally:
        page.close()
        server.shutdown()
        server.server_close()
