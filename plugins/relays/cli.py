"""`relais relays`: the weekly view, and the commands that keep the private ledger.

Thin: load the settings, open the desk (the ledger with the sources gathered in), call a
stage, print, save. Every problem is one line.
"""

from __future__ import annotations

import secrets
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from relais.plugins.relays import consent, ledger, render
from relais.plugins.relays.config import STAGES, Config, config
from relais.plugins.relays.desk import Desk, open_desk
from relais.plugins.relays.gather import clean_card
from relais.plugins.relays.ledger import PROPOSAL_KINDS, PROPOSAL_STATUSES, Evidence, LedgerError
from relais.plugins.relays.sources import SourceProblem

from relais import foreign
from relais.build import BuildError, load_settings
from relais.settings import SettingsError

PRIVATE_HELP = "Allow 127.0.0.1 and private addresses (local tests); also " \
               "RELAIS_ALLOW_PRIVATE_NETWORK=1."


def fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def parse_now(value: str | None) -> datetime:
    if not value:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        fail(f"--now {value}: not a date (YYYY-MM-DD or an ISO 8601 time)")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Context:
    def __init__(self, settings_file: str, ledger_path: str | None, now: str | None):
        self.settings_file, self.ledger_path, self.now = settings_file, ledger_path, parse_now(now)
        self._desk: Desk | None = None

    @property
    def stamp(self) -> str:
        return self.now.isoformat(timespec="seconds")

    def config(self) -> tuple[dict, Config]:
        try:
            settings = load_settings(self.settings_file)
            if self.ledger_path:
                settings["RELAYS_LEDGER"] = self.ledger_path
            return settings, config(settings)
        except (BuildError, SettingsError) as error:
            fail(str(error).splitlines()[0])

    def desk(self, gather_sources: bool = True) -> Desk:
        if self._desk is None:
            settings, cfg = self.config()
            try:
                self._desk = open_desk(settings, cfg, gather_sources=gather_sources)
            except (LedgerError, SourceProblem) as error:
                fail(str(error))
            warn_if_exposed(cfg)
        return self._desk

    def save(self) -> None:
        try:
            self.desk().save()
        except LedgerError as error:
            fail(str(error))

    def person(self, who: str) -> ledger.Person:
        found = self.desk().book.lookup(who)
        if found is None:
            fail(f"{who}: nobody in the ledger by that key, site or name "
                 "(`relais relays people` lists them)")
        return found


def warn_if_exposed(cfg: Config) -> None:
    """Say so when the ledger sits in the site's folder where `git status` would show it."""
    if cfg.root not in cfg.ledger.parents:
        return
    relative = str(cfg.ledger.relative_to(cfg.root))
    ignored = subprocess.run(["git", "check-ignore", "-q", relative], cwd=cfg.root,
                             capture_output=True).returncode == 0
    tracked = subprocess.run(["git", "ls-files", "--error-unmatch", relative], cwd=cfg.root,
                             capture_output=True).returncode == 0
    if not ignored and not tracked:
        click.echo(f"warning: the ledger {relative} is inside the site's folder and git would "
                   "offer to commit it: add it to .gitignore, or set RELAYS_LEDGER outside",
                   err=True)


