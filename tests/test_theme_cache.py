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


def test_compiled_templates_are_kept_per_configuration_and_change_nothing(tiny_site, tmp_path):
    from tests.conftest import run_relais

    settings = tiny_site({"a.md": "Title: A\nDate: 2026-01-01\nCategory: Atelier\n\nText.\n"})
    cache = tmp_path / "xdg"
    env = {"XDG_CACHE_HOME": str(cache)}
    outputs = []
    for name in ("first", "second"):
        result = run_relais("build", "-s", str(settings), "-o", str(tmp_path / name),
                            cwd=settings.parent, env=env)
        assert result.returncode == 0, result.stderr
        outputs.append({p.relative_to(tmp_path / name): p.read_bytes()
                        for p in (tmp_path / name).rglob("*.html")})
    (folder,) = (cache / "relais").glob("jinja-*")  # (sites/ holds the builds' own caches)
    assert any(folder.iterdir())  # the first build left the compiled templates there
    assert outputs[0] == outputs[1]  # …and the second, reading them, made the same site
    result = run_relais("build", "-s", str(settings), "-o", str(tmp_path / "trimmed"), "-e",
                        'JINJA_ENVIRONMENT={"trim_blocks": true}', cwd=settings.parent, env=env)
    assert result.returncode == 0, result.stderr
    assert len(list((cache / "relais").glob("jinja-*"))) == 2  # other options, other compiled code
