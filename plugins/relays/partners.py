"""The public partners list (`content/partners.yaml`, RELAYS_PARTNERS_FILE): who agreed to be
featured, and since when. Written by `relais relays feature` only after their answer;
read by the build, which shows them on the blogroll page among the people the blogroll
already shows (nobody else: public pages show only what the blogroll shows).

    partners:
      - site: https://lou-tisse.example/
        since: 2026-11-22

Only the site and a date are public; the consent itself stays in the private ledger.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from relais.plugins.blogroll.model import site_identity

from relais.problems import ProblemLines
from relais.store import write_atomic

HEADER = ("# Partners who agreed to be featured on the blogroll page (relais relays feature).\n"
          "# Written by Relais after their answer; their consent is in your private ledger.\n")


class PartnersProblems(ProblemLines):
    """The partners file has problems; one line each."""


def read_partners(path: Path, shown: str) -> list[dict]:
    """The entries of the partners file (none when there is no file)."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise PartnersProblems([f"{shown}:{mark.line + 1 if mark else 1}: not valid YAML"]) from None
    entries = (data or {}).get("partners") if isinstance(data, dict | None) else None
    if not isinstance(entries, list) or not all(
            isinstance(e, dict) and isinstance(e.get("site"), str) for e in entries):
        raise PartnersProblems([f"{shown}:1: expected `partners:`, a list of {{site, since}}"])
    return [{"site": e["site"], "since": str(e.get("since") or "")} for e in entries]


def write_partners(path: Path, entries: list[dict]) -> None:
    body = yaml.safe_dump({"partners": entries}, allow_unicode=True, sort_keys=False)
    write_atomic(path, HEADER + body)


def featured(members: list, entries: list[dict]) -> list:
    """The blogroll members the partners file names, in the file's order."""
    by_identity = {site_identity(m.site): m for m in members}
    chosen = [by_identity.get(site_identity(e["site"])) for e in entries]
    return [m for m in chosen if m is not None]
