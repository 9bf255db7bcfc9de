"""Pelican glue: the partners who agreed to be featured, for the blogroll page. The only
module of the relays that imports Pelican; the ledger itself is never read by the build."""

from __future__ import annotations

from relais.plugins.relays.config import config
from relais.plugins.relays.partners import featured, read_partners


def add_partners(generators):
    """`blogroll_partners`: the blogroll's members named in the partners file (after the
    blogroll plugin has put its view in the context)."""
    if not generators or "blogroll" not in generators[0].context:
        return
    cfg = config(generators[0].settings)
    entries = read_partners(cfg.partners_file, f"{cfg.content.name}/{cfg.partners_file.name}")
    partners = featured(generators[0].context["blogroll"].members, entries)
    for generator in generators:
        generator.context["blogroll_partners"] = partners
