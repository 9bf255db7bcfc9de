"""`relais feeds ping`: announce the changed feeds to the WebSub hub."""

from __future__ import annotations

import sys

import click
from relais.plugins.feeds.config import config
from relais.plugins.feeds.ping import PingError, ping

from relais.build import BuildError, load_settings, parse_overrides
from relais.settings import SettingsError
from relais.store import StoreError


@click.group("feeds")
def feeds():
    """The site's feeds (Atom, RSS, JSON Feed)."""


@feeds.command("ping")
@click.option("-s", "--settings", "settings_file", default="publishconf.py", show_default=True)
@click.option("-o", "--output", default=None, help="The built site (default: OUTPUT_PATH).")
@click.option("-e", "--extra-settings", "extra", multiple=True, metavar="KEY=VALUE",
              help="Override a setting (JSON value), as `relais build -e` does.")
@click.option("--all", "everything", is_flag=True, help="Announce every feed, changed or not.")
@click.option("--dry-run", is_flag=True, help="Print what would be announced; send nothing.")
@click.option("--allow-private-network", is_flag=True, default=None,
              help="Allow a hub on a private or loopback address (tests).")
def ping_command(settings_file, output, extra, everything, dry_run, allow_private_network):
    """Tell WEBSUB_HUB (hub.mode=publish) about every feed that changed since the last ping."""
    try:
        cfg = config(load_settings(settings_file, output, parse_overrides(list(extra))))
        if cfg.base is None:
            raise PingError(f"{settings_file}: SITEURL is not an absolute http(s) URL")
        report = ping(cfg, cfg.output_path, everything=everything, dry_run=dry_run,
                      allow_private=allow_private_network or None)  # None: the environment decides
    except (BuildError, PingError, SettingsError, StoreError) as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    verb = "would announce" if dry_run else "announced"
    for url in report.announced:
        click.echo(f"{verb} {url}")
    for url, problem in report.failed.items():
        click.echo(f"failed {url}: {problem}", err=True)
    click.echo(f"{len(report.announced)} {verb}, {len(report.failed)} failed, "
               f"{report.unchanged} unchanged.")
    sys.exit(1 if report.failed else 0)
