"""Relais settings: defaults, one-line errors, and the README table kept true."""

import re

import pytest
import relais.plugins.checks  # noqa: F401  (declares its settings)
import relais.plugins.core  # noqa: F401
import relais.plugins.maker_stories  # noqa: F401

from relais import settings as relais_settings
from tests.conftest import REPO, run_relais


def test_defaults_are_filled_in_and_valid():
    values = {}
    relais_settings.apply(values)
    assert values["READING_SPEED"] == 200 and values["NOTES_CATEGORY"] == "Notes"


@pytest.mark.parametrize("name, value, message", [
    ("READING_SPEED", "fast", "setting READING_SPEED: must be a whole number"),
    ("READING_SPEED", 5, "setting READING_SPEED: must be between 50 and 1000"),
    ("REL_ME", [("Mastodon", "mastodon.example/@me")], "setting REL_ME: 'mastodon.example/@me'"),
    ("AUTHOR_CARD", {"nom": "x"}, "setting AUTHOR_CARD: unknown key 'nom'"),
    ("NOTES_CATEGORY", 3, "setting NOTES_CATEGORY: must be a string"),
])
def test_a_wrong_value_names_the_setting(name, value, message):
    with pytest.raises(relais_settings.SettingsError) as error:
        relais_settings.apply({name: value})
    assert str(error.value).startswith(message)
    assert "\n" not in str(error.value)


def test_the_build_stops_on_a_wrong_setting_with_one_line(tiny_site):
    settings = tiny_site({})
    result = run_relais("build", "-s", str(settings), "-e", 'READING_SPEED="fast"',
                        cwd=settings.parent)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "error: setting READING_SPEED: must be a whole number (got 'fast')")


def test_readme_documents_every_setting():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", readme, re.MULTILINE))
    declared = {s.name for s in relais_settings.registered()}
    assert declared <= documented, f"missing from README: {sorted(declared - documented)}"
