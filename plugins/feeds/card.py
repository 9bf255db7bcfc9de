"""What a feed entry shows before the text of a story: its cover and the piece's card, so
that a reader that shows no Media RSS (most show only the content) still sees the picture,
where the piece stands, what it is made of, with whom, and what it costs. Pure."""

from __future__ import annotations

from html import escape

from relais.plugins.feeds.model import Image

# a story's status as the theme's catalogs write it (translated with the site's labels)
STATUS_NAMES = {"idea": "Idea", "in-progress": "In progress", "finished": "Finished",
                "available": "Available", "sold": "Sold"}


def cover_html(image: Image | None) -> str:
    if image is None:
        return ""
    return f'<p><img src="{escape(image.url)}" alt="{escape(image.alt)}"></p>\n'


def gallery_html(photos: list[tuple[str, str]]) -> str:
    """The piece's photos (absolute URL, alt text) after the text, each whole, one a line."""
    return "".join(f'<p><img src="{escape(url)}" alt="{escape(alt)}"></p>\n' for url, alt in photos)


def card_html(rows: list[tuple[str, str]]) -> str:
    """A list of (label, value as HTML: already escaped) rows, or "" when there is none."""
    if not rows:
        return ""
    items = "".join(f"<li><strong>{escape(label)}</strong> {value}</li>" for label, value in rows)
    return f'<ul class="piece-card">{items}</ul>\n'


def links(people) -> str:
    return ", ".join(f'<a href="{escape(p.url)}">{escape(p.name)}</a>' for p in people)
