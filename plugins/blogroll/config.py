"""The blogroll's settings, with their defaults and meanings (see the README's table)."""

from relais.settings import Setting, declare, is_bool, is_int, is_text, is_text_list


def _weights(value) -> str | None:
    names = {"network", "affinity", "interaction", "activity"}
    if not isinstance(value, dict) or set(value) != names:
        return f"must be a dict with exactly {', '.join(sorted(names))}"
    if not all(
        isinstance(v, int | float) and not isinstance(v, bool) and v >= 0 for v in value.values()
    ):
        return "weights must be numbers >= 0"
    if not sum(value.values()):
        return "at least one weight must be above 0"
    return None


def _urls(value) -> str | None:
    problem = is_text_list(value)
    if problem:
        return problem
    bad = [v for v in value if not v.startswith(("http://", "https://"))]
    return f"{bad[0]!r} is not an absolute http(s) URL" if bad else None


SETTINGS = (
    Setting(
        "BLOGROLL_FILE",
        "blogroll.yaml",
        is_text,
        "The blogroll file, under the content folder (`PATH`).",
    ),
    Setting(
        "BLOGROLL_DATA",
        "data/blogroll",
        is_text,
        "Where `relais blogroll refresh` keeps what it fetched (relative to the folder "
        "that holds `content/`); read by the build, committed to git.",
        kind="data_path",
    ),
    Setting(
        "BLOGROLL_URL",
        "blogroll/",
        is_text,
        "URL of the blogroll page (other languages get `<lang>/` in front).",
    ),
    Setting("BLOGROLL_SAVE_AS", "blogroll/index.html", is_text, "File of the blogroll page."),
    Setting(
        "BLOGROLL_INACTIVE_MONTHS",
        6,
        is_int(1, 120),
        "A creator with no post in this many months before the last refresh is listed "
        "apart, as inactive.",
    ),
    Setting(
        "BLOGROLL_RECENT_COUNT",
        5,
        is_int(0, 50),
        'How many posts the "recently from people I follow" widget shows (the newest '
        "post of each creator); 0 hides it.",
    ),
    Setting(
        "BLOGROLL_ENTRIES",
        10,
        is_int(1, 100),
        "How many of each creator's newest entries the refresh keeps.",
    ),
    Setting(
        "BLOGROLL_SHOW_MUTUAL",
        False,
        is_bool,
        "Mark on the blogroll page the creators who link back (opt-in: it is public).",
    ),
    Setting(
        "BLOGROLL_OWN_URLS",
        [],
        _urls,
        "Other addresses of this site (besides an absolute `SITEURL`) that count as "
        '"us" when looking for who links back.',
    ),
    Setting(
        "DISCOVER_MAX_SITES",
        40,
        is_int(1, 1000),
        "`relais discover` fetches at most this many candidate sites per run.",
    ),
    Setting(
        "DISCOVER_WEIGHTS",
        {"network": 0.35, "affinity": 0.4, "interaction": 0.15, "activity": 0.1},
        _weights,
        "How much each kind of evidence counts in a discovery score.",
    ),
)
declare(*SETTINGS)
