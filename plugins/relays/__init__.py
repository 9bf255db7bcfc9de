"""Relays, not targets: the private relationship ledger (`relais relays`).

Stages, one module each: `config` (settings, where the ledger lives), `ledger` (the file),
`sources` (what the blogroll, the Webmentions and the stories know, through their own
functions), `gather` (sources -> evidence), `qualify` (a proposal's facts and why),
`reach` (ten who reach ten), `weekly` (the week's view), `consent` (asking before
featuring), `render` (terminal and HTML), `desk` (the ledger opened with its sources),
`server` (the private page) and `cli`. Nothing of it runs in the build: the ledger never
reaches the site.
"""

