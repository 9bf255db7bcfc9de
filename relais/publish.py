"""`relais publish`: build with publishconf, deploy, then send Webmentions, ping WebSub and
deliver to fediverse followers (docs/fediverse.md).

The order matters: receivers fetch the source to verify a Webmention, so
the site must be online before they are told. Deploy targets, chosen by
PUBLISH_TO:

- `git`: the built site becomes one commit on PUBLISH_GIT_BRANCH (gh-pages
  style) of PUBLISH_GIT_REPOSITORY, then is pushed. Made with git plumbing
  and a temporary index, so the project's working tree, index and branches
  are never touched.
- `folder`: PUBLISH_FOLDER receives a mirror of the output: a local folder
  (replaced in one rename, and only if Relais put it there) or an rsync
  destination `host:path` (rsync --delete).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from relais.build import BuildError, load_settings, parse_overrides
from relais.settings import (
    Setting,
    SettingsError,
    apply,
    declare,
    is_bool,
    one_of,
    project_root,
)


def is_argument(value: Any) -> str | None:
    """A setting passed to git or rsync as an argument: never an option (`--upload-pack=…`)."""
    if not isinstance(value, str):
        return "must be a string"
    if value.startswith("-"):
        return f"must not start with '-' (git and rsync would read {value!r} as an option)"
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        return "must not contain control characters"
    return None


BRANCH_FORBIDDEN = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]|\.\.|@\{|//|/\.|\.lock(?:/|$)")


def is_branch(value: Any) -> str | None:
    """A branch name git accepts (git check-ref-format), that is not an option either."""
    problem = is_argument(value)
    if problem:
        return problem
    if not value or value.startswith(("/", ".")) or value.endswith(("/", ".")) \
            or value == "@" or BRANCH_FORBIDDEN.search(value):
        return f"{value!r} is not a valid branch name"
    return None


PUBLISH_SETTINGS = ("PUBLISH_TO", "PUBLISH_GIT_REPOSITORY", "PUBLISH_GIT_BRANCH", "PUBLISH_FOLDER",
                    "PUBLISH_SEND_WEBMENTIONS")

declare(
    Setting("PUBLISH_TO", "none", one_of("git", "folder", "none"),
            "Where `relais publish` deploys: `git` (a branch), `folder` (a folder or rsync "
            "destination), or `none` (publish refuses to run)."),
    Setting("PUBLISH_GIT_REPOSITORY", "origin", is_argument,
            "The repository to push the site to: a remote name of this project, a URL or a path."),
    Setting("PUBLISH_GIT_BRANCH", "gh-pages", is_branch,
            "The branch that holds the built site (one commit per publish)."),
    Setting("PUBLISH_FOLDER", "", is_argument,
            "A local folder, or an rsync destination `host:path`, that receives the built site."),
    Setting("PUBLISH_SEND_WEBMENTIONS", True, is_bool,
            "Send the Webmentions the site owes after each deploy."),
)

MARKER = ".relais-published"


class PublishError(Exception):
    """The deploy cannot go on; one line that says why."""


@dataclass
class Deploy:
    description: str
    changed: bool = True


def git(*args: str, cwd: Path | None = None, env: dict | None = None, check: bool = True) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                            env={**os.environ, **(env or {})})
    if check and result.returncode != 0:
        message = (result.stderr or result.stdout).strip().splitlines()
        raise PublishError(f"git {args[0]}: {message[-1] if message else 'failed'}")
    return result.stdout.strip()


def resolve_repository(name: str, project: Path) -> str:
    """A remote name of the project becomes its URL; a relative path is the project's."""
    if not name:
        raise PublishError("PUBLISH_GIT_REPOSITORY is empty: name a remote, a URL or a path")
    if "/" not in name and ":" not in name:
        url = git("remote", "get-url", "--", name, cwd=project, check=False)
        if not url:
            raise PublishError(f"PUBLISH_GIT_REPOSITORY {name!r} is not a remote of {project}")
        return url
    if "://" in name or (":" in name and not Path(name).exists()):
        return name
    path = Path(name)
    return str(path if path.is_absolute() else (project / path).resolve())


