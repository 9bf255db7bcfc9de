"""The private page (`relais relays serve`) in Chromium at 375 and 1280 px: the sample's week,
a person's timeline, forms that work without JavaScript, the main WCAG rules checked in the
page (language, landmarks, labels, names, contrast, headings, ids), and the locks: a token,
loopback clients and Host names only, nothing served on another address.
axe-core (a test-only tool from npm, tests/support/axe.py) runs on the same pages."""

from __future__ import annotations

import os
import socket
import threading
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from relais.plugins.relays.config import config
from relais.plugins.relays.desk import open_desk
from relais.plugins.relays.server import PageThread, create_app

from relais.build import load_settings
from tests.support.axe import axe_violations
from tests.support.relays_world import copy_sample

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
TOKEN = "test-token-0123456789abcdef"
WIDTHS = {"phone": 375, "desktop": 1280}

# The checks axe-core makes most often on a page like this one, done in the page itself.
WCAG = """() => {
  const problems = [];
  const lang = document.documentElement.getAttribute('lang');
  if (!lang) problems.push('html has no lang');
  for (const tag of ['header', 'nav', 'main', 'footer'])
    if (document.querySelectorAll(tag).length !== 1) problems.push('landmark ' + tag);
  if (document.querySelectorAll('h1').length !== 1) problems.push('one h1');
  let level = 1;
  for (const h of document.querySelectorAll('h1, h2, h3, h4')) {
    const n = Number(h.tagName[1]);
    if (n > level + 1) problems.push('heading skips a level: ' + h.textContent);
    level = n;
  }
  for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
    const label = el.labels && el.labels.length ? el.labels[0].textContent.trim() : '';
    if (!label && !el.getAttribute('aria-label')) problems.push('no label: ' + el.name);
  }
  for (const el of document.querySelectorAll('a, button'))
    if (!el.textContent.trim() && !el.getAttribute('aria-label')) problems.push('no name: ' + el.outerHTML);
  for (const img of document.querySelectorAll('img'))
    if (!img.hasAttribute('alt')) problems.push('img without alt');
  const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
  if (new Set(ids).size !== ids.length) problems.push('duplicate id');
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const channel = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
  const lum = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const background = el => {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || c[3] > 0) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.trim() || !el.offsetParent && el.tagName !== 'BODY') continue;
    const style = getComputedStyle(el);
    const a = lum(rgb(style.color).slice(0, 3)), b = lum(background(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && style.fontWeight >= 700);
    const text = walker.currentNode.textContent.trim().slice(0, 40);
    if (ratio < (large ? 3 : 4.5)) problems.push('contrast ' + ratio.toFixed(2) + ': ' + text);
  }
  return problems;
}"""


@pytest.fixture(scope="module")
def page_url(tmp_path_factory):
    root = copy_sample(tmp_path_factory.mktemp("page") / "site")
    xdg = tmp_path_factory.mktemp("xdg")
    old = os.environ.get("XDG_DATA_HOME")
    os.environ["XDG_DATA_HOME"] = str(xdg)
    cwd = os.getcwd()
    os.chdir(root)
    try:
        settings = load_settings("pelicanconf.py")
        cfg = config(settings)
        app = create_app(lambda: open_desk(settings, cfg), token=TOKEN, now=lambda: NOW)
        with PageThread(app) as running:
            yield f"http://127.0.0.1:{running.port}", cfg
    finally:
        os.chdir(cwd)
        if old is None:
            os.environ.pop("XDG_DATA_HOME", None)
        else:
            os.environ["XDG_DATA_HOME"] = old


