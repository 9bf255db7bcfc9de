"""`once()` and `macros_for()` only save work: the site is the same without them."""

import re
import shutil

from relais.build import build, load_settings
from tests.conftest import REPO


def plain_theme(target):
    """The theme with every macros_for() back to a plain `import ... with context`
    and every once(m, x) back to a direct call."""
    shutil.copytree(REPO / "theme", target)
    for template in (target / "templates").rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        text = re.sub(r'\{(%-?) set (\w+) = macros_for\("([\w/.]+)"\) (-?%)\}',
                      r'{\1 import "\3" as \2 with context \4}', text)
        text = re.sub(r"once\(([\w.]+), (\w+)\)", r"\1(\2)", text)
        text = re.sub(r"once\(([\w.]+)\)", r"\1()", text)
        template.write_text(text, encoding="utf-8")
    return target


def test_cached_rendering_gives_the_same_site(sample_site, tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)
    theme = plain_theme(tmp_path / "theme")
    sources = "".join(p.read_text(encoding="utf-8") for p in (theme / "templates").rglob("*.html"))
    assert "= macros_for(" not in sources and "{{ once(" not in sources
    plain = build(load_settings("pelicanconf.py", str(tmp_path / "out"), {"THEME": str(theme)}))
    for page in sorted(sample_site.output.rglob("*.html")):
        twin = plain.output / page.relative_to(sample_site.output)
        assert twin.read_text(encoding="utf-8") == page.read_text(encoding="utf-8"), page
