"""Pieces: Price, Dimensions, Availability and Quantity read and checked; an available piece is
an h-product mf2py reads, with its price and a mailto that names it; a sold one stays in its
story, marked sold; the available pieces page in each language."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import parse_qs, unquote, urlsplit

import mf2py
import pytest
from relais.plugins.maker_stories.pieces import (
    Piece,
    contact_link,
    parse_price,
    price_text,
    read_piece,
)

from tests.test_content_checks import build_errors, post


@pytest.mark.parametrize("text, expected", [
    ("45 €", (Decimal("45"), "EUR")),
    ("€45.50", (Decimal("45.50"), "EUR")),
    ("45,50 EUR", (Decimal("45.50"), "EUR")),
    ("CHF 80", (Decimal("80"), "CHF")),
    ("$12", (Decimal("12"), "USD")),
    ("45", None),
    ("cheap", None),
    ("€ 45 €", None),
])
def test_parse_price(text, expected):
    assert parse_price(text) == expected


def test_read_piece_defaults_and_problems():
    assert read_piece({}, "available") == (None, [])
    piece, problems = read_piece({"price": "45 €"}, "available")
    assert problems == [] and piece.availability == "available" and piece.price == "45.00 EUR"
    assert read_piece({"price": "45 €", "quantity": "0"}, None)[0].availability == "sold"
    assert read_piece({"price": "45 €"}, "finished")[1][0][0] == "Availability"
    assert read_piece({"availability": "gone"}, None)[1][0][0] == "Availability"
    assert read_piece({"price": "45 €", "quantity": "two"}, "available")[1][0][0] == "Quantity"
    fields = [f for f, _ in read_piece({"availability": "available", "quantity": "0"}, None)[1]]
    assert fields == ["Quantity"]


def test_price_text_and_contact_link():
    piece = Piece("available", Decimal("45.5"), "EUR")
    assert price_text(piece, "fr") == "45,50\u00a0€" and price_text(piece, "en") == "€45.50"
    assert price_text(Piece("available", Decimal("80"), "CHF"), "en") == "80 CHF"
    mail = contact_link("me@pots.example", "About the piece: Bowl & cup", "https://pots.example/b/")
    parts = urlsplit(mail)
    assert parts.scheme == "mailto" and parts.path == "me@pots.example"
    query = parse_qs(parts.query)
    assert query == {"subject": ["About the piece: Bowl & cup"], "body": ["https://pots.example/b/"]}
    form = contact_link("https://pots.example/contact?x=1", "Bowl", "../b/")
    assert form == "https://pots.example/contact?x=1&subject=Bowl"


def test_bad_piece_fields_stop_the_build_with_file_and_line(tiny_site):
    settings = tiny_site({"a.md": post("a", "Status: available\nPrice: cheap\n")})
    errors = build_errors(settings)
    assert any("posts/a.md:" in e and "Price: 'cheap' is not a price" in e for e in errors), errors
    line = int(next(e for e in errors if "Price:" in e).split(":")[1])
    assert (settings.parent / "content/posts/a.md").read_text().splitlines()[line - 1] \
        .startswith("Price:")


def test_an_available_piece_needs_a_way_to_ask(tiny_site):
    settings = tiny_site({"a.md": post("a", "Status: available\nPrice: 45 €\n")})
    with settings.open("a", encoding="utf-8") as handle:
        handle.write("PIECES_CONTACT = None\n")  # the sample settings it imports have one
    errors = build_errors(settings)
    assert any("posts/a.md:" in e and "set PIECES_CONTACT" in e for e in errors), errors


def _mf2(path):
    return mf2py.parse(doc=path.read_text(encoding="utf-8"), url="http://site.invalid/x/")


def _product(path):
    entry = next(i for i in _mf2(path)["items"] if "h-entry" in i["type"])
    return next((c for c in entry.get("children", []) if "h-product" in c["type"]), None)


def test_available_piece_is_an_h_product_with_price_and_mailto(sample_site):
    page = sample_site.output / "2026" / "bols-et-plateaux" / "index.html"
    product = _product(page)
    assert product is not None
    assert product["properties"]["price"] == ["145.00 EUR"]
    assert product["properties"]["name"] == ["Six bols et deux plateaux, avec Théo"]
    html = page.read_text(encoding="utf-8")
    href = html.split('<p class="piece-contact"><a href="', 1)[1].split('"', 1)[0]
    parts = urlsplit(href.replace("&amp;", "&"))
    assert parts.scheme == "mailto" and parts.path == "bonjour@atelier-maelle.example"
    subject = unquote(parse_qs(parts.query)["subject"][0])
    assert "Six bols et deux plateaux, avec Théo" in subject


def test_a_sold_piece_stays_marked_sold(sample_site):
    page = sample_site.output / "2026" / "bol-cendre" / "index.html"
    html = page.read_text(encoding="utf-8")
    assert "status--sold" in html and "piece-contact" not in html
    product = _product(page)
    assert "price" not in product["properties"]


def test_the_available_pieces_page_in_each_language(sample_site):
    fr = (sample_site.output / "pieces" / "index.html").read_text(encoding="utf-8")
    assert "Pièces disponibles" in fr and "bols-et-plateaux" in fr
    assert "photos-et-mise-en-ligne" in fr and "bol-cendre" not in fr
    en = (sample_site.output / "en" / "pieces" / "index.html").read_text(encoding="utf-8")
    assert "Available pieces" in en and 'lang="en"' in en
    assert "€145" in en
    home = (sample_site.output / "index.html").read_text(encoding="utf-8")
    assert 'href="./pieces/"' in home or 'href="pieces/"' in home or "/pieces/" in home
