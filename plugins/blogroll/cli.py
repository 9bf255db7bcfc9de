"""The CLI: `relais blogroll import|refresh|show` and `relais discover`.

Thin: load the settings, call the stage, print a table. Every problem is one
line; a creator failing is reported, not fatal.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from relais.plugins.blogroll import site
from relais.plugins.blogroll.config import Config, config
from relais.plugins.blogroll.importer import import_opml
from relais.plugins.blogroll.model import BlogrollError
from relais.plugins.blogroll.opml import MAX_OPML_BYTES, OpmlError
from relais.plugins.blogroll.render import parse_date
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from relais.build import BuildError, load_settings
from relais.foreign import cell, printable
from relais.settings import SettingsError

PRIVATE_HELP = (
    "Allow 127.0.0.1 and private addresses (for local tests); also RELAIS_ALLOW_PRIVATE_NETWORK=1."
)


def fail(message: str) -> None:
    for line in message.splitlines():
        click.echo(f"error: {printable(line)}", err=True)
    sys.exit(1)


def config_from(settings_file: str) -> Config:
    try:
        return config(load_settings(settings_file))
    except (BuildError, SettingsError) as error:
        fail(str(error))


def creators_from(cfg: Config):
    try:
        return site.read_blogroll(cfg)
    except site.BlogrollProblems as error:
        fail("\n".join(error.lines))


def progress_bar(console: Console, total: int, label: str):
    return Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )


settings_option = click.option(
    "-s",
    "--settings",
    "settings_file",
    default="pelicanconf.py",
    show_default=True,
    help="Settings file.",
)
private_option = click.option(
    "--allow-private-network", "allow_private", is_flag=True, default=None, help=PRIVATE_HELP
)


@click.group("blogroll")
def blogroll():
    """The creators you follow: import, refresh, show."""


@blogroll.command("import")
@click.argument("opml_file", type=click.Path(dir_okay=False))
@settings_option
def import_command(opml_file, settings_file):
    """Merge an OPML subscription list into the blogroll file (notes are kept)."""
    cfg = config_from(settings_file)
    path = Path(opml_file)
    if not path.is_file():
        fail(f"{opml_file}: no such file")
    if path.stat().st_size > MAX_OPML_BYTES:
        fail(
            f"{opml_file}: {path.stat().st_size:,} bytes is more than an OPML list should be "
            f"({MAX_OPML_BYTES:,} at most)"
        )
    try:
        merge = import_opml(cfg.file, path, cfg.file_shown)
    except OpmlError as error:
        fail(str(error))
    except BlogrollError as error:
        fail("\n".join(error.lines))
    for outline in merge.added:
        click.echo(printable(f"added: {outline.title} <{outline.site or outline.feed}>"))
    for outline, name in merge.skipped:
        click.echo(printable(f"already there: {outline.title} (as {name})"))
    click.echo(f"{len(merge.added)} added, {len(merge.skipped)} already in {cfg.file}.")


def _summary(console: Console, outcomes, view) -> None:
    evidence = {m.site: m.evidence for m in view.members}
    table = Table(title="Blogroll refresh", show_lines=False)
    for column in ("creator", "result", "new", "last post", "reciprocity", "problems"):
        table.add_column(column, overflow="fold")
    by_name = {m.name: m for m in view.members}
    for outcome in outcomes:
        member = by_name.get(outcome.name)
        last = member.latest.date.date().isoformat() if member and member.latest else "-"
        found = evidence.get(member.site) if member else None
        recip = ", ".join(found.sources()) if found else ""
        if found and found.mutual:
            recip = "MUTUAL: " + recip
        table.add_row(*map(cell, (
            outcome.name,
            outcome.result,
            str(outcome.new_entries),
            last,
            recip,
            "\n".join(outcome.problems),
        )))
    console.print(table)


@blogroll.command("refresh")
@settings_option
@private_option
@click.option(
    "--only",
    default=None,
    metavar="TEXT",
    help="Only the creators whose name or site contains TEXT.",
)
@click.option(
    "--notify", is_flag=True, help="Send a webmention to creators newly added (once each)."
)
def refresh_command(settings_file, allow_private, only, notify):
    """Fetch the creators' feeds, h-cards and blogrolls into data/blogroll/."""
    from relais.plugins.blogroll.refresh import refresh

    cfg = config_from(settings_file)
    creators = creators_from(cfg)
    if only:
        creators = [c for c in creators if only.lower() in (c.name + " " + c.site).lower()]
    if not creators:
        click.echo("The blogroll is empty: nothing to refresh.")
        return
    console = Console(stderr=True)
    with progress_bar(console, len(creators), "refresh") as bar:
        task = bar.add_task("", total=len(creators))
        outcomes = refresh(
            creators,
            cfg.data,
            site_url=cfg.public_url,
            allow_private=allow_private,
            keep=cfg.entries,
            progress=lambda o: bar.update(task, advance=1, description=o.name),
        )
    states = site.read_states(cfg, site.read_blogroll(cfg))
    view = site.view_for(cfg, site.read_blogroll(cfg), states)
    _summary(Console(), outcomes, view)
    failing = sum(1 for o in outcomes if o.result in ("failing", "gone"))
    click.echo(
        f"{len(outcomes)} creators refreshed, {failing} with problems; "
        f"{sum(o.requests for o in outcomes)} requests, "
        f"{sum(o.bodies for o in outcomes)} bodies downloaded."
    )
    if notify:
        from relais.plugins.blogroll.notify import notify_new

        for line in notify_new(cfg, creators, allow_private=allow_private):
            click.echo(line)


