"""`relais fediverse`: the site as an ActivityPub actor. Importing this module also connects
the actor to `relais receiver serve` (relais.signals.receiver_extensions). Never imports the
Pelican glue."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path

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


PRIVATE_HELP = "Allow loopback and private addresses (also RELAIS_ALLOW_PRIVATE_NETWORK=1)."


def summary(outcome) -> str:
    """One line: what the run recorded and what came of its deliveries."""
    plan = outcome.plan
    made = (f"{len(plan.created)} Create, {len(plan.updated)} Update, {len(plan.deleted)} Delete"
            + (f"; {plan.known} post(s) already published recorded (not sent)" if plan.known
               else ""))
    if outcome.report is None:
        return f"Fediverse: would record {made} for {outcome.inboxes} inbox(es) (dry run)."
    if not outcome.inboxes and not outcome.report.attempted:
        return f"Fediverse: {made}; no followers yet, nothing to send."
    states = outcome.report.states
    line = (f"Fediverse: {made} for {outcome.inboxes} inbox(es); {states.get('sent', 0)} sent, "
            f"{states.get('pending', 0)} to retry later, {states.get('failed', 0)} failed")
    return line + ". (`relais fediverse status` shows them.)" if states.get("pending") or \
        states.get("failed") else line + "."


@contextmanager
def progress_bar(console=None):
    """A progress bar for the deliveries of one run: (on_start, on_result) for `deliver`."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = console or Console()
    with Progress(TextColumn("Fediverse deliveries"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=True,
                  disable=not console.is_terminal) as progress:
        task = progress.add_task("deliver", total=0, visible=False)

        def start(count: int) -> None:
            progress.update(task, total=count, visible=bool(count))

        yield start, lambda *_: progress.advance(task)


def deliver_after_publish(settings: dict, *, allow_private: bool | None, dry_run: bool,
                          echo=click.echo, console=None) -> None:
    """`relais publish`'s last step: deliver what the deployed build changed, when the site is
    an actor and the receiver's database is here; else one line, never an error."""
    from relais.plugins.fediverse.delivery import DeliveryError, deliver

    try:
        fediverse_config = config(settings)
    except SettingsError as error:
        echo(f"Fediverse: {error}; nothing delivered.")
        return
    if fediverse_config is None:
        echo("Fediverse: FEDIVERSE_HANDLE is not set; nothing delivered.")
        return
    if not fediverse_config.db.is_file():
        echo(f"Fediverse: no receiver database at {fediverse_config.db} (FEDIVERSE_DB); "
             "nothing delivered.")
        return
    try:
        with progress_bar(console) as (on_start, on_result):
            outcome = deliver(fediverse_config, fediverse_config.db,
                              Path(settings["OUTPUT_PATH"]), allow_private=allow_private,
                              dry_run=dry_run, on_start=on_start, on_result=on_result)
    except DeliveryError as error:
        echo(f"Fediverse: {error}; nothing delivered.")
        return
    echo(summary(outcome))


@fediverse.command("deliver")
@click.option("-s", "--settings", "settings_file", default="publishconf.py", show_default=True,
              help="The settings the site was built with (the public SITEURL).")
@click.option("--site-dir", default=None,
              help="The built site, with its relais-fediverse.json (default: OUTPUT_PATH).")
@click.option("--db", default=None,
              help="The receiver's SQLite database (default: FEDIVERSE_DB).")
@click.option("--concurrency", default=16, show_default=True, type=click.IntRange(1, 256),
              help="POSTs in flight at once.")
@click.option("--per-host", default=2, show_default=True, type=click.IntRange(1, 64),
              help="POSTs in flight to one host.")
@click.option("--dry-run", is_flag=True, help="Say what would be recorded; change nothing.")
@click.option("--allow-private-network", "allow_private", is_flag=True, help=PRIVATE_HELP)
def deliver_command(settings_file, site_dir, db, concurrency, per_host, dry_run, allow_private):
    """Send followers Create, Update and Delete for what the built site changed, and the
    deliveries still owed (retries, those a killed run left in flight)."""
    from relais.plugins.fediverse.delivery import DeliveryError, Limits, deliver

    try:
        settings = load_settings(settings_file)
        fediverse_config = config(settings)
    except (BuildError, SettingsError) as error:
        fail(str(error))
    if fediverse_config is None:
        fail(f"{settings_file}: FEDIVERSE_HANDLE is not set: the site is no fediverse actor")
    database = Path(db) if db else fediverse_config.db
    if not database.is_file():
        fail(f"{database}: no such database (start `relais receiver serve --db {database}` "
             "first, or pass --db)")
    try:
        with progress_bar() as (on_start, on_result):
            outcome = deliver(fediverse_config, database,
                              Path(site_dir) if site_dir else Path(settings["OUTPUT_PATH"]),
                              allow_private=True if allow_private else None, dry_run=dry_run,
                              limits=Limits(total=concurrency, per_host=per_host),
                              on_start=on_start, on_result=on_result)
    except DeliveryError as error:
        fail(str(error))
    click.echo(summary(outcome))


@fediverse.command("status")
@click.option("--db", default="webmentions.sqlite3", show_default=True,
              help="The receiver's SQLite database (`relais receiver serve --db`).")
@click.option("--last", default=10, show_default=True, type=click.IntRange(0, 1000),
              help="How many of the last deliveries to list.")
def status_command(db, last):
    """Followers (and the Accepts still owed), the last deliveries, failures, owed retries."""
    from relais.plugins.fediverse.deliverylog import FAILED, DeliveryLog, iso

    from relais.foreign import printable

    if not Path(db).is_file():
        fail(f"{db}: no such database (start `relais receiver serve --db {db}` first)")
    log = DeliveryLog(db)
    try:
        everyone = log.followers.all()
        counts, retries = log.counts(), log.owed_retries()
        recent, failures = log.rows(last), log.rows(last, (FAILED,))
    finally:
        log.close()
    owed = [follower for follower in everyone if not follower.accepted]
    click.echo(f"{len(everyone)} follower{'s' * (len(everyone) != 1)}; "
               f"{len(owed)} Accept{'s' * (len(owed) != 1)} still owed "
               "(sent again when the receiver starts)")
    for follower in everyone:
        state = "accepted" if follower.accepted else "Accept owed"
        click.echo(printable(f"{state:12} {follower.actor} (inbox {follower.inbox})"))
    click.echo(f"deliveries: {counts.get('sent', 0)} sent, {counts.get('pending', 0)} pending "
               f"({retries} owed retr{'ies' if retries != 1 else 'y'}), "
               f"{counts.get('in-flight', 0)} in flight, {counts.get(FAILED, 0)} failed")
    for title, rows in (("last deliveries", recent), ("failures", failures)):
        if rows:
            click.echo(f"{title}:")
        for row in rows:
            when = iso(row.last_try) if row.last_try else "not tried"
            detail = f" ({row.last_error})" if row.last_error else ""
            if row.state == "pending" and row.attempts:
                detail += f", next try {iso(row.next_try)}"
            click.echo(printable(f"  {row.state:9} {row.type:6} {row.inbox} {when} "
                                 f"attempts {row.attempts}{detail}"))
