"""The images plugin: a phone photo published light, upright and without its EXIF; every
`<img>` of it responsive; a second build reuses the encoded variants; SVG passes through."""

from __future__ import annotations

import os
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image
from relais.plugins.images.markup import rewrite, site_path
from relais.plugins.images.variants import Prepared, Variant

from relais.build import build, load_settings
from tests.conftest import write_tiny_site
from tests.support.photos import metadata_of, phone_photo

STORY = """Title: Le bol du matin
Date: 2026-03-01 10:00
Category: Atelier
Slug: bol-du-matin
Summary: Un bol tourné un matin.
Status: available
Materials: grès
Cover: images/bol.jpg
Cover_alt: Un bol en grès sur l'établi
Photos: images/pied.jpg | Le pied du bol, grès brut
    images/bol.jpg | Le bol entier, vu de trois quarts

Le voici de près :

![Le pied du bol]({static}/images/pied.jpg)

Et le croquis : ![Croquis](images/pot.svg)
"""


class Images(HTMLParser):
    def __init__(self):
        super().__init__()
        self.imgs, self.sources = [], []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.imgs.append(dict(attrs))
        elif tag == "source":
            self.sources.append(dict(attrs))


def images_of_text(html: str) -> Images:
    parser = Images()
    parser.feed(html)
    return parser


def images_of(page: Path) -> Images:
    return images_of_text(page.read_text(encoding="utf-8"))


def build_site(settings: Path) -> list[str]:
    """Build in-process; the notes the plugins left (e.g. "images: 2 encoded, 0 reused")."""
    cwd = os.getcwd()
    os.chdir(settings.parent)
    try:
        return build(load_settings(str(settings))).notes
    finally:
        os.chdir(cwd)


