"""bovine-herd, an independent ActivityPub server from PyPI, on 127.0.0.1 for the fediverse
tests: run from its own test-only venv (.venv-peer, `make test` makes it from
tests/peer/requirements.txt), driven through tests/peer/act.py (bovine's own client). The
`peer` fixture (tests/test_fediverse.py) skips when that venv is missing, and fails instead
when RELAIS_REQUIRE_PEER=1 (CI)."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.support.receivers import REPO, free_port

PEER_PYTHON = REPO / ".venv-peer" / "bin" / "python"
SCRIPTS = REPO / "tests" / "peer"


def require_peer() -> None:
    if PEER_PYTHON.exists():
        return
    if os.environ.get("RELAIS_REQUIRE_PEER") == "1":
        pytest.fail(f"RELAIS_REQUIRE_PEER=1 but {PEER_PYTHON} is missing: run `make test`")
    pytest.skip(f"no ActivityPub peer: {PEER_PYTHON} is missing (`make test` makes it)")


class Peer:
    """bovine-herd in a subprocess, with its working folder and database in `folder`."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "BUTCHER_ALLOW_HTTP": "1",
                    "BOVINE_DB_URL": f"sqlite://{folder / 'bovine.sqlite3'}"}

    def __enter__(self) -> Peer:
        self.log = open(self.folder / "bovine.log", "wb")  # noqa: SIM115 (closed in __exit__)
        self.process = subprocess.Popen(
            [str(PEER_PYTHON), str(SCRIPTS / "serve.py"), str(self.port)], cwd=self.folder,
            env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{self.url}/.well-known/nodeinfo", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.__exit__()
                raise RuntimeError("bovine-herd did not start: "
                                   + (self.folder / "bovine.log").read_text(errors="replace"))
            time.sleep(0.2)

    def __exit__(self, *exc_info) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()

    def act(self, *args: str):
        """One command of tests/peer/act.py; its JSON answer."""
        done = subprocess.run([str(PEER_PYTHON), str(SCRIPTS / "act.py"), *args],
                              cwd=self.folder, env=self.env, capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout)

    def user(self, name: str) -> PeerUser:
        return PeerUser(self, self.act("register", name, self.url)["secret"])


class PeerUser:
    """A user of the peer, acting through bovine's client."""

    def __init__(self, peer: Peer, secret: str):
        self.peer = peer
        self.secret = secret
        self.actor = peer.act("actor", secret, peer.url)

    def act(self, command: str, *args: str):
        return self.peer.act(command, self.secret, self.peer.url, *args)

    def lookup(self, account: str) -> dict:
        return self.act("lookup", account)

    def send(self, activity: dict) -> dict:
        return self.act("send", json.dumps(activity))

    def inbox(self) -> list[str]:
        return self.act("inbox")

    def get(self, url: str) -> dict:
        return self.act("get", url)
