"""Relais's Pelican plugins, installed as `relais.plugins.<name>` (one package each).

Each module has one import identity: Pelican, the CLI and the tests all load
`relais.plugins...`, never a top-level `plugins` package from a checkout.
"""

if __name__ != "relais.plugins":
    raise ImportError(f"Relais's plugins are imported as relais.plugins.<name>, not as {__name__}")
