"""Discovery for the owner's eyes: table rows, the whole evidence for one candidate, and a
standalone HTML report (written outside the site: it is not for the public)."""

from __future__ import annotations

from datetime import datetime
from html import escape

from relais.plugins.blogroll.rank import Ranked

from relais import foreign


def listed_by(ranked: Ranked) -> str:
    names = [li.name + ("" if li.depth == 2 else " (via lists)") for li in ranked.candidate.listers]
    return ", ".join(names)


def why(ranked: Ranked) -> str:
    c = ranked.candidate
    reasons = []
    if c.mentioned_me:
        reasons.append(f"mentioned you {len(c.mentioned_me)}×")
    if c.links_to_me:
        reasons.append("links to you")
    if c.i_linked:
        reasons.append("you linked to them")
    if ranked.status != "active":
        reasons.append(ranked.status + (f": {c.problem}" if c.problem else ""))
    elif ranked.rhythm_days:
        reasons.append(f"posts every ~{ranked.rhythm_days:.0f} days")
    if c.popularity > 2:
        reasons.append(f"on {c.popularity} lists")
    return "; ".join(reasons)


def table_rows(ranked: list[Ranked]) -> list[tuple[str, ...]]:
    return [
        (
            str(i),
            f"{r.candidate.name}\n{r.candidate.site}",
            f"{r.score:.2f}",
            listed_by(r),
            ", ".join(r.shared_terms) or "-",
            r.last_post.date().isoformat() if r.last_post else "-",
            why(r),
        )
        for i, r in enumerate(ranked, 1)
    ]


def explain_text(ranked: Ranked, weights: dict[str, float]) -> str:
    c = ranked.candidate
    total = sum(weights.values())
    lines = [f"{c.name} <{c.site}>", f"score {ranked.score:.3f} ({ranked.status})", ""]
    for part, value in ranked.parts.items():
        lines.append(f"  {part:<12}{value:.3f} × {weights[part] / total:.2f}")
    lines += ["", "network:"]
    for li in c.listers:
        via = "you follow them" if li.depth == 2 else "listed by someone your network lists"
        lines.append(f"  listed by {li.name} <{li.site}> ({via}; a list of {li.list_size})")
    lines.append(
        f"  on {c.popularity} of the blogrolls seen (the more lists, the less each counts)"
    )
    lines += ["affinity:", f"  shared terms: {', '.join(ranked.shared_terms) or 'none'}"]
    lines.append("interaction:")
    lines += [f"  they mentioned you: {s}" for s in c.mentioned_me] or []
    lines += [f"  they link to you: {s}" for s in c.links_to_me]
    lines += [f"  you linked to them: {s}" for s in c.i_linked]
    if not (c.mentioned_me or c.links_to_me or c.i_linked):
        lines.append("  none yet")
    lines.append("activity:")
    lines.append(
        f"  last post: {ranked.last_post.date().isoformat() if ranked.last_post else 'unknown'}"
    )
    if ranked.rhythm_days:
        lines.append(f"  rhythm: a post every ~{ranked.rhythm_days:.0f} days")
    if c.problem:
        lines.append(f"  problem: {c.problem}")
    if c.entries:
        lines.append("recent posts:")
        lines += [
            f"  {e.get('date', '')[:10]}  {e.get('title')}  {e.get('url')}" for e in c.entries[:5]
        ]
    return "\n".join(lines)


def _link(url, text: str) -> str:
    """A link when `url` passes the gate for foreign URLs (http(s) only: never `javascript:`
    or `data:`), else the text alone."""
    safe = foreign.url(url)
    return f'<a href="{escape(safe)}">{escape(text)}</a>' if safe else escape(text)


def html_report(ranked: list[Ranked], *, site_name: str, now: datetime) -> str:
    """One self-contained page (no external resource) to read and keep."""
    rows = []
    for i, r in enumerate(ranked, 1):
        c = r.candidate
        recent = "".join(
            f"<li>{_link(e.get('url'), e.get('title') or '')} "
            f"<small>{escape((e.get('date') or '')[:10])}</small></li>"
            for e in c.entries[:3]
        )
        parts = " · ".join(f"{k} {v:.2f}" for k, v in r.parts.items())
        rows.append(
            f"<tr><td>{i}</td><td>{_link(c.site, c.name)}<br><small>{escape(c.site)}</small></td>"
            f"<td>{r.score:.2f}<br><small>{escape(parts)}</small></td><td>{escape(listed_by(r))}</td>"
            f"<td>{escape(', '.join(r.shared_terms))}</td><td>{escape(why(r))}</td>"
            f"<td><ul>{recent}</ul></td></tr>"
        )
    title = f"Discovery for {site_name}"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>{escape(title)}</title>
<style>body{{font:15px/1.5 system-ui,sans-serif;margin:2rem;color:#2b2119;background:#faf6f0}}
table{{border-collapse:collapse;width:100%}}
td,th{{border-bottom:1px solid #ded1bf;padding:.4rem;vertical-align:top;text-align:left}}
small{{color:#62544a}}ul{{margin:0;padding-left:1rem}}</style></head>
<body><h1>{escape(title)}</h1>
<p>{len(ranked)} suggestions on {now.date().isoformat()}. Nobody is added
to your blogroll: read, visit, and decide.</p>
<table><thead><tr><th>#</th><th>Creator</th><th>Score</th><th>Listed by</th><th>Shared terms</th>
<th>Why</th><th>Recent posts</th></tr></thead><tbody>{"".join(rows)}</tbody></table></body></html>
"""
