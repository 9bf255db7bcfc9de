"""The `relais` command: build, serve and write posts here; the feature commands load on use."""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import sys
from datetime import datetime

import click

from relais.build import BuildError, build, load_settings, parse_overrides
from relais.scaffold import KINDS, ScaffoldError, write_post


def fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


# Set when `relais build` has finished (built or failed): the program may then leave at once.
_build_ended = False


def run() -> None:
    """The `relais` program (its console script): the commands; after `relais build`, a
    quick exit. Python's own exit frees every object one by one; after a build of 2,000
    stories that took 0.45-0.9 s (measured on the bench site: 3.3-5.2 s for a rebuild that
    is 2.8-2.9 s without it) and does nothing a finished build needs: its files are written
    and closed, the records saved, the output's sweeper thread joined. So the program
    flushes its output and logs and ends there, with the same status."""
    try:
        main()
    except SystemExit as end:
        if not _build_ended:
            raise
        leave(end.code)


def leave(code) -> None:
    """End the process now with `code` as `sys.exit` would (None: 0; text: said, then 1),
    its output and log handlers flushed, without the interpreter's teardown."""
    if code is not None and not isinstance(code, int):
        click.echo(str(code), err=True)
        code = 1
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code or 0)


# The feature commands, loaded when called: `relais build` need not import the
# network stack. name -> (module, attribute, modules that add subcommands to it)
FEATURE_COMMANDS = {
    "adopt": ("relais.adopt", "adopt_command", ()),
    "init": ("relais.init", "init_command", ()),
    "blogroll": ("relais.plugins.blogroll.cli", "blogroll", ()),
    "discover": ("relais.plugins.blogroll.cli", "discover_command", ()),
    "feeds": ("relais.plugins.feeds.cli", "feeds", ()),
    "fediverse": ("relais.plugins.fediverse.cli", "fediverse", ()),
    "mentions": ("relais.plugins.webmentions.cli", "mentions", ()),
    "publish": ("relais.publish", "publish_command", ()),
    "receiver": ("relais.plugins.webmentions.cli", "receiver", ("relais.plugins.fediverse.cli",)),
    "relays": ("relais.plugins.relays.cli", "relays", ()),
    "webmention": ("relais.plugins.webmentions.cli", "webmention", ()),
}


class RelaisGroup(click.Group):
    """The core commands, plus the feature commands imported only when used."""

    def list_commands(self, ctx):
        return sorted({*super().list_commands(ctx), *FEATURE_COMMANDS})

    def get_command(self, ctx, name):
        if name not in FEATURE_COMMANDS:
            return super().get_command(ctx, name)
        module, attribute, extensions = FEATURE_COMMANDS[name]
        for extension in extensions:
            importlib.import_module(extension)
        return getattr(importlib.import_module(module), attribute)


@click.group(cls=RelaisGroup, context_settings={"help_option_names": ["-h", "--help"]})
def main():
    """Relais: a Pelican site kit for makers who grow by relationships."""


@main.command("build")
@click.option("-s", "--settings", "settings_file", default=None,
              help="Settings file (default pelicanconf.py; publishconf.py with --publish).")
@click.option("--publish", is_flag=True, help="Build with publishconf.py (absolute URLs).")
@click.option("-o", "--output", default=None, help="Output folder (default: OUTPUT_PATH, output/).")
@click.option("-e", "--extra-settings", "extra", multiple=True, metavar="KEY=VALUE",
              help="Override a setting; the value is JSON, e.g. -e SITEURL='\"http://x\"'. "
                   "The settings file computes its other values from it.")
@click.option("--lenient", is_flag=True,
              help="Content problems are warnings; a post that cannot be read is left out.")
@click.option("--ignore-cache", is_flag=True,
              help="Read every post and make every page again (the caches are rebuilt).")
@click.option("-j", "--jobs", type=click.IntRange(0, 64), default=None, metavar="N",
              help="Processes to build with: 0 one per core, 1 only this one "
                   "(default: BUILD_WORKERS, 0).")
def build_command(settings_file, publish, output, extra, lenient, ignore_cache, jobs):
    """Build the site offline."""
    global _build_ended
    settings_file = settings_file or ("publishconf.py" if publish else "pelicanconf.py")
    show_warnings()
    try:
        overrides = parse_overrides(list(extra))
        if lenient:
            overrides["CONTENT_LENIENT"] = True
        settings = load_settings(settings_file, output, overrides)
        try:
            report = build(settings, ignore_cache=ignore_cache, workers=jobs)
        finally:
            _build_ended = True
    except BuildError as error:
        for line in str(error).splitlines():
            click.echo(f"error: {line}", err=True)
        sys.exit(1)
    for note in report.notes:
        click.echo(f"note: {note}")
    warnings = f", {len(report.warnings)} warning(s)" if report.warnings else ""
    pages = f" ({report.pages_made} pages made, {report.pages_kept} unchanged)" \
        if report.pages_kept else ""
    click.echo(f"Built into {report.output}/ in {report.seconds:.1f} s{pages}{warnings}.")


def show_warnings() -> None:
    """Warnings and errors go to the terminal as `LEVEL: message`; notes are printed apart."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.setLevel(logging.WARNING)


@main.command("serve")
@click.option("-s", "--settings", "settings_file", default="pelicanconf.py", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--bind", default="127.0.0.1", show_default=True)
@click.option("-e", "--extra-settings", "extra", multiple=True, metavar="KEY=VALUE",
              help="Override a setting, as for relais build.")
def serve_command(settings_file, port, bind, extra):
    """Serve the site on localhost, rebuild it when content, theme, settings or data change,
    and reload the page in the browser. A failed build keeps the last good site, with the
    errors shown on every page."""
    from relais.serve import ServeError, serve

    show_warnings()
    try:
        overrides = parse_overrides(list(extra))
        serve(settings_file, overrides, bind, port, click.echo)
    except (BuildError, ServeError) as error:
        fail(str(error))


@main.command("new")
@click.argument("title")
@click.option("--kind", type=click.Choice(KINDS), default="story", show_default=True)
@click.option("--of", "target", default=None, metavar="URL",
              help="The post replied to, liked, reposted or bookmarked.")
@click.option("-s", "--settings", "settings_file", default="pelicanconf.py", show_default=True)
def new_command(title, kind, target, settings_file):
    """Write a new post with the metadata skeleton of its kind and today's date."""
    try:
        settings = load_settings(settings_file)
        path = write_post(settings, title, kind, target, datetime.now())
    except (BuildError, ScaffoldError) as error:
        fail(str(error))
    click.echo(f"Wrote {path}")


if __name__ == "__main__":
    run()
