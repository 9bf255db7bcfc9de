"""What the Webmentions plugin tells other plugins: whom we told, and who told us.

Other plugins (the blogroll's reciprocity) call these functions instead of
reading the plugin's files by path or guessing their JSON: the files are
where `WEBMENTIONS_SENT_LOG` and `WEBMENTIONS_ARCHIVE` say (resolved by
`relais.settings.data_path`), the sent log is read with the journal of a run
that was killed, and only what is confirmed counts. Read-only, no Pelican,
no network. A file that does not exist yet is no data; a damaged one raises
`StoreError` with one line naming it, for the caller to report.
"""

from __future__ import annotations

from collections.abc import Mapping

from relais.plugins.webmentions import sentlog
from relais.plugins.webmentions.config import Config, config
from relais.plugins.webmentions.incoming.archive import read_only
from relais.plugins.webmentions.journal import read_raw
from relais.plugins.webmentions.outcome import SENT

from relais.store import StoreError


def _config(settings_or_config: Config | Mapping) -> Config:
    if isinstance(settings_or_config, Config):
        return settings_or_config
    return config(dict(settings_or_config))  # a copy: reading never changes the caller's dict


def sent_targets(settings_or_config: Config | Mapping) -> list[str]:
    """Every target a Webmention of ours was confirmed to (the endpoint answered 2xx),
    sorted. Pairs only planned, waiting for a retry, refused or given up do not count."""
    path = _config(settings_or_config).sent_log
    try:
        log = sentlog.check(read_raw(path), str(path))
    except ValueError as error:
        raise StoreError(str(error)) from None
    return sorted({target for entry in log["sources"].values()
                   for target, record in entry["targets"].items()
                   if isinstance(record, dict) and record.get("status") == SENT})


def received_sources(settings_or_config: Config | Mapping) -> list[dict]:
    """`{"source", "author_url"}` of every verified mention received, in archive order."""
    archive = read_only(_config(settings_or_config).archive)
    return [{"source": mention["source"], "author_url": mention["author"]["url"] or ""}
            for mention in archive.mentions.values()]
