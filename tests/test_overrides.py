"""`-e KEY=VALUE`: set before the settings file runs, and a wrong value says how to quote it."""

from __future__ import annotations

import re

from relais.build import load_settings
from tests.conftest import REPO, run_relais

COMPUTING = """\
SITEURL = "https://real.example"
FEED_DOMAIN = SITEURL
AUTHOR_CARD = {"name": "Me", "url": SITEURL + "/"}
SOCIAL = [(name, SITEURL + path) for name, path in [("feed", "/feeds/all.atom.xml")]]

def home():
    return SITEURL + "/"

HOME = home()
PATH = "content"
"""


def test_values_the_file_computes_from_an_override_follow_it(tmp_path):
    settings_file = tmp_path / "conf.py"
    settings_file.write_text(COMPUTING, encoding="utf-8")
    (tmp_path / "content").mkdir()
    settings = load_settings(str(settings_file), overrides={"SITEURL": "http://127.0.0.1:8123"})
    assert settings["SITEURL"] == "http://127.0.0.1:8123"
    assert settings["FEED_DOMAIN"] == "http://127.0.0.1:8123"
    assert settings["AUTHOR_CARD"]["url"] == "http://127.0.0.1:8123/"
    assert settings["SOCIAL"] == [("feed", "http://127.0.0.1:8123/feeds/all.atom.xml")]
    assert settings["HOME"] == "http://127.0.0.1:8123/"
    assert settings["PATH"] == str(tmp_path / "content")
    plain = load_settings(str(settings_file))
    assert plain["FEED_DOMAIN"] == "https://real.example"
    assert plain["AUTHOR_CARD"]["url"] == "https://real.example/"


def test_a_settings_file_loaded_again_sees_changes_in_the_file_it_imports(tmp_path):
    (tmp_path / "content").mkdir()
    (tmp_path / "base_conf.py").write_text('SITENAME = "Avant"\nPATH = "content"\n')
    (tmp_path / "top_conf.py").write_text(
        "import os, sys\nsys.path.insert(0, os.path.dirname(__file__))\nfrom base_conf import *\n")
    assert load_settings(str(tmp_path / "top_conf.py"))["SITENAME"] == "Avant"
    (tmp_path / "base_conf.py").write_text('SITENAME = "Après"\nPATH = "content"\n')
    assert load_settings(str(tmp_path / "top_conf.py"))["SITENAME"] == "Après"


def test_a_publish_build_for_a_local_address_links_the_owner_and_feeds_there(tmp_path):
    output = tmp_path / "out"
    result = run_relais("build", "--publish", "-o", str(output),
                        "-e", 'SITEURL="http://127.0.0.1:8123"', cwd=REPO)
    assert result.returncode == 0, result.stderr
    home = (output / "index.html").read_text(encoding="utf-8")
    owner = re.search(r'class="p-name u-url u-uid" href="([^"]+)"', home).group(1)
    assert owner == "http://127.0.0.1:8123/"
    assert "atelier-maelle.example/" not in owner
    feed = (output / "feeds" / "all.atom.xml").read_text(encoding="utf-8")
    assert '<link href="http://127.0.0.1:8123/feeds/all.atom.xml" rel="self"' in feed


def test_an_unquoted_text_value_shows_the_quoting_to_use(tiny_site):
    settings = tiny_site({})
    result = run_relais("build", "-s", str(settings), "-e", "SITEURL=http://127.0.0.1:8000",
                        cwd=settings.parent)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "error: -e SITEURL=http://127.0.0.1:8000: the value is not JSON (Expecting value); a text "
        "goes in double quotes, inside single quotes for the shell: "
        "-e SITEURL='\"http://127.0.0.1:8000\"'"]


def test_a_python_boolean_shows_the_json_one(tiny_site):
    settings = tiny_site({})
    result = run_relais("build", "-s", str(settings), "-e", "RELATIVE_URLS=False",
                        cwd=settings.parent)
    assert result.returncode == 1
    assert result.stderr.strip().endswith("write -e RELATIVE_URLS=false")
