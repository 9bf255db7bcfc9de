"""The installable product: one import name, the theme inside it, one identity per module."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO


@pytest.fixture(scope="module")
def wheel(relais_wheel) -> zipfile.ZipFile:
    return zipfile.ZipFile(relais_wheel)


def test_the_wheel_installs_one_import_name(wheel):
    tops = {name.split("/")[0] for name in wheel.namelist()}
    assert {top for top in tops if not top.endswith(".dist-info")} == {"relais"}


def test_every_plugin_package_and_the_theme_are_in_the_wheel(wheel):
    names = set(wheel.namelist())
    for init in (REPO / "plugins").rglob("__init__.py"):
        assert f"relais/plugins/{init.relative_to(REPO / 'plugins').as_posix()}" in names
    for template in (REPO / "plugins").rglob("templates/*.html"):  # plugins' default templates
        assert f"relais/plugins/{template.relative_to(REPO / 'plugins').as_posix()}" in names
    for folder in ("templates", "static", "translations"):
        for file in (REPO / "theme" / folder).rglob("*"):
            if file.is_file():
                assert f"relais/theme/{file.relative_to(REPO / 'theme').as_posix()}" in names


def test_a_checkout_plugins_folder_cannot_be_a_second_identity():
    result = subprocess.run([sys.executable, "-c", "import plugins"], cwd=REPO,
                            capture_output=True, text=True)
    assert result.returncode != 0
    assert "relais.plugins" in result.stderr


def test_the_theme_path_names_the_installed_package():
    import relais

    assert (Path(relais.THEME) / "templates" / "base.html").is_file()
    for plugin in relais.PLUGINS:
        __import__(plugin)


def test_a_settings_file_named_like_the_package_is_refused(tmp_path):
    from relais.build import BuildError, load_settings

    (tmp_path / "relais.py").write_text("SITENAME = 'x'\n")
    with pytest.raises(BuildError, match="rename it"):
        load_settings(str(tmp_path / "relais.py"))