def shown(path: Path) -> str:
    """A path as she would type it: relative to the current folder when it is under it."""
    try:
        return str(path.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


pass_context = click.make_pass_decorator(Context)


@click.group("relays", invoke_without_command=True)
@click.option("-s", "--settings", "settings_file", default="pelicanconf.py", show_default=True)
@click.option("--ledger", "ledger_path", default=None, metavar="PATH",
              help="The ledger file (default: RELAYS_LEDGER, else your data directory).")
@click.option("--now", default=None, metavar="DATE", help="Look at the ledger as of this date.")
@click.pass_context
def relays(ctx, settings_file, ledger_path, now):
    """The private relationship ledger; without a command, this week's view."""
    ctx.obj = Context(settings_file, ledger_path, now)
    if ctx.invoked_subcommand is None:
        desk = ctx.obj.desk()
        click.echo(render.weekly_text(desk.weekly(ctx.obj.now), shown(desk.config.ledger)), nl=False)
        ctx.obj.save()


@relays.command("where")
@pass_context
def where_command(obj: Context):
    """Where the ledger lives, and whether git or the build could see it."""
    _, cfg = obj.config()
    click.echo(str(cfg.ledger))
    click.echo("default place, outside the site's folder" if cfg.ledger_is_default
               else "set by RELAYS_LEDGER or --ledger")
    warn_if_exposed(cfg)


@relays.command("gather")
@pass_context
def gather_command(obj: Context):
    """Gather the sources into the ledger and say what was new."""
    desk = obj.desk()
    obj.save()
    click.echo(f"{desk.added} new piece(s) of evidence; {len(desk.book.people)} people in "
               f"{desk.config.ledger}")


@relays.command("people")
@pass_context
def people_command(obj: Context):
    """Everyone in the ledger: key, stage, name."""
    desk = obj.desk()
    for person in sorted(desk.book.people.values(), key=lambda p: p.name.lower()):
        click.echo(f"{person.key}\t{person.stage}\t{render.printable(person.name)}")
    obj.save()


@relays.command("show")
@click.argument("who")
@pass_context
def show_command(obj: Context, who):
    """One person: sites, stage, notes and the timeline of evidence (WHO: key, URL or name)."""
    click.echo(render.person_text(obj.person(who)), nl=False)
    obj.save()


@relays.command("add")
@click.argument("name")
@click.option("--site", default=None, help="Their site, if they have one.")
@click.option("--rel", multiple=True, help="XFN relationship (friend, met, colleague...).")
@click.option("--note", default="", help="How you met, in your words.")
@pass_context
def add_command(obj: Context, name, site, rel, note):
    """Add someone by hand (met at a market, a friend's friend)."""
    if site and not site.startswith(("http://", "https://")):
        fail(f"--site {site}: not an http(s) URL")
    person = obj.desk().book.person_for(site, name, "hand")
    person.rel = sorted(set(person.rel) | set(rel))
    person.add(Evidence("met", "", obj.stamp, note, source="hand"))
    if note:
        person.notes.append({"date": obj.stamp, "text": note})
    obj.save()
    click.echo(f"{person.key}: {person.name} is in your ledger")


@relays.command("note")
@click.argument("who")
@click.argument("text")
@pass_context
def note_command(obj: Context, who, text):
    """Add a private note to someone."""
    person = obj.person(who)
    person.notes.append({"date": obj.stamp, "text": text})
    obj.save()
    click.echo(f"noted for {person.name}")


@relays.command("stage")
@click.argument("who")
@click.argument("stage", type=click.Choice(STAGES))
@pass_context
def stage_command(obj: Context, who, stage):
    """Set where a relationship stands: known, talking, collaborating, partner, paused."""
    person = obj.person(who)
    person.stage, person.stage_since = stage, obj.stamp
    obj.save()
    click.echo(f"{person.name}: {stage}")


@relays.command("answered")
@click.argument("url")
@pass_context
def answered_command(obj: Context, url):
    """Mark a received mention (its URL) as answered, when you answered elsewhere."""
    person = obj.desk().book.find(url)
    if person is None or not any(e.url == url and e.kind == "received" for e in person.evidence):
        fail(f"{url}: no received mention with this URL in the ledger")
    if url not in person.answered:
        person.answered.append(url)
    obj.save()
    click.echo(f"{person.name}: {url} answered")


@relays.command("keep")
@click.argument("url")
@pass_context
def keep_command(obj: Context, url):
    """Keep a discovery candidate (`relais discover`) in the ledger, with its evidence."""
    from relais.plugins.relays.sources import discovered

    desk = obj.desk()
    found = discovered(desk.settings, url)
    if found is None:
        fail(f"{url}: not among the candidates `relais discover` found (run it first)")
    name, site, listers, terms = found
    person = desk.book.person_for(site, foreign.text(name) or site, "discovery")
    why = "listed by " + ", ".join(listers) if listers else "found by discovery"
    if terms:
        why += "; shares " + ", ".join(terms)
    why = foreign.text(why, foreign.NOTE_CHARS)
    person.add(Evidence("discovered", site, obj.stamp, why, source="discovery"))
    obj.save()
    click.echo(f"{person.key}: {person.name} kept ({why})")


@relays.command("propose")
@click.argument("who")
@click.option("--kind", type=click.Choice(PROPOSAL_KINDS), required=True,
              help="stock-mine: they would stock your pieces; stock-theirs: you would stock "
                   "theirs; media, collaboration, event.")
@click.option("--summary", required=True, help="What they propose, in one line.")
@click.option("--name", default="", help="Their name, when they are new to the ledger.")
@click.option("--cost-hours", type=click.FloatRange(0, 10000), default=None,
              help="Your estimate of the hours it would take you.")
@click.option("--cost", "cost_note", default="", help="What else it would cost you, in words.")
@click.option("--evidence", multiple=True, metavar="URL", help="Where the proposal was made.")
@click.option("--next", "next_step", default="", help="The next step, in your words.")
@click.option("--offline", is_flag=True, help="Do not fetch their site.")
@click.option("--allow-private-network", "allow_private", is_flag=True, default=None,
              help=PRIVATE_HELP)
@pass_context
def propose_command(obj: Context, who, kind, summary, name, cost_hours, cost_note, evidence,
                    next_step, offline, allow_private):
    """Record a proposal (WHO: their site URL, or someone in the ledger) and qualify it."""
    desk = obj.desk()
    if who.startswith(("http://", "https://")):
        person = desk.book.person_for(who, name, "proposal")
    else:
        person = obj.person(who)
    if not offline and person.sites:
        outcomes = desk.fetch([(person.name, person.sites[0])], allow_private=allow_private,
                              now=obj.now)
        for outcome in outcomes:
            for problem in outcome.problems:
                click.echo(f"warning: {person.sites[0]}: {problem}", err=True)
        card = clean_card(desk.state_of(person.sites[0]).get("card") or {})
        if card.get("name") and person.name in (person.sites[0], person.key, ""):
            person.name = card["name"]
        person.card = {**card, **person.card}
    number = max((p.id for p in desk.book.proposals), default=0) + 1
    proposal = ledger.Proposal(number, person.key, kind, summary, obj.stamp, next=next_step,
                               cost_hours=cost_hours, cost_note=cost_note,
                               evidence=list(evidence))
    desk.book.proposals.append(proposal)
    person.add(Evidence("proposal", (evidence or [""])[0], obj.stamp, summary, what=kind,
                        source="proposal"))
    click.echo(render.qualification_text(number, person.name,
                                         desk.qualification(proposal, obj.now)), nl=False)
    obj.save()


@relays.command("proposal")
@click.argument("number", type=int)
@click.option("--status", type=click.Choice(PROPOSAL_STATUSES), default=None)
@click.option("--next", "next_step", default=None, help="The next step, in your words.")
@pass_context
def proposal_command(obj: Context, number, status, next_step):
    """Show a proposal's qualification again; change its status or next step."""
    desk = obj.desk()
    proposal = next((p for p in desk.book.proposals if p.id == number), None)
    if proposal is None:
        fail(f"#{number}: no such proposal")
    if status:
        proposal.status = status
    if next_step is not None:
        proposal.next = next_step
    person = desk.book.people[proposal.person]
    click.echo(render.qualification_text(number, person.name,
                                         desk.qualification(proposal, obj.now)), nl=False)
    obj.save()


@relays.command("reach")
@click.option("--fetch", is_flag=True,
              help="First fetch the closest relays that are not in your blogroll.")
@click.option("--allow-private-network", "allow_private", is_flag=True, default=None,
              help=PRIVATE_HELP)
@pass_context
def reach_command(obj: Context, fetch, allow_private):
    """Ten who reach ten: whom your closest relays list or link to that you do not know."""
    desk = obj.desk()
    if fetch:
        unread = desk.reach().unread
        wanted = [(p.name, p.sites[0]) for p in desk.book.people.values()
                  if p.name in unread and p.sites]
        if wanted:
            desk.fetch(wanted, allow_private=allow_private, now=obj.now)
    click.echo(render.reach_text(desk.reach()), nl=False)
    obj.save()


@relays.command("ask")
@click.argument("who")
@pass_context
def ask_command(obj: Context, who):
    """Ask someone's consent to feature them as a partner: writes the request note."""
    from relais.scaffold import ScaffoldError, write_post

    person = obj.person(who)
    if not person.sites:
        fail(f"{person.name} has no site to send the request to; ask them in person, then "
             "`relais relays confirm`")
    desk = obj.desk()
    lang = desk.settings.get("DEFAULT_LANG") or "en"
    title, body = consent.request_text(lang, person.name, person.sites[0])
    try:
        path = write_post(desk.settings, title, "note", None, obj.now.replace(tzinfo=None))
    except ScaffoldError as error:
        fail(str(error))
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n\n" + body + "\n",
                    encoding="utf-8")
    from relais.plugins.relays.sources import post_url

    page = post_url(desk.config, path)
    consent.ask(person, page, obj.stamp)
    obj.save()
    click.echo(f"Wrote {path}: publish it (`relais publish`) and its Webmention asks "
               f"{person.name}; their reply or like to {page} is their yes.")


