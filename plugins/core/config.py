"""Core has no settings of its own: it applies the site's (`relais.site`: the owner's card,
the authors' cards, `REL_ME`) and checks every setting the loaded plugins declare."""

from __future__ import annotations

from dataclasses import dataclass

from relais.settings import configured, registered
from relais.site import Site, site


@dataclass(frozen=True)
class Config:
    site: Site


def config(settings) -> Config:
    """This build's core Config. Every declared Relais setting is applied and checked first,
    so that a wrong value anywhere stops the build before a file is read."""
    return configured(settings, "core", [s.name for s in registered()],
                      lambda checked: Config(site(checked)))
