"""Theme strings follow the page's language, and every string is translated."""

import ast
import json
import re
from pathlib import Path

from tests.conftest import REPO
from tests.test_sample_site import article_pages


def catalog(lang):
    return json.loads((REPO / "theme" / "translations" / f"{lang}.json").read_text("utf-8"))


def test_every_theme_string_is_in_both_catalogs():
    strings = set()
    for template in (REPO / "theme" / "templates").rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        literals = re.findall(r"""_\(\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')\s*\)""", text)
        strings |= {ast.literal_eval(literal) for literal in literals}
    assert len(strings) > 20
    for lang in ("fr", "en"):
        missing = sorted(strings - set(catalog(lang)))
        assert not missing, f"{lang}.json lacks {missing}"


def html_lang(path: Path) -> str:
    return re.search(r'<html[^>]*\blang="([^"]+)"', path.read_text(encoding="utf-8")).group(1)


def test_french_pages_speak_french_and_english_translations_english(sample_site):
    output = sample_site.output
    pages = article_pages(output)
    english = [p for p in pages if p.relative_to(output).parts[0] == "en"]
    assert english
    fr, en = catalog("fr"), catalog("en")
    # a theme string whose French and English differ, present on every article page
    probe = next(k for k in ("Published", "Reading time", "min read") if k in fr and fr[k] != en[k])
    for page in english:
        text = page.read_text(encoding="utf-8")
        assert html_lang(page) == "en"
        assert en[probe] in text and fr[probe] not in text, page
        # its French original, found through the translation link
        french = next(p for p in pages if p not in english and p.parent.name == page.parent.name)
        assert html_lang(french) == "fr"
        assert fr[probe] in french.read_text(encoding="utf-8")
    assert html_lang(output / "index.html") == "fr"