@relays.command("confirm")
@click.argument("who")
@pass_context
def confirm_command(obj: Context, who):
    """Record that someone agreed to be featured (they told you in person)."""
    person = obj.person(who)
    consent.confirm(person, obj.stamp)
    obj.save()
    click.echo(f"{person.name} agreed to be featured")


def partners_of(obj: Context) -> tuple[Config, str, list[dict]]:
    """The relays' Config, how messages name the partners file, and its entries."""
    from relais.plugins.relays.partners import PartnersProblems, read_partners

    cfg = obj.desk().config
    shown = f"{cfg.content.name}/{cfg.partners_file.name}"
    try:
        return cfg, shown, read_partners(cfg.partners_file, shown)
    except PartnersProblems as error:
        fail(error.lines[0])


@relays.command("feature")
@click.argument("who")
@pass_context
def feature_command(obj: Context, who):
    """Show a partner on the blogroll page: only once they agreed (`ask`, then their reply or
    like; or `confirm`), and only someone your blogroll lists."""
    from relais.plugins.relays.partners import write_partners

    person = obj.person(who)
    if not consent.agreed(person):
        fail(f"{person.name} has not agreed to be featured yet: `relais relays ask` them "
             "first (their reply or like is their yes), or `relais relays confirm` a yes in person")
    if not any(e.kind == "listed" for e in person.evidence):
        fail(f"{person.name} is not in your blogroll: the public page only shows people it lists")
    cfg, shown, entries = partners_of(obj)
    if not any(person.owns(e["site"]) for e in entries):
        entries.append({"site": person.sites[0], "since": obj.now.date().isoformat()})
        write_partners(cfg.partners_file, entries)
    person.consent["featured"] = obj.stamp
    obj.save()
    click.echo(f"{person.name} is in {shown}: the next build shows them among your partners")


