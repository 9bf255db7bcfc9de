"""A piece someone can ask to buy: `Price`, `Dimensions`, `Availability`, `Quantity`. Pure.

`read_piece(metadata, maker_status)` returns the post's `Piece` (None when it
names none of those fields) and the problems as (field, message) pairs, as
`facts.read_facts` does. `price_text` writes a price in a language's way;
`contact_link` makes the "write to me about this piece" address.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote, urlencode

PIECE_FIELDS = {"price": "Price", "dimensions": "Dimensions", "availability": "Availability",
                "quantity": "Quantity"}
AVAILABILITIES = ("available", "sold", "made-to-order")
SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP", "CHF": "CHF", "¥": "JPY"}
SHOWN = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥"}
PRICE = re.compile(r"^(?:(?P<before>[€$£¥]|[A-Za-z]{3})\s*)?(?P<amount>\d+(?:[.,]\d{1,2})?)"
                   r"(?:\s*(?P<after>[€$£¥]|[A-Za-z]{3}))?$")


@dataclass(frozen=True)
class Piece:
    availability: str  # available, sold, made-to-order
    amount: Decimal | None = None
    currency: str | None = None  # ISO 4217
    dimensions: str | None = None
    quantity: int | None = None

    @property
    def price(self) -> str | None:
        """The price as microformats and machines read it: `45.00 EUR`."""
        return f"{self.amount:.2f} {self.currency}" if self.amount is not None else None

    @property
    def is_available(self) -> bool:
        return self.availability != "sold"


def parse_price(text: str) -> tuple[Decimal, str] | None:
    """`45 €`, `€45.50`, `45,50 EUR`, `CHF 80` -> (amount, ISO currency); None if not a price."""
    match = PRICE.match(text.strip())
    if not match or bool(match["before"]) == bool(match["after"]):
        return None
    unit = match["before"] or match["after"]
    currency = SYMBOLS.get(unit, unit.upper())
    try:
        return Decimal(match["amount"].replace(",", ".")), currency
    except InvalidOperation:
        return None


def read_piece(metadata: Mapping[str, Any], maker_status: str | None
               ) -> tuple[Piece | None, list[tuple[str, str]]]:
    problems: list[tuple[str, str]] = []
    given = {key: str(metadata[key]).strip() for key in PIECE_FIELDS
             if metadata.get(key) is not None and str(metadata[key]).strip()}
    if not given:
        return None, problems
    amount = currency = None
    if "price" in given:
        parsed = parse_price(given["price"])
        if parsed is None:
            problems.append(("Price", f"'{given['price']}' is not a price: write an amount and a "
                             "currency, e.g. 45 € or 45 EUR or $45.50"))
        else:
            amount, currency = parsed
    availability = None
    if "availability" in given:
        availability = re.sub(r"[\s_]+", "-", given["availability"].lower())
        if availability not in AVAILABILITIES:
            problems.append(("Availability", f"unknown availability '{given['availability']}' "
                             "(expected one of: available, sold, made to order)"))
            availability = None
    quantity = None
    if "quantity" in given:
        if not given["quantity"].isdigit():
            problems.append(("Quantity", f"'{given['quantity']}' is not a number of pieces "
                             "(a whole number, 0 when none is left)"))
        else:
            quantity = int(given["quantity"])
    if availability is None and not problems:
        if quantity == 0:
            availability = "sold"
        elif maker_status == "available" or quantity:
            availability = "available"
        else:
            problems.append(("Availability", "say whether the piece can be had: Availability: "
                             "available, sold or made to order (or Status: available)"))
    if availability == "available" and quantity == 0:
        problems.append(("Quantity", "Quantity 0 with Availability: available: none is left, "
                         "write Availability: sold"))
    if problems:
        return None, problems
    return Piece(availability, amount, currency, given.get("dimensions"), quantity), problems


def price_text(piece: Piece, lang: str) -> str:
    """The price as a reader of `lang` writes it: `45 €`/`45,50 €` in French, `€45.50` in
    English, `45.50 CHF` for a currency without a symbol."""
    if piece.amount is None:
        return ""
    whole = piece.amount == piece.amount.to_integral_value()
    number = f"{piece.amount:.0f}" if whole else f"{piece.amount:.2f}"
    symbol = SHOWN.get(piece.currency or "")
    if lang.split("_")[0].split("-")[0] == "en":
        return f"{symbol}{number}" if symbol else f"{number} {piece.currency}"
    return f"{number.replace('.', ',')}\u00a0{symbol or piece.currency}"


def contact_link(contact: str, subject: str, page_url: str) -> str:
    """Where "write to me about this piece" goes: a mailto with the piece in the subject and
    its address in the body, or the contact form's URL with the same as query parameters."""
    if contact.startswith(("http://", "https://")):
        joiner = "&" if "?" in contact else "?"
        query = {"subject": subject, **({"piece": page_url} if "://" in page_url else {})}
        return contact + joiner + urlencode(query)
    address = contact.removeprefix("mailto:")
    link = f"mailto:{address}?subject={quote(subject)}"
    # the page's address when it is one a reader can open (absolute: a published build)
    return link + f"&body={quote(page_url)}" if "://" in page_url else link
