"""The Webmentions plugin's `relais` commands: `mentions send|fetch`, `webmention discover|send`,
`receiver serve|moderate`.

Thin: options, a build, a progress bar and a summary; the work is in the
stages (dispatch, sentlog, sending, discovery; incoming/ fetch, receiver,
inbox). Never imports the Pelican glue: the build's hand-off is `owed`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path

import click
from relais.plugins.webmentions import config, dispatch, owed, sentlog
from relais.plugins.webmentions.discovery import discover
from relais.plugins.webmentions.sending import SENT, send_webmention
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from relais import settings as relais_settings
from relais.build import BuildError, build, load_settings, parse_overrides
from relais.foreign import cell, printable
from relais.net.client import FetchError, HttpClient, run
from relais.settings import is_http_url
from relais.signals import receiver_extensions


def fail(message: str) -> None:
    """One line on stderr, exit 1 (as every relais command does on bad input)."""
    click.echo(f"error: {printable(message)}", err=True)
    sys.exit(1)


@click.group("mentions")
def mentions():
    """Webmentions received (fetch) and sent (send)."""


PRIVATE_HELP = "Allow loopback and private addresses (also RELAIS_ALLOW_PRIVATE_NETWORK=1)."


def private_flag(allow: bool) -> bool | None:
    """True when the flag is given; None lets the client read the environment."""
    return True if allow else None


def build_for_sending(settings_file: str, output: str | None, extra: tuple[str, ...]):
    """Build the site (offline) and return its settings and what it owes."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    settings = load_settings(settings_file, output, parse_overrides(list(extra)))
    build(settings)
    result = owed.of_build(settings)
    if result is None:
        raise BuildError(f"{settings_file}: PLUGINS lacks 'relais.plugins.webmentions', "
                         "so the build cannot say what it links to")
    return settings, result