@blogroll.command("show")
@settings_option
@click.option(
    "--format", "form", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def show_command(settings_file, form):
    """The blogroll with each creator's state and reciprocity (offline)."""
    cfg = config_from(settings_file)
    creators = creators_from(cfg)
    states = site.read_states(cfg, creators)
    view = site.view_for(cfg, creators, states)
    if form == "json":
        click.echo(
            json.dumps(
                [
                    {
                        "name": m.name,
                        "site": m.site,
                        "active": m.active,
                        "latest": {
                            "title": m.latest.title,
                            "url": m.latest.url,
                            "date": m.latest.date.isoformat(),
                        }
                        if m.latest
                        else None,
                        "reciprocity": m.evidence.to_json(),
                        "last_error": (states.get(c.key) or {}).get("last_error"),
                    }
                    for m, c in _pairs(view, creators)
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    table = Table(title=f"Blogroll ({len(creators)} creators)")
    for column in ("creator", "last post", "status", "reciprocity", "last error"):
        table.add_column(column, overflow="fold")
    for member, creator in _pairs(view, creators):
        state = states.get(creator.key) or {}
        recip = ", ".join(member.evidence.sources())
        table.add_row(*map(cell, (
            member.name + (" ⇄" if member.mutual else ""),
            member.latest.date.date().isoformat() if member.latest else "-",
            "active" if member.active else "inactive",
            recip or "-",
            state.get("last_error") or "",
        )))
    Console().print(table)
    click.echo("⇄ = mutual: they list you, link to you or sent you a webmention.")


def _pairs(view, creators):
    by_site = {c.site: c for c in creators}
    return [(m, by_site[m.site]) for m in view.members]


@click.command("discover")
@settings_option
@private_option
@click.option(
    "--depth",
    type=click.IntRange(2, 3),
    default=2,
    show_default=True,
    help="2: listed by people you follow; 3: one list further.",
)
@click.option(
    "--limit",
    type=click.IntRange(1, 500),
    default=15,
    show_default=True,
    help="How many suggestions to show.",
)
@click.option(
    "--max-sites",
    type=click.IntRange(1, 1000),
    default=None,
    help="Fetch at most this many candidate sites (default DISCOVER_MAX_SITES).",
)
@click.option(
    "--format",
    "form",
    type=click.Choice(["table", "json", "html"]),
    default="table",
    show_default=True,
)
@click.option(
    "-o",
    "--output",
    default="discovery.html",
    show_default=True,
    help="Where --format html writes its report (never inside the site's output).",
)
@click.option(
    "--explain", default=None, metavar="URL", help="Show every piece of evidence for one candidate."
)
@click.option("--offline", is_flag=True, help="Use only what earlier runs stored (no network).")
@click.option("--all", "show_all", is_flag=True, help="Also show dead and inactive sites.")
def discover_command(
    settings_file, allow_private, depth, limit, max_sites, form, output, explain, offline, show_all
):
    """Suggest like-minded creators you do not follow yet, with the evidence. Adds no one."""
    from relais.plugins.blogroll.discover import discover
    from relais.plugins.blogroll.report import explain_text, html_report, table_rows

    cfg = config_from(settings_file)
    creators = creators_from(cfg)
    states = site.read_states(cfg, creators)
    if offline:
        attempts = [parse_date(s.get("last_attempt")) for s in states.values()]
        now = max((a for a in attempts if a), default=datetime.now(UTC))
    else:
        now = datetime.now(UTC)
    console = Console(stderr=True)
    with progress_bar(console, 0, "discover") as bar:
        task = bar.add_task("", total=None)
        result = discover(
            creators,
            states,
            cfg.data,
            content=cfg.content_path,
            article_paths=list(cfg.article_paths),
            own_urls=list(cfg.own_urls),
            received=site.received(cfg),
            depth=depth,
            max_sites=max_sites or cfg.discover_max_sites,
            offline=offline,
            site_url=cfg.public_url,
            allow_private=allow_private,
            weights=dict(cfg.discover_weights),
            inactive_months=cfg.inactive_months,
            now=now,
            progress=lambda o: bar.update(task, advance=1, description=o.name),
        )
    ranked = (
        result.ranked
        if show_all
        else [r for r in result.ranked if r.status in ("active", "unknown")]
    )
    if explain:
        from relais.plugins.blogroll.model import belongs_to

        match = [r for r in result.ranked if belongs_to(explain, r.candidate.site)]
        if not match:
            fail(f"{explain}: not among the {len(result.ranked)} candidates found")
        click.echo(printable(explain_text(match[0], weights=dict(cfg.discover_weights))))
        return
    if form == "json":
        click.echo(json.dumps([r.to_json() for r in ranked[:limit]], ensure_ascii=False, indent=2))
        return
    if form == "html":
        target = Path(output).resolve()
        site_output = cfg.output_path.resolve()
        if target == site_output or site_output in target.parents:
            fail(f"{output}: the report is for you, not the public; write it outside {site_output}")
        target.write_text(html_report(ranked[:limit], site_name=cfg.site.name, now=now),
                          encoding="utf-8")
        click.echo(f"Wrote {target}")
        return
    table = Table(
        title=f"Creators you might like ({len(ranked)} found, {result.fetched} sites fetched)"
    )
    for column in ("#", "creator", "score", "listed by", "shared terms", "last post", "why"):
        table.add_column(column, overflow="fold")
    for row in table_rows(ranked[:limit]):
        table.add_row(*map(cell, row))  # names and sites from other people: never Rich markup
    Console(width=max(Console().width, 120)).print(table)
    hidden = len(result.ranked) - len(ranked)
    if hidden:
        click.echo(f"{hidden} dead or inactive site(s) left out (--all shows them).")
    click.echo("Nobody was added to your blogroll; `relais discover --explain URL` tells more.")
