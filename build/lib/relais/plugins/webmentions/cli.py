"""The `relais mentions` command group, one object shared by both halves.

Incoming (`plugins/webmentions/incoming/commands.py`) adds `fetch`;
outgoing adds `send`. Each does `from relais.plugins.webmentions.cli import
mentions` and decorates its command with `@mentions.command(...)`;
`relais/cli.py` adds the group to `relais` once.
"""

from __future__ import annotations

import sys

import click


def fail(message: str) -> None:
    """One line on stderr, exit 1 (as every relais command does on bad input)."""
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


@click.group("mentions")
def mentions():
    """Webmentions received (fetch) and sent (send)."""
