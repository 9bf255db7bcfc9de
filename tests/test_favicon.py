"""The site's icon: the owner's SVG photo, a square of her raster photo without its EXIF, or
her initial; linked from every page, so that no visit asks for a favicon that is missing."""

from __future__ import annotations

from PIL import Image

from tests.conftest import REPO
from tests.support.photos import metadata_of, phone_photo
from tests.test_images import build_site


def test_the_sample_uses_the_owners_drawing(sample_site):
    output = sample_site.output
    assert (output / "favicon.svg").read_bytes() == (REPO / "content/images/avatar.svg").read_bytes()
    for page in (output / "index.html", output / "2026" / "bol-cendre" / "index.html"):
        html = page.read_text(encoding="utf-8")
        href = html.split('<link rel="icon" href="', 1)[1].split('"', 1)[0]
        assert (page.parent / href).resolve() == (output / "favicon.svg").resolve()


def test_without_a_photo_the_initial(tiny_site):
    settings = tiny_site({})  # AUTHOR_CARD: Test Maker, no photo
    build_site(settings)
    icon = (settings.parent / "output" / "favicon.svg").read_text(encoding="utf-8")
    assert icon.startswith("<svg") and ">T</text>" in icon


def test_a_phone_photo_becomes_a_small_square_without_exif(tiny_site):
    settings = tiny_site({})
    phone_photo(settings.parent / "content" / "images" / "me.jpg", (400, 300))
    with settings.open("a", encoding="utf-8") as handle:
        handle.write('AUTHOR_CARD = {"name": "Test Maker", "photo": "images/me.jpg"}\n')
    build_site(settings)
    icon = settings.parent / "output" / "favicon.png"
    with Image.open(icon) as image:
        assert image.size == (180, 180)
    assert metadata_of(icon) == {}
    assert 'rel="icon" href="./favicon.png"' in (settings.parent / "output" / "index.html").read_text()
