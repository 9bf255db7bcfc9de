"""`relais mentions send`, `relais webmention discover URL`, `relais webmention send SOURCE TARGET`.

Thin: options, a build, a progress bar and a summary; the work is in
dispatch, sentlog, sending and discovery.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click
from relais.plugins.webmentions import dispatch, sentlog
from relais.plugins.webmentions.cli import fail, mentions
from relais.plugins.webmentions.discovery import discover
from relais.plugins.webmentions.outgoing import LAST_BUILD, BuildResult
from relais.plugins.webmentions.sending import SENT, send_webmention
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from relais.build import BuildError, build, load_settings, parse_overrides
from relais.net.client import FetchError, HttpClient, run
from relais.settings import is_http_url

PRIVATE_HELP = "Allow loopback and private addresses (also RELAIS_ALLOW_PRIVATE_NETWORK=1)."


def private_flag(allow: bool) -> bool | None:
    """True when the flag is given; None lets the client read the environment."""
    return True if allow else None


def build_for_sending(settings_file: str, output: str | None, extra: tuple[str, ...]):
    """Build the site (offline) and return its settings and what it owes."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    settings = load_settings(settings_file, output, parse_overrides(list(extra)))
    build(settings)
    result = LAST_BUILD.get(str(Path(settings["OUTPUT_PATH"]).resolve()))
    if result is None:
        raise BuildError(f"{settings_file}: PLUGINS lacks 'relais.plugins.webmentions.outgoing', "
                         "so the build cannot say what it links to")
    return settings, result


def send_owed(settings: dict, result: BuildResult, *, dry_run: bool, allow_private: bool | None,
              console: Console) -> dispatch.Report | list[sentlog.Job]:
    """Plan or send the build's Webmentions, with a progress bar and a summary table."""
    problem = is_http_url(result.site_url)
    if problem:
        raise BuildError(f"SITEURL {result.site_url!r} {problem}: Webmentions need the public "
                         "URL of each post (send with -s publishconf.py)")
    policy = sentlog.Policy(settings["WEBMENTIONS_MAX_TRIES"], settings["WEBMENTIONS_RETRY_DELAY"])
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
        console.print(f"{job.why:8} {job.source} -> {job.target}", highlight=False,
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
            details.add_row(r.job.source, r.job.target, r.outcome.status, r.outcome.reason)
        console.print(details)
        if len(problems) > 50:
            console.print(f"… and {len(problems) - 50} more in {log_path}")


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
    click.echo(found.endpoint)


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
        click.echo(f"error: {line}", err=True)
        sys.exit(1)
    click.echo(line)
