"""Run bovine-herd (an independent ActivityPub server from PyPI) on 127.0.0.1:PORT, in-process
with Hypercorn. Run by tests/support/peer.py with .venv-peer's Python, never imported by the
suite. Usage: serve.py PORT (BOVINE_DB_URL names its SQLite database)."""

import asyncio
import os
import sys

from bovine_herd import BovineHerd
from hypercorn.asyncio import serve
from hypercorn.config import Config
from quart import Quart

port = int(sys.argv[1])
app = Quart(__name__)
BovineHerd(app, db_url=os.environ["BOVINE_DB_URL"])
config = Config()
config.bind = [f"127.0.0.1:{port}"]
config.loglevel = "WARNING"
asyncio.run(serve(app, config))