def identity(project: Path) -> dict[str, str]:
    """Commit as the person publishing (git config or GIT_* variables), else as Relais."""
    name = os.environ.get("GIT_AUTHOR_NAME") or git("config", "user.name", cwd=project,
                                                    check=False) or "Relais"
    email = os.environ.get("GIT_AUTHOR_EMAIL") or git("config", "user.email", cwd=project,
                                                      check=False) or "relais@localhost"
    return {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email,
            "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email}


def git_dir_of(project: Path) -> str | None:
    """The project's own .git folder, when the project is a git repository."""
    found = git("rev-parse", "--absolute-git-dir", cwd=project, check=False)
    return found or None


def deploy_git(output: Path, repository: str, branch: str, project: Path, message: str,
               dry_run: bool = False) -> Deploy:
    """Commit `output` as the next commit of `branch` in `repository` and push it.

    Inside a git project the objects go to its own store and the push runs
    there, so that the remote's settings and credentials apply (a CI checkout
    keeps its token in the project's git config); only FETCH_HEAD moves. Else
    a throw-away bare repository does the work.
    """
    where = f"branch {branch} of {repository}"
    if dry_run:
        return Deploy(f"would commit {output}/ to {where} and push it")
    with tempfile.TemporaryDirectory(prefix="relais-publish-") as scratch:
        own = git_dir_of(project)
        if own:
            base, depth = ["--git-dir", own], []
        else:
            git("init", "-q", "--bare", str(Path(scratch) / "repo.git"))
            base, depth = ["--git-dir", str(Path(scratch) / "repo.git")], ["--depth", "1"]
        fetched = subprocess.run(["git", *base, "fetch", "-q", *depth, "--", repository,
                                  f"refs/heads/{branch}"], capture_output=True, text=True)
        parent = git(*base, "rev-parse", "FETCH_HEAD") if fetched.returncode == 0 else None
        if parent is None and "couldn't find remote ref" not in fetched.stderr:
            lines = fetched.stderr.strip().splitlines()
            reason = lines[-1] if lines else "git fetch failed"
            raise PublishError(f"cannot read {repository}: {reason}")
        (output / ".nojekyll").touch()  # GitHub Pages: serve the files as they are
        tree_env = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}  # never the project's index
        git(*base, "--work-tree", str(output), "add", "-A", "--force", ".", env=tree_env)
        tree = git(*base, "write-tree", env=tree_env)
        if parent and git(*base, "rev-parse", f"{parent}^{{tree}}") == tree:
            return Deploy(f"{where} already holds this site; nothing pushed", changed=False)
        parents = ["-p", parent] if parent else []
        commit = git(*base, "commit-tree", tree, *parents, "-m", message,
                     env=identity(project))
        git(*base, "push", "-q", "--", repository, f"{commit}:refs/heads/{branch}")
    return Deploy(f"pushed {commit[:10]} to {where}")


def is_remote_destination(destination: str) -> bool:
    """`host:path` or `user@host:path` is for rsync; `C:\\x` and existing paths are local."""
    head, sep, _ = destination.partition(":")
    return bool(sep) and "/" not in head and len(head) > 1 and not Path(destination).exists()


def deploy_folder(output: Path, destination: str, project: Path, dry_run: bool = False) -> Deploy:
    if not destination:
        raise PublishError("PUBLISH_FOLDER is empty: name a folder or an rsync destination")
    if is_remote_destination(destination):
        if dry_run:
            return Deploy(f"would rsync {output}/ to {destination} (--delete)")
        if shutil.which("rsync") is None:
            raise PublishError(f"PUBLISH_FOLDER {destination!r} needs rsync, which is missing")
        result = subprocess.run(["rsync", "-a", "--delete", "--", f"{output}/", destination],
                                capture_output=True, text=True)
        if result.returncode != 0:
            lines = result.stderr.strip().splitlines()
            raise PublishError(f"rsync to {destination}: {lines[-1] if lines else 'failed'}")
        return Deploy(f"rsynced to {destination}")
    target = Path(destination)
    target = (target if target.is_absolute() else project / target).resolve()
    source = output.resolve()
    if target == source or source in target.parents or target in source.parents \
            or target in project.parents or target == project:
        raise PublishError(f"PUBLISH_FOLDER {target} overlaps the project or its output")
    if target.exists() and any(target.iterdir()) and not (target / MARKER).exists():
        raise PublishError(f"PUBLISH_FOLDER {target} is not empty and was not published by "
                           f"Relais (no {MARKER}); empty it or choose another folder")
    if dry_run:
        return Deploy(f"would replace {target} with {output}/")
    fresh = target.with_name(f".{target.name}.relais-new")
    old = target.with_name(f".{target.name}.relais-old")
    for leftover in (fresh, old):
        shutil.rmtree(leftover, ignore_errors=True)
    shutil.copytree(source, fresh)
    (fresh / MARKER).write_text("This folder is replaced by `relais publish`.\n")
    if target.exists():
        target.rename(old)
    fresh.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    return Deploy(f"copied to {target}")


def readiness(settings: dict) -> list[str]:
    """Everything still missing before the site can be published, one line each (empty: ready)."""
    missing = []
    site_url = settings.get("SITEURL") or ""
    if not site_url.startswith(("http://", "https://")):
        missing.append("SITEURL: the site's public address, e.g. \"https://atelier.example\", "
                       "in publishconf.py")
    method = settings.get("PUBLISH_TO", "none")
    project = project_root(settings)
    if method == "none":
        missing.append("PUBLISH_TO: where the site goes, \"git\" (a gh-pages branch) or "
                       "\"folder\", in publishconf.py")
    elif method == "git":
        name = settings.get("PUBLISH_GIT_REPOSITORY", "origin")
        if "/" not in name and ":" not in name and not git_dir_of(project):
            missing.append(f"a git repository: run `git init` in {project}, then "
                           f"`git remote add {name} URL` (your repository's address)")
        else:
            try:
                resolve_repository(name, project)
            except PublishError as error:
                missing.append(f"{error}: `git remote add {name} URL` (your repository's address)"
                               if "is not a remote" in str(error) else str(error))
    elif method == "folder":
        try:
            deploy_folder(Path(settings["OUTPUT_PATH"]).resolve(), settings.get("PUBLISH_FOLDER", ""),
                          project, dry_run=True)
        except PublishError as error:
            missing.append(str(error))
    else:
        missing.append(f"setting PUBLISH_TO: must be one of git, folder, none (got {method!r})")
    return missing