def send_owed(settings: dict, result: owed.BuildResult, *, dry_run: bool, allow_private: bool | None,
              console: Console) -> dispatch.Report | list[sentlog.Job]:
    """Plan or send the build's Webmentions, with a progress bar and a summary table."""
    problem = is_http_url(result.site_url)
    if problem:
        raise BuildError(f"SITEURL {result.site_url!r} {problem}: Webmentions need the public "
                         "URL of each post (send with -s publishconf.py)")
    cfg = config.config(settings)
    policy = sentlog.Policy(cfg.max_tries, cfg.retry_delay)
    try:
        if dry_run:
            jobs = dispatch.dry_run(result.log_path, result.posts, result.gone, policy)
            show_plan(jobs, console)
            return jobs
        jobs = dispatch.plan(result.log_path, result.posts, result.gone, policy)[1]
        with Progress(TextColumn("Webmentions"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=console, transient=True,
                      disable=not jobs) as progress:
            task = progress.add_task("send", total=len(jobs))
            report = run(dispatch.send_all(
                result.log_path, result.posts, result.gone, policy=policy,
                client_options={"site_url": result.site_url, "allow_private": allow_private},
                on_result=lambda _: progress.advance(task)))
    except ValueError as error:
        raise BuildError(str(error)) from None
    show_summary(report, result.log_path, console)
    return report


def show_plan(jobs: list[sentlog.Job], console: Console) -> None:
    if not jobs:
        console.print("Nothing to send: every Webmention owed has been sent.")
        return
    console.print(f"Would send {len(jobs)} Webmention(s):", highlight=False)
    for job in jobs:
        console.print(f"{job.why:8} {job.source} -> {job.target}", highlight=False, markup=False,
                      soft_wrap=True)


def show_summary(report: dispatch.Report, log_path: Path, console: Console) -> None:
    if not report.jobs:
        console.print("Nothing to send: every Webmention owed has been sent.")
        return
    counts = report.counts()
    table = Table("status", "pairs", title=f"Sent log: {log_path}")
    for status, count in sorted(counts.items()):
        table.add_row(status, str(count))
    console.print(table)
    problems = [r for r in report.results if r.outcome.status != SENT]
    if problems:
        details = Table("source", "target", "status", "why", title="Not sent")
        for r in sorted(problems, key=lambda r: (r.job.source, r.job.target))[:50]:
            details.add_row(*map(cell, (r.job.source, r.job.target, r.outcome.status,
                                        r.outcome.reason)))
        console.print(details)
        if len(problems) > 50:
            console.print(f"… and {len(problems) - 50} more in {log_path}")
    waiting = len(report.jobs) - len(report.results)
    if waiting:
        console.print(f"{waiting} pair(s) not sent this run: their host asked us to wait "
                      "(Retry-After); they stay owed.")


@mentions.command("send")
@click.option("-s", "--settings", "settings_file", default="publishconf.py", show_default=True,
              help="Settings to build with; SITEURL must be the public one.")
@click.option("-o", "--output", default=None, help="Output folder (default: OUTPUT_PATH).")
@click.option("-e", "--extra-settings", "extra", multiple=True, metavar="KEY=VALUE",
              help="Override a setting; the value is JSON.")
@click.option("--dry-run", is_flag=True, help="Print what would be sent; send and write nothing.")
@click.option("--allow-private-network", "allow_private", is_flag=True, help=PRIVATE_HELP)
def send_command(settings_file, output, extra, dry_run, allow_private):
    """Send the Webmentions the built site owes (new, changed, removed links, deleted posts)."""
    console = Console(soft_wrap=True, highlight=False)
    try:
        settings, result = build_for_sending(settings_file, output, extra)
        send_owed(settings, result, dry_run=dry_run, allow_private=private_flag(allow_private),
                  console=console)
    except BuildError as error:
        fail(str(error).splitlines()[0])


@mentions.command("merge-log")
@click.argument("base", type=click.Path(dir_okay=False))
@click.argument("ours", type=click.Path(dir_okay=False))
@click.argument("theirs", type=click.Path(dir_okay=False))
def merge_log_command(base, ours, theirs):
    """Merge two sent logs into OURS (git's merge driver for the sent log; BASE is unused).

    Every pair either side knows is kept, with the record of its latest try, so a data
    commit made while another run pushed loses no send (see docs/publishing.md)."""
    from relais.store import StoreError, read_json, write_json

    logs = []
    for path in (ours, theirs):
        try:
            logs.append(sentlog.check(read_json(Path(path)), path))
        except (StoreError, ValueError) as error:
            fail(str(error))
    write_json(Path(ours), sentlog.merge(*logs))


@click.group("webmention")
def webmention():
    """One-off Webmention discovery and sending, for debugging."""


def site_url_of(settings_file: str | None) -> str:
    """The SITEURL the User-Agent names: from -s, else publishconf.py when there is one."""
    if settings_file is None:
        if not Path("publishconf.py").is_file():
            return ""
        settings_file = "publishconf.py"
    try:
        return load_settings(settings_file).get("SITEURL") or ""
    except BuildError as error:
        fail(str(error).splitlines()[0])


SETTINGS_HELP = "Settings whose SITEURL the User-Agent names (default: publishconf.py if any)."


@webmention.command("discover")
@click.argument("url")
@click.option("-s", "--settings", "settings_file", default=None, help=SETTINGS_HELP)
@click.option("--allow-private-network", "allow_private", is_flag=True, help=PRIVATE_HELP)
def discover_command(url, settings_file, allow_private):
    """Print URL's Webmention endpoint; exit 1 if it has none."""
    site_url = site_url_of(settings_file)

    async def go():
        options = {"site_url": site_url, "allow_private": private_flag(allow_private)}
        async with HttpClient(**options) as client:
            return await discover(client, url)

    try:
        found = run(go())
    except FetchError as error:
        fail(str(error))
    if found.endpoint is None:
        fail(f"{url}: {found.reason}")
    click.echo(printable(found.endpoint))


@webmention.command("send")
@click.argument("source")
@click.argument("target")
@click.option("-s", "--settings", "settings_file", default=None, help=SETTINGS_HELP)
@click.option("--allow-private-network", "allow_private", is_flag=True, help=PRIVATE_HELP)
def send_one_command(source, target, settings_file, allow_private):
    """Discover TARGET's endpoint and tell it that SOURCE mentions it; print the status."""
    for name, value in (("SOURCE", source), ("TARGET", target)):
        problem = is_http_url(value)
        if problem:
            fail(f"{name} {value!r} {problem}")
    site_url = site_url_of(settings_file)

    async def go():
        options = {"site_url": site_url, "allow_private": private_flag(allow_private)}
        async with HttpClient(**options) as client:
            return await send_webmention(client, source, target)

    outcome = run(go())
    where = f" via {outcome.endpoint}" if outcome.endpoint else ""
    extra = f" (status at {outcome.location})" if outcome.location else ""
    line = f"{outcome.status}{where}: {outcome.reason}{extra}"
    if outcome.status != SENT:
        fail(line)
    click.echo(printable(line))


# --- received: fetch, the receiver -----------------------------------------------------

TOKEN_ENV = "RELAIS_MENTIONS_TOKEN"
RECEIVER_TOKEN_ENV = "RELAIS_RECEIVER_TOKEN"


def _settings(settings_file: str) -> dict:
    """The site's settings, with the Webmentions Config made; one error line when wrong."""
    try:
        settings = load_settings(settings_file)
        config.config(settings)
        return settings
    except (BuildError, relais_settings.SettingsError) as error:
        fail(str(error))


def _config(settings_file: str) -> config.Config:
    return config.config(_settings(settings_file))


@mentions.command("fetch")
@click.option("-s", "--settings", "settings_file", default="pelicanconf.py", show_default=True)
@click.option("--api", default=None, help="JF2 API URL (default: WEBMENTIONS_API).")
@click.option("--domain", "domains", multiple=True,
              help="Domain to fetch for (default: WEBMENTIONS_DOMAINS, else SITEURL's host).")
@click.option("--full", is_flag=True, help="Ignore since_id: read everything again.")
@click.option("--allow-private-network", is_flag=True, help=PRIVATE_HELP)
def fetch_command(settings_file, api, domains, full, allow_private_network):
    """Pull received mentions (webmention.io or our receiver) into the archive in data/."""
    from relais.plugins.webmentions.incoming.archive import ArchiveError
    from relais.plugins.webmentions.incoming.avatar_download import download_avatars
    from relais.plugins.webmentions.incoming.fetch import FetchFailed, fetch_into

    cfg = _config(settings_file)
    api = api or cfg.api
    domains = list(domains) or list(cfg.domains)
    if not domains:
        fail("no domain to fetch for: set WEBMENTIONS_DOMAINS or an absolute SITEURL, "
             "or pass --domain")
    path = cfg.archive
    token = os.environ.get(TOKEN_ENV) or None
    with Progress(transient=True) as progress:
        task = progress.add_task("Reading mentions", total=None)
        try:
            report = asyncio.run(fetch_into(
                path, api=api, token=token, domains=domains, full=full,
                allow_private=private_flag(allow_private_network),
                on_page=lambda n: progress.advance(task, n)))
        except (FetchFailed, ArchiveError) as error:
            fail(f"{error} (the archive is unchanged)")
        from relais.plugins.webmentions.incoming.archive import load

        photos = [m["author"]["photo"] for m in load(path).mentions.values()
                  if m["author"]["photo"]]
        avatar_task = progress.add_task("Avatars", total=None)
        got, bad = asyncio.run(download_avatars(
            photos, path.parent / "avatars", retry_failed=full,
            allow_private=private_flag(allow_private_network),
            progress=lambda: progress.advance(avatar_task)))
    for line in report.skipped:
        click.echo(f"warning: skipped an entry: {printable(line)}", err=True)
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
@click.option("--address-rate-limit", default=60, show_default=True, type=click.IntRange(0),
              help="Requests per client address per minute (0: no limit).")
@click.option("--max-body", default=8192, show_default=True, type=click.IntRange(256),
              help="Largest request body accepted, in bytes.")
@click.option("--concurrency", default=16, show_default=True, type=click.IntRange(1, 256),
              help="Sources verified at once.")
@click.option("--public-url", default="", metavar="URL",
              help="The receiver's public address, for the Location of status pages "
                   "(default: a path, resolved against the URL the sender posted to).")
@click.option("--proxy-headers", is_flag=True,
              help="Trust X-Forwarded-* from the reverse proxy (see docs/webmentions-incoming.md).")
@click.option("--allow-private-network", is_flag=True, help=PRIVATE_HELP)
def serve_command(settings_file, host, port, db, site_dir, domains, moderation, rate_limit,
                  address_rate_limit, max_body, concurrency, public_url, proxy_headers,
                  allow_private_network):
    """Run the Webmention endpoint (the JF2 API needs RELAIS_RECEIVER_TOKEN)."""
    import uvicorn
    from relais.plugins.webmentions.incoming.manifest import NAME as MANIFEST
    from relais.plugins.webmentions.incoming.receiver import ReceiverConfig, create_app

    settings = _settings(settings_file)
    cfg = config.config(settings)
    try:  # the fediverse actor, when the site is one (relais.signals.receiver_extensions)
        extensions = tuple(receiver_extensions.send(settings=settings))
    except (relais_settings.SettingsError, OSError, ValueError) as error:
        fail(str(error))
    site = Path(site_dir) if site_dir else cfg.output
    if not site.is_dir():
        fail(f"{site}: no such folder; run `relais build` or pass --site-dir")
    if not (site / MANIFEST).is_file():
        click.echo(f"warning: {site / MANIFEST} is not there yet (a build under way?): targets "
                   "are answered 503 \"try again shortly\" until `relais build` writes it",
                   err=True)
    if public_url and is_http_url(public_url):
        fail(f"--public-url {public_url!r} {is_http_url(public_url)}")
    domains = list(domains) or list(cfg.domains)
    if not domains:
        fail("no site domain: set WEBMENTIONS_DOMAINS or an absolute SITEURL, or pass --domain")
    receiver_config = ReceiverConfig(
        db=Path(db), site_dir=site, domains=domains, site_url=cfg.site_url,
        token=os.environ.get(RECEIVER_TOKEN_ENV) or None, moderation=moderation,
        rate_limit=rate_limit, address_rate_limit=address_rate_limit, max_body=max_body,
        allow_private=private_flag(allow_private_network),
        concurrency=concurrency, worker="process", public_url=public_url,
        extensions=extensions)
    click.echo(f"Receiving webmentions for {', '.join(domains)} on http://{host}:{port}/ "
               f"(queue in {db})")
    uvicorn.run(create_app(receiver_config), host=host, port=port, log_level="warning",
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
                click.echo(printable(f"{mention['type']:8} {author} — "
                                     f"{mention['source']} → {mention['target']}"))
            for domain, state in inbox.domains():
                click.echo(f"{state}: {printable(domain)}")
    finally:
        inbox.close()
