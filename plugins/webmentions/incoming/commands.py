"""CLI glue for incoming webmentions: `relais mentions fetch`, `relais receiver serve|moderate`."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import click
from relais.plugins.webmentions.cli import fail, mentions
from relais.plugins.webmentions.incoming import settings as incoming_settings

from relais import settings as relais_settings

TOKEN_ENV = "RELAIS_MENTIONS_TOKEN"
RECEIVER_TOKEN_ENV = "RELAIS_RECEIVER_TOKEN"
ALLOW_PRIVATE_HELP = "Allow loopback and private addresses (tests, local sources)."


def _settings(settings_file: str) -> dict:
    from relais.build import BuildError, load_settings

    try:
        settings = load_settings(settings_file)
        relais_settings.apply(settings, incoming_settings.NAMES)
    except (BuildError, relais_settings.SettingsError) as error:
        fail(str(error))
    return settings


def archive_path(settings: dict) -> Path:
    return relais_settings.data_path(settings, "WEBMENTIONS_ARCHIVE")


def _private(flag: bool) -> bool | None:
    return True if flag else None  # None: the client reads RELAIS_ALLOW_PRIVATE_NETWORK


@mentions.command("fetch")
@click.option("-s", "--settings", "settings_file", default="pelicanconf.py", show_default=True)
@click.option("--api", default=None, help="JF2 API URL (default: WEBMENTIONS_API).")
@click.option("--domain", "domains", multiple=True,
              help="Domain to fetch for (default: WEBMENTIONS_DOMAINS, else SITEURL's host).")
@click.option("--full", is_flag=True, help="Ignore since_id: read everything again.")
@click.option("--allow-private-network", is_flag=True, help=ALLOW_PRIVATE_HELP)
def fetch_command(settings_file, api, domains, full, allow_private_network):
    """Pull received mentions (webmention.io or our receiver) into the archive in data/."""
    from relais.plugins.webmentions.incoming.archive import ArchiveError
    from relais.plugins.webmentions.incoming.avatar_download import download_avatars
    from relais.plugins.webmentions.incoming.fetch import FetchFailed, fetch_into
    from rich.progress import Progress

    settings = _settings(settings_file)
    api = api or settings["WEBMENTIONS_API"]
    domains = list(domains) or incoming_settings.site_domains(settings)
    if not domains:
        fail("no domain to fetch for: set WEBMENTIONS_DOMAINS or an absolute SITEURL, "
             "or pass --domain")
    path = archive_path(settings)
    token = os.environ.get(TOKEN_ENV) or None
    with Progress(transient=True) as progress:
        task = progress.add_task("Reading mentions", total=None)
        try:
            report = asyncio.run(fetch_into(
                path, api=api, token=token, domains=domains, full=full,
                allow_private=_private(allow_private_network),
                on_page=lambda n: progress.advance(task, n)))
        except (FetchFailed, ArchiveError) as error:
            fail(f"{error} (the archive is unchanged)")
        from relais.plugins.webmentions.incoming.archive import load

        photos = [m["author"]["photo"] for m in load(path).mentions.values()
                  if m["author"]["photo"]]
        avatar_task = progress.add_task("Avatars", total=None)
        got, bad = asyncio.run(download_avatars(
            photos, path.parent / "avatars", retry_failed=full,
            allow_private=_private(allow_private_network),
            progress=lambda: progress.advance(avatar_task)))
    for line in report.skipped:
        click.echo(f"warning: skipped an entry: {line}", err=True)
    state = "updated" if report.written else "unchanged"
    click.echo(f"{path}: {report.changes} ({state}); avatars: {got} new, {bad} unusable")


@click.group("receiver")
def receiver():
    """The self-hosted Webmention endpoint."""


@receiver.command("serve")
@click.option("-s", "--settings", "settings_file", default="pelicanconf.py", show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8700, show_default=True, type=click.IntRange(1, 65535))
@click.option("--db", default="webmentions.sqlite3", show_default=True,
              help="SQLite database (queue and verified mentions).")
@click.option("--site-dir", default=None, help="The built site (default: OUTPUT_PATH).")
@click.option("--domain", "domains", multiple=True,
              help="A domain targets must be on "
                   "(default: WEBMENTIONS_DOMAINS, else SITEURL's host).")
@click.option("--moderation", is_flag=True, help="Mentions from new domains wait for approval.")
@click.option("--rate-limit", default=30, show_default=True, type=click.IntRange(0),
              help="Requests per source domain per minute (0: no limit).")
@click.option("--max-body", default=8192, show_default=True, type=click.IntRange(256),
              help="Largest request body accepted, in bytes.")
@click.option("--concurrency", default=16, show_default=True, type=click.IntRange(1, 256),
              help="Sources verified at once.")
@click.option("--proxy-headers", is_flag=True,
              help="Trust X-Forwarded-* from the reverse proxy (see docs/webmentions-incoming.md).")
@click.option("--allow-private-network", is_flag=True, help=ALLOW_PRIVATE_HELP)
def serve_command(settings_file, host, port, db, site_dir, domains, moderation, rate_limit,
                  max_body, concurrency, proxy_headers, allow_private_network):
    """Run the Webmention endpoint (the JF2 API needs RELAIS_RECEIVER_TOKEN)."""
    import uvicorn
    from relais.plugins.webmentions.incoming.receiver import ReceiverConfig, create_app

    settings = _settings(settings_file)
    site = Path(site_dir or settings["OUTPUT_PATH"])
    if not (site / "index.html").is_file():
        fail(f"{site}: not a built site (no index.html); run `relais build` or pass --site-dir")
    domains = list(domains) or incoming_settings.site_domains(settings)
    if not domains:
        fail("no site domain: set WEBMENTIONS_DOMAINS or an absolute SITEURL, or pass --domain")
    config = ReceiverConfig(
        db=Path(db), site_dir=site, domains=domains, site_url=settings.get("SITEURL") or "",
        token=os.environ.get(RECEIVER_TOKEN_ENV) or None, moderation=moderation,
        rate_limit=rate_limit, max_body=max_body, allow_private=_private(allow_private_network),
        concurrency=concurrency, worker="process")
    click.echo(f"Receiving webmentions for {', '.join(domains)} on http://{host}:{port}/ "
               f"(queue in {db})")
    uvicorn.run(create_app(config), host=host, port=port, log_level="warning",
                proxy_headers=proxy_headers, forwarded_allow_ips="*" if proxy_headers else None)


@receiver.command("moderate")
@click.option("--db", default="webmentions.sqlite3", show_default=True)
@click.option("--approve", "approve", multiple=True, metavar="DOMAIN",
              help="Publish this domain's waiting mentions and trust it from now on.")
@click.option("--reject", "reject", multiple=True, metavar="DOMAIN",
              help="Drop this domain's waiting mentions.")
@click.option("--block", "block", multiple=True, metavar="DOMAIN",
              help="Drop its waiting mentions and refuse it (and its subdomains) from now on.")
def moderate_command(db, approve, reject, block):
    """List the mentions that wait for approval; approve, reject or block their domains."""
    from relais.plugins.webmentions.incoming.inbox import Inbox

    if not Path(db).is_file():
        fail(f"{db}: no such database (start `relais receiver serve --db {db}` first)")
    inbox = Inbox(db)
    try:
        for domain in approve:
            published = inbox.set_domain(domain.lower(), "approved")
            click.echo(f"approved {domain}: {published} published")
        for domain in reject:
            click.echo(f"rejected {domain}: {inbox.reject(domain.lower())} dropped")
        for domain in block:
            click.echo(f"blocked {domain}: {inbox.set_domain(domain.lower(), 'blocked')} dropped")
        if not (approve or reject or block):
            waiting = inbox.pending()
            if not waiting:
                click.echo("Nothing waits for moderation.")
            for mention in waiting:
                author = mention["author"]["name"] or "?"
                click.echo(f"{mention['type']:8} {author} — "
                           f"{mention['source']} → {mention['target']}")
            for domain, state in inbox.domains():
                click.echo(f"{state}: {domain}")
    finally:
        inbox.close()
