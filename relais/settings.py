"""Relais settings: one registry of names, defaults, checks and meanings.

Plugins declare their settings here instead of scattering string constants;
the build applies the defaults and stops on the first wrong value with one
line that names the setting. The README's settings table is checked against
this registry by the tests.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

Check = Callable[[Any], str | None]
T = TypeVar("T")

# Where a build keeps the Configs its plugins made (see `configured`): one per settings dict.
CONFIGS = "RELAIS_CONFIGS"


# Where `relais.build.load_settings` notes the settings file a build was loaded from.
SETTINGS_FILE = "_relais_settings_file"


class SettingsError(Exception):
    """A Relais setting has a wrong type or value."""


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    check: Check
    doc: str
    kind: str = "value"  # "data_path": a path relative to the folder that holds content/


_REGISTRY: dict[str, Setting] = {}


def declare(*settings: Setting) -> None:
    """Add settings to the registry (idempotent: plugins may be imported twice by tests)."""
    for setting in settings:
        _REGISTRY[setting.name] = setting


def registered() -> list[Setting]:
    return sorted(_REGISTRY.values(), key=lambda s: s.name)


def apply(settings: MutableMapping[str, Any], names: Iterable[str] | None = None) -> None:
    """Fill in defaults, then validate every registered setting; raise on the first problem."""
    chosen = registered() if names is None else [_REGISTRY[n] for n in names]
    for setting in chosen:
        if setting.name not in settings:
            settings[setting.name] = setting.default
        problem = setting.check(settings[setting.name])
        if problem:
            raise SettingsError(f"setting {setting.name}: {problem} (got {settings[setting.name]!r})")


def configured(settings: MutableMapping[str, Any], name: str, names: Iterable[str],
               make: Callable[[Mapping[str, Any]], T]) -> T:
    """The one way settings are applied: a plugin's `names` get their defaults and checks
    (`apply`), then `make` builds its frozen Config from them, once per settings dict (once
    per build); later calls return the same Config."""
    made = settings.setdefault(CONFIGS, {})
    if name not in made:
        apply(settings, names)
        made[name] = make(settings)
    return made[name]


def built(settings: Mapping[str, Any], name: str) -> Any | None:
    """The Config `name` made for this build, or None when that plugin is not part of it: how a
    hook receiver (process-wide) tells whether its plugin takes part in the build at hand."""
    return (settings.get(CONFIGS) or {}).get(name)


def only_relais_plugins(settings: Mapping[str, Any]) -> bool:
    """Whether every plugin in PLUGINS is Relais's own (`relais.plugins.<name>`): what another
    plugin does (files it writes, pages it changes) cannot be known to a build."""
    for plugin in settings.get("PLUGINS") or ():
        name = plugin if isinstance(plugin, str) else getattr(plugin, "__name__", str(plugin))
        if not name.startswith("relais.plugins."):
            return False
    return True


def project_root(settings: Mapping[str, Any]) -> Path:
    """The folder that holds `content/` (and `data/`): where relative data paths start."""
    return Path(settings["PATH"]).resolve().parent


def user_cache() -> Path:
    """Where Relais keeps what a build may throw away: `$XDG_CACHE_HOME/relais` (~/.cache)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "relais"


def folder_key(folder: Path) -> str:
    """A file name for a folder: its name and a digest of its whole path."""
    folder = folder.resolve()
    return f"{folder.name}-{hashlib.blake2b(str(folder).encode('utf-8'), digest_size=6).hexdigest()}"


def site_cache(settings_file: Path) -> Path:
    """The caches of the site whose settings are `settings_file` (CACHE_PATH when the settings
    do not choose one): in the user's cache, named after the site's folder."""
    return user_cache() / "sites" / folder_key(settings_file.resolve().parent)


def data_path(settings: Mapping[str, Any], name: str) -> Path:
    """The one resolver of data paths: a `data_path` setting, absolute, from the site's folder."""
    declared = _REGISTRY.get(name)
    if declared is None or declared.kind != "data_path":
        raise KeyError(f"{name} is not a declared data_path setting")
    path = Path(settings.get(name) or declared.default)
    return path if path.is_absolute() else project_root(settings) / path


# --- checks -----------------------------------------------------------------


def is_bool(value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be True or False"


def is_text(value: Any) -> str | None:
    return None if isinstance(value, str) else "must be a string"


def is_optional_text(value: Any) -> str | None:
    return None if value is None or isinstance(value, str) else "must be a string or None"


def is_int(minimum: int, maximum: int | None = None) -> Check:
    def check(value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int):
            return "must be a whole number"
        if value < minimum or (maximum is not None and value > maximum):
            upper = f" and {maximum}" if maximum is not None else ""
            return f"must be between {minimum}{upper}" if upper else f"must be at least {minimum}"
        return None

    return check


def one_of(*choices: Any) -> Check:
    def check(value: Any) -> str | None:
        return None if value in choices else f"must be one of {', '.join(map(str, choices))}"

    return check


def is_http_url(value: Any) -> str | None:
    if not isinstance(value, str):
        return "must be a string"
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return "must be an absolute http(s) URL"
    return None


def is_text_list(value: Any) -> str | None:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        return "must be a list of strings"
    return None


def is_link_list(value: Any) -> str | None:
    """A list of (label, http(s) URL) pairs, as LINKS and REL_ME use."""
    if not isinstance(value, list | tuple):
        return "must be a list of (label, URL) pairs"
    for item in value:
        if not isinstance(item, list | tuple) or len(item) != 2 or not isinstance(item[0], str):
            return "must be a list of (label, URL) pairs"
        if is_http_url(item[1]):
            return f"{item[1]!r} is not an absolute http(s) URL"
    return None


def is_author_card(value: Any) -> str | None:
    if not isinstance(value, dict):
        return "must be a dict with name, url, photo, note"
    unknown = set(value) - {"name", "url", "photo", "note"}
    if unknown:
        return f"unknown key {sorted(unknown)[0]!r} (expected name, url, photo, note)"
    for key in ("name", "url", "photo", "note"):
        if value.get(key) is not None and not isinstance(value[key], str):
            return f"{key} must be a string"
    return None