@relays.command("unfeature")
@click.argument("who")
@pass_context
def unfeature_command(obj: Context, who):
    """Stop showing someone among your partners."""
    from relais.plugins.relays.partners import write_partners

    person = obj.person(who)
    cfg, shown, entries = partners_of(obj)
    write_partners(cfg.partners_file, [e for e in entries if not person.owns(e["site"])])
    if person.consent:
        person.consent["featured"] = None
    obj.save()
    click.echo(f"{person.name} is no longer in {shown}")


@relays.command("export")
@click.argument("target", type=click.Path(dir_okay=False))
@pass_context
def export_command(obj: Context, target):
    """Write the whole ledger to one file (a backup, or to move it)."""
    desk = obj.desk()
    path = Path(target).resolve()
    output = desk.config.output.resolve()
    if path == output or output in path.parents:
        fail(f"{target}: the ledger is private; write it outside {output}")
    from relais.store import write_json

    write_json(path, desk.book.to_json())
    path.chmod(0o600)
    click.echo(f"Wrote {path} ({len(desk.book.people)} people)")


@relays.command("import")
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@pass_context
def import_command(obj: Context, source):
    """Bring an exported ledger in: merged with yours, nothing of either is lost."""
    try:
        other = ledger.load(Path(source))
    except LedgerError as error:
        fail(str(error))
    desk = obj.desk(gather_sources=False)
    added = ledger.merge(desk.book, other)
    obj.save()
    click.echo(f"{added} thing(s) added from {source}; {len(desk.book.people)} people")


@relays.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="A loopback address: the page is for this computer only.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535))
@pass_context
def serve_command(obj: Context, host, port):
    """The weekly view as a private page on this computer (token in the printed address)."""
    import uvicorn
    from relais.plugins.relays.server import create_app, is_loopback

    if not is_loopback(host):
        fail(f"--host {host}: the ledger is private; serve it on 127.0.0.1 or ::1 only")
    settings, cfg = obj.config()
    obj.desk()  # the ledger and sources are readable: fail now rather than in the page
    token = secrets.token_urlsafe(24)
    fixed = obj.now if obj.now.date() != datetime.now(UTC).date() else None
    app = create_app(lambda: open_desk(settings, cfg), token=token,
                     now=lambda: fixed or datetime.now(UTC))
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"Your relays: http://{shown}:{port}/?token={token}  (Ctrl-C to stop)")
    uvicorn.run(app, host=host, port=port, log_level="warning")