def cache_state(cache: Path) -> dict[str, int]:
    return {str(p.relative_to(cache)): p.stat().st_mtime_ns for p in cache.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def photo_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("photos")
    settings = write_tiny_site(root, {"bol.md": STORY})
    phone_photo(root / "content" / "images" / "bol.jpg")  # 4032 x 3024, GPS EXIF
    phone_photo(root / "content" / "images" / "pied.jpg", (1200, 1600), seed=3)
    notes = build_site(settings)
    assert any(note.startswith("images: 2 encoded, 0 reused") for note in notes), notes
    first = cache_state(root / "data" / "cache" / "images")
    return root, settings, first


def test_no_published_image_carries_exif(photo_site):
    root, _, _ = photo_site
    rasters = [p for p in (root / "output").rglob("*") if p.suffix in (".jpg", ".webp")]
    assert len(rasters) >= 8  # the originals' addresses and their variants
    assert {p.name: metadata_of(p) for p in rasters if metadata_of(p)} == {}
    assert metadata_of(root / "content" / "images" / "bol.jpg")["gps"]  # the photo had some


def test_the_original_address_serves_a_cleaned_capped_copy(photo_site):
    root, _, _ = photo_site
    published = root / "output" / "images" / "bol.jpg"
    assert published.read_bytes() != (root / "content" / "images" / "bol.jpg").read_bytes()
    with Image.open(published) as image:
        assert image.size == (1600, 1200)


def test_home_page_stays_light(photo_site):
    """HTML, stylesheet and, for each image, the largest file its srcsets offer (the most a
    browser could fetch for it) together stay within 300 KiB."""
    root, _, _ = photo_site
    output = root / "output"
    home = output / "index.html"
    found = images_of(home)
    weight = home.stat().st_size + sum(p.stat().st_size for p in output.rglob("*.css"))
    for entry in (*found.imgs, *found.sources):
        candidates = [c.strip().split()[0] for c in (entry.get("srcset") or "").split(",") if c]
        if candidates:
            weight += max((output / c.lstrip("./").lstrip("/")).stat().st_size for c in candidates)
    assert any("bol-480.webp" in s["srcset"] for s in found.sources)
    assert weight <= 300 * 1024, weight


@pytest.mark.browser
@pytest.mark.parametrize("width", [375, 1280])
def test_in_the_browser_the_home_page_weighs_at_most_300_kib(browser, photo_site, width):
    """What Chromium really transfers for the home page (the document, the stylesheet, the
    cover at the size it chose), every picture scrolled to; the cover shown whole."""
    from tests.conftest import start_static_server
    from tests.test_browser import CROPPED, TRANSFERRED, visit_all

    root, _, _ = photo_site
    base, server = start_static_server(root / "output")
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        page.goto(base + "/", wait_until="load")
        visit_all(page)
        assert page.evaluate("document.querySelector('main img').currentSrc").endswith(".webp")
        assert page.evaluate(CROPPED) == []
        assert page.evaluate(TRANSFERRED) <= 300 * 1024
    finally:
        context.close()
        server.shutdown()
        server.server_close()


def test_every_photo_img_is_responsive_and_only_the_first_eager(photo_site):
    root, _, _ = photo_site
    found = images_of(root / "output" / "2026" / "bol-du-matin" / "index.html")
    photos = [img for img in found.imgs if img["src"].endswith(".jpg")]
    assert [p["src"].rsplit("/", 1)[1] for p in photos] == ["bol.jpg", "pied.jpg",  # cover, text
                                                            "pied.jpg", "bol.jpg"]  # gallery
    for img in photos:
        assert img["width"] and img["height"] and "480w" in img["srcset"] and img["sizes"]
    assert (photos[0]["width"], photos[0]["height"]) == ("1600", "1200")
    assert (photos[1]["width"], photos[1]["height"]) == ("1200", "1600")  # smaller: its own size
    assert [p["loading"] for p in photos] == ["eager", "lazy", "lazy", "lazy"]
    assert photos[0]["fetchpriority"] == "high"
    assert all(s["type"] == "image/webp" and ".webp 480w" in s["srcset"] for s in found.sources)
    svg = next(img for img in found.imgs if img["src"].endswith("pot.svg"))
    assert "srcset" not in svg and "width" not in svg
    published_svg = root / "output" / "images" / "pot.svg"
    assert published_svg.read_bytes() == (root / "content" / "images" / "pot.svg").read_bytes()


def test_the_gallery_shows_each_photo_whole_with_its_alt_through_the_pipeline(photo_site):
    root, _, _ = photo_site
    page = (root / "output" / "2026" / "bol-du-matin" / "index.html").read_text(encoding="utf-8")
    gallery = page[page.index('<section class="gallery"'):]
    gallery = images_of_text(gallery[:gallery.index("</section>")])
    assert [(i["alt"], i["width"], i["height"]) for i in gallery.imgs] == [
        ("Le pied du bol, grès brut", "1200", "1600"),  # upright, uncropped: its own shape
        ("Le bol entier, vu de trois quarts", "1600", "1200")]
    assert all("480w" in i["srcset"] and i["sizes"] == "(min-width: 48rem) 22rem, 100vw"
               for i in gallery.imgs)
    assert len(gallery.sources) == 2  # WebP for each


def test_home_card_gets_the_sizes_its_template_asked_for(photo_site):
    root, _, _ = photo_site
    cover = next(i for i in images_of(root / "output" / "index.html").imgs
                 if i["src"].endswith("bol.jpg"))
    assert cover["sizes"] == "(min-width: 64em) 20rem, (min-width: 44em) 22rem, 100vw"
    assert "data-sizes" not in cover
    assert cover["loading"] == "eager"  # the first picture of the home page


def test_a_second_build_reencodes_nothing(photo_site):
    root, settings, first = photo_site
    before = (root / "output" / "images" / "bol-960.webp").read_bytes()
    notes = build_site(settings)
    assert any(note.startswith("images: 0 encoded, 2 reused") for note in notes), notes
    assert cache_state(root / "data" / "cache" / "images") == first
    assert (root / "output" / "images" / "bol-960.webp").read_bytes() == before


def test_orientation_is_applied_before_the_exif_goes(tmp_path):
    settings = write_tiny_site(tmp_path, {"bol.md": STORY})
    # stored landscape, shot portrait: EXIF orientation 6 says "turn 90° clockwise"
    phone_photo(tmp_path / "content" / "images" / "bol.jpg", (400, 300), orientation=6)
    phone_photo(tmp_path / "content" / "images" / "pied.jpg", (40, 30))
    build_site(settings)
    with Image.open(tmp_path / "output" / "images" / "bol.jpg") as image:
        assert image.size == (300, 400)
        assert not image.getexif()


# --- the markup alone ---------------------------------------------------------

PREPARED = Prepared(Path("/cache"), 960, 720, "960.jpg",
                    (Variant("480.webp", 480, 360), Variant("960.webp", 960, 720)),
                    (Variant("480.jpg", 480, 360), Variant("960.jpg", 960, 720)))


@pytest.mark.parametrize("src, page_dir, site_url, expected", [
    ("../images/a.jpg", "2026", "", "images/a.jpg"),
    ("images/a%20b.jpg", "", "", "images/a b.jpg"),
    ("/blog/images/a.jpg", "x", "https://me.example/blog", "images/a.jpg"),
    ("https://me.example/images/a.jpg", "x", "https://me.example", "images/a.jpg"),
    ("https://other.example/images/a.jpg", "x", "https://me.example", None),
    ("../../../a.jpg", "x", "", None),
    ("data:image/png;base64,AAAA", "", "", None),
])
def test_site_path(src, page_dir, site_url, expected):
    assert site_path(src, page_dir, site_url) == expected


def test_rewrite_keeps_attributes_and_leaves_others_alone():
    page = ('<header><img src="a.jpg" alt="head"></header><main>'
            '<img class="u-photo" src="a.jpg" alt="Un &quot;bol&quot;" loading="lazy">'
            '<img src="a.jpg" alt="again"><img src="b.svg" alt="svg">'
            '<picture><img src="a.jpg" alt="mine"></picture></main>')
    out = rewrite(page, "", "", {"a.jpg": PREPARED}.get, "100vw")
    assert out.count("<picture>") == 4  # header, two in main, the author's own
    assert '<img src="b.svg" alt="svg">' in out
    assert '<picture><img src="a.jpg" alt="mine"></picture>' in out
    assert ('<img src="a.jpg" class="u-photo" alt="Un &quot;bol&quot;" '
            'srcset="a-480.jpg 480w, a-960.jpg 960w" sizes="100vw" width="960" height="720" '
            'loading="eager" fetchpriority="high" decoding="auto">') in out
    assert 'alt="again" srcset="a-480.jpg 480w, a-960.jpg 960w" sizes="100vw" width="960" ' \
           'height="720" loading="lazy" decoding="async">' in out
    assert '<img src="a.jpg" alt="head" srcset=' in out and 'alt="head" loading' not in out
    assert rewrite("<p>no pictures</p>", "", "", {}.get, "100vw") == "<p>no pictures</p>"
