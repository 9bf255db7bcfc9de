"""`relais fediverse`: the site as an ActivityPub actor. Importing this module also connects
the actor to `relais receiver serve` (relais.signals.receiver_extensions). Never imports the
Pelican glue."""

from __future__ import annotations

import sys

import click
from relais.plugins.fediverse import server
from relais.plugins.fediverse.config import config
from relais.plugins.fediverse.keys import KeyFileError, load_or_create

from relais.build import BuildError, load_settings
from relais.settings import SettingsError
from relais.signals import receiver_extensions

receiver_extensions.connect(server.extension)


def fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


@click.group("fediverse")
def fediverse():
    """The site as a fediverse (ActivityPub) actor; see docs/fediverse.md."""


@fediverse.command("key")
@click.option("-s", "--settings", "settings_file", default="pelicanconf.py", show_default=True)
def key_command(settings_file):
    """Make the actor's key pair once (kept outside the site) and show where it is."""
    try:
        fediverse_config = config(load_settings(settings_file))
    except (BuildError, SettingsError) as error:
        fail(str(error))
    if fediverse_config is None:
        fail(f"{settings_file}: FEDIVERSE_HANDLE is not set: the site is no fediverse actor")
    existed = fediverse_config.key.exists()
    try:
        load_or_create(fediverse_config.key)
    except (KeyFileError, OSError) as error:
        fail(str(error))
    state = "kept" if existed else "made"
    click.echo(f"{fediverse_config.account}: key {state} at {fediverse_config.key} "
               f"(actor {fediverse_config.actor})")


@fediverse.command("status")
@click.option("--db", default="webmentions.sqlite3", show_default=True,
              help="The receiver's SQLite database (`relais receiver serve --db`).")
def status_command(db):
    """Followers, and the Accepts still owed to some of them."""
    from pathlib import Path

    from relais.plugins.fediverse.followers import Followers

    from relais.foreign import printable

    if not Path(db).is_file():
        fail(f"{db}: no such database (start `relais receiver serve --db {db}` first)")
    followers = Followers(db)
    try:
        everyone = followers.all()
    finally:
        followers.close()
    owed = [follower for follower in everyone if not follower.accepted]
    click.echo(f"{len(everyone)} follower{'s' * (len(everyone) != 1)}; "
               f"{len(owed)} Accept{'s' * (len(owed) != 1)} still owed "
               "(sent again when the receiver starts)")
    for follower in everyone:
        state = "accepted" if follower.accepted else "Accept owed"
        click.echo(printable(f"{state:12} {follower.actor} (inbox {follower.inbox})"))