def check_target(settings: dict) -> None:
    """Refuse a missing or unsafe deploy target before spending time on a build."""
    try:
        apply(settings, PUBLISH_SETTINGS)  # e.g. a repository that git would read as an option
    except SettingsError as error:
        raise PublishError(str(error)) from None
    missing = readiness(settings)
    if missing:
        raise PublishError(missing[0])


def deploy(settings: dict, dry_run: bool) -> Deploy:
    output = Path(settings["OUTPUT_PATH"]).resolve()
    project = project_root(settings)
    method = settings["PUBLISH_TO"]
    check_target(settings)
    if method == "git":
        source_commit = git("rev-parse", "--short", "HEAD", cwd=project, check=False)
        message = f"Publish {settings.get('SITEURL') or 'the site'}" + (
            f" from {source_commit}" if source_commit else "")
        name = settings["PUBLISH_GIT_REPOSITORY"]
        repository = resolve_repository(name, project)
        if repository != name and "/" not in name and git_dir_of(project):
            repository = name  # a remote of the project: push through it, with its settings
        return deploy_git(output, repository, settings["PUBLISH_GIT_BRANCH"], project, message,
                          dry_run)
    return deploy_folder(output, settings["PUBLISH_FOLDER"], project, dry_run)


def ping_websub(settings: dict, allow_private: bool | None, dry_run: bool, console: Console):
    """Announce changed feeds when the feeds plugin and a hub are configured."""
    if not settings.get("WEBSUB_HUB"):
        console.print("WebSub: no WEBSUB_HUB set; no ping.")
        return
    from relais.plugins.feeds.config import config as feeds_config
    from relais.plugins.feeds.ping import PingError, ping

    try:
        report = ping(feeds_config(settings), Path(settings["OUTPUT_PATH"]),
                      dry_run=dry_run, allow_private=allow_private)
    except PingError as error:
        console.print(f"warning: WebSub: {error}", style="yellow")
        return
    verb = "would announce" if dry_run else "announced"
    console.print(f"WebSub: {len(report.announced)} feed(s) {verb}, {len(report.failed)} failed.")
    for url, problem in report.failed.items():
        console.print(f"warning: WebSub ping for {url}: {problem}", style="yellow")


@click.command("publish")
@click.option("-s", "--settings", "settings_file", default="publishconf.py", show_default=True)
@click.option("-o", "--output", default=None, help="Output folder (default: OUTPUT_PATH).")
@click.option("-e", "--extra-settings", "extra", multiple=True, metavar="KEY=VALUE",
              help="Override a setting; the value is JSON.")
@click.option("--dry-run", is_flag=True,
              help="Build, then show the deploy and the Webmentions it would send; change nothing.")
@click.option("--allow-private-network", "allow_private", is_flag=True,
              help="Allow loopback and private addresses (also RELAIS_ALLOW_PRIVATE_NETWORK=1).")
def publish_command(settings_file, output, extra, dry_run, allow_private):
    """Build with publishconf, deploy, send Webmentions, ping WebSub, deliver to followers."""
    from relais.plugins.fediverse.cli import deliver_after_publish
    from relais.plugins.webmentions.cli import build_for_sending, private_flag, send_owed

    console = Console(soft_wrap=True, highlight=False)
    try:
        missing = readiness(load_settings(settings_file, output, parse_overrides(list(extra))))
        if missing and dry_run:
            for line in missing:
                click.echo(f"missing: {line}", err=True)
            click.echo(f"{len(missing)} thing(s) to set before publishing.", err=True)
            sys.exit(1)
        check_target(load_settings(settings_file, output, parse_overrides(list(extra))))
        settings, result = build_for_sending(settings_file, output, extra)
        console.print(f"Built {len(result.posts)} page(s) into {settings['OUTPUT_PATH']}/ "
                      f"for {settings.get('SITEURL')}.", highlight=False)
        done = deploy(settings, dry_run)
        console.print(f"Deploy: {done.description}.", highlight=False)
        if settings["PUBLISH_SEND_WEBMENTIONS"]:
            send_owed(settings, result, dry_run=dry_run, allow_private=private_flag(allow_private),
                      console=console)
        else:
            console.print("Webmentions: PUBLISH_SEND_WEBMENTIONS is off; none sent.")
        ping_websub(settings, private_flag(allow_private), dry_run, console)
        deliver_after_publish(settings, allow_private=private_flag(allow_private),
                              dry_run=dry_run,
                              echo=lambda line: console.print(line, markup=False),
                              console=console)
    except (BuildError, PublishError) as error:
        click.echo(f"error: {str(error).splitlines()[0]}", err=True)
        sys.exit(1)
