"""Webmentions: outgoing (discover, send, sent log) and incoming (fetch, receiver, archive,
display).

A package marker only; each half lives in its own modules so that both
can be imported without Pelican. Pelican loads the display glue as
`relais.plugins.webmentions.display_plugin`.
"""
