"""Feed entries carry the story's cover and its piece card in the content itself (a reader
that ignores Media RSS still shows them), in Atom, RSS and JSON Feed alike."""

from __future__ import annotations

import json

import feedparser

from tests.test_feeds import SITE, published_site  # noqa: F401  (the session fixture)

STORY = "https://atelier-maelle.example/2026/bols-et-plateaux/"


def _contents(output):
    atom = feedparser.parse((output / "feeds" / "all.atom.xml").read_bytes())
    rss = feedparser.parse((output / "feeds" / "all.rss.xml").read_bytes())
    feed = json.loads((output / "feeds" / "all.json").read_text(encoding="utf-8"))
    yield "atom", next(e.content[0].value for e in atom.entries if e.link == STORY)
    yield "rss", next(e.content[0].value for e in rss.entries if e.link == STORY)
    yield "json", next(i["content_html"] for i in feed["items"] if i["url"] == STORY)


def test_entries_carry_the_cover_and_the_piece_card(published_site):  # noqa: F811
    for name, html in _contents(published_site.output):
        assert '<img' in html and "images/bols-plateau.jpg" in html, name
        assert 'alt="Trois bols' in html, name
        card = html.split('<ul class="piece-card">', 1)[1].split("</ul>", 1)[0]
        assert "Disponible" in card and "145" in card and "Théo Marchal" in card, name
        assert html.index("piece-card") < html.index("Depuis le printemps"), name
        # the piece's photos (Photos) after the text, absolute, each with its alt text
        gallery = html[html.index("Depuis le printemps"):]
        assert f'src="{SITE}/images/bol-dessus.jpg"' in gallery, name
        assert 'alt="Un des bols céladon' in gallery, name