def check_page(page, artifacts, name: str, width: int) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{overflow}px of horizontal scroll at {width}px on {name}"
    assert page.evaluate(WCAG) == []
    assert axe_violations(page) == []
    page.screenshot(path=str(artifacts / f"relays-{name}-{width}.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS.values(), ids=list(WIDTHS))
def test_the_private_page_renders_and_is_accessible(browser, page_url, artifacts, width):
    base, _ = page_url
    # the page's Content-Security-Policy forbids every script: axe needs it lifted
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    response = page.goto(f"{base}/?token={TOKEN}", wait_until="load")
    assert response.status == 200 and page.url == f"{base}/"
    assert page.locator("h1").inner_text() == "Your relays, week of 2026-11-20"
    thank = page.locator("section[aria-labelledby=thank]")
    assert "Théo Marchal" in thank.inner_text() and "reply on 2026-10-05" in thank.inner_text()
    check_page(page, artifacts, "week", width)
    for path in ("/people", "/reach"):
        page.goto(base + path, wait_until="load")
        check_page(page, artifacts, path.strip("/"), width)
    page.goto(base + "/people", wait_until="load")
    page.get_by_role("link", name="Jeanne Potier").click()
    page.wait_for_load_state("load")
    assert "you worked together" in page.locator("#main").inner_text()
    check_page(page, artifacts, "person", width)
    assert errors == []
    context.close()


@pytest.mark.browser
def test_forms_work_without_javascript(browser, page_url):
    base, cfg = page_url
    context = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.goto(f"{base}/?token={TOKEN}", wait_until="load")
    page.goto(f"{base}/people/theo-marchal.example", wait_until="load")
    page.get_by_label("A note, for you only").fill("Rappeler pour les plateaux de Noël")
    page.get_by_role("button", name="Add the note").click()
    page.wait_for_load_state("load")
    assert "Rappeler pour les plateaux de Noël" in page.locator("#notes + ul, #main").first.inner_text()
    page.get_by_label("Stage").select_option("collaborating")
    page.get_by_role("button", name="Set the stage").click()
    page.wait_for_load_state("load")
    ledger = Path(cfg.ledger).read_text(encoding="utf-8")
    assert "Rappeler pour les plateaux de Noël" in ledger and '"collaborating"' in ledger
    page.goto(f"{base}/", wait_until="load")
    page.get_by_role("button", name="Mark as answered (Théo Marchal, 2026-10-05)").click()
    page.wait_for_load_state("load")
    assert "Théo Marchal" not in page.locator("section[aria-labelledby=thank]").inner_text()
    context.close()


def test_the_page_needs_its_token(page_url):
    base, _ = page_url
    with httpx.Client(base_url=base, follow_redirects=True) as client:
        plain = client.get("/")
        assert plain.status_code == 403 and "Théo" not in plain.text
        assert client.get("/?token=wrong").status_code == 403
        assert client.get("/people/jeanne-potier.example").status_code == 403
        opened = client.get(f"/?token={TOKEN}")  # sets the cookie, then the week
        assert opened.status_code == 200 and "Théo Marchal" in opened.text
        assert "SameSite=strict" in opened.history[0].headers["set-cookie"]
        # a form from another site cannot write: it does not carry the token
        forged = client.post("/people/jeanne-potier.example/note", data={"text": "x", "csrf": "no"})
        assert forged.status_code == 403
        # a page of another name resolving to 127.0.0.1 (DNS rebinding) gets nothing
        rebound = client.get("/", headers={"Host": f"evil.example:{base.rsplit(':', 1)[1]}"})
        assert rebound.status_code == 403 and rebound.text == ""


def non_loopback_address() -> str | None:
    """An address of this machine that is not loopback (no packet sent: UDP connect only)."""
    for probe in ("192.0.2.1", "198.51.100.1"):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            try:
                udp.connect((probe, 9))
                address = udp.getsockname()[0]
            except OSError:
                continue
            if not address.startswith("127.") and address != "0.0.0.0":
                return address
    return None


def test_nothing_answers_on_a_non_loopback_address(page_url):
    base, _ = page_url
    port = int(base.rsplit(":", 1)[1])
    address = non_loopback_address()
    if address is None:
        pytest.skip("this machine has no address besides loopback")
    with socket.socket() as connection, pytest.raises(OSError):
        connection.settimeout(2)
        connection.connect((address, port))


def test_a_client_that_is_not_local_gets_an_empty_403(page_url):
    """The guard itself, behind a proxy that would forward a remote client to the loopback."""
    import asyncio

    base, cfg = page_url
    settings = load_settings(str(cfg.root / "pelicanconf.py"))
    app = create_app(lambda: open_desk(settings, cfg), token=TOKEN, now=lambda: NOW)
    sent = []

    async def call():
        scope = {"type": "http", "method": "GET", "path": "/", "raw_path": b"/",
                 "query_string": f"token={TOKEN}".encode(), "client": ("203.0.113.9", 5000),
                 "server": ("127.0.0.1", 80), "scheme": "http", "http_version": "1.1",
                 "headers": [(b"host", b"127.0.0.1")], "root_path": ""}

        async def receive():
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message):
            sent.append(message)

        await app(scope, receive, send)

    worker = threading.Thread(target=asyncio.run, args=(call(),))  # the browser holds a loop
    worker.start()
    worker.join(10)
    assert sent[0]["status"] == 403
    assert b"".join(m.get("body", b"") for m in sent[1:]) == b""


def test_serve_refuses_a_non_loopback_host(tmp_path):
    from tests.conftest import run_relais

    root = copy_sample(tmp_path / "site")
    result = run_relais("relays", "serve", "--host", "0.0.0.0", cwd=root,
                        env={"XDG_DATA_HOME": str(tmp_path / "xdg")})
    assert result.returncode == 1
    assert result.stderr.strip() == ("error: --host 0.0.0.0: the ledger is private; serve it on "
                                     "127.0.0.1 or ::1 only")
