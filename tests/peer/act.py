"""A bovine user's side of the fediverse tests, run with .venv-peer's Python (bovine's own
client): one command per run, its answer as JSON on stdout.

  act.py register NAME DOMAIN          -> {"secret": ..., "actor": ...}
  act.py lookup SECRET DOMAIN ACCT     -> the remote actor bovine fetched (WebFinger + GET)
  act.py send SECRET DOMAIN JSON       -> sends an activity through the user's outbox
  act.py inbox SECRET DOMAIN           -> the ids of the activities in the user's inbox
  act.py following SECRET DOMAIN       -> the ids in the user's following collection
  act.py get SECRET DOMAIN URL         -> a document, fetched by the user (signed)
"""

import asyncio
import json
import re
import subprocess
import sys

from bovine import BovineClient


def register(name, domain):
    run = [sys.executable, "-m", "bovine_tool.register", name, "--domain", domain]
    out = subprocess.run(run, check=True, capture_output=True, text=True).stdout
    bovine_name = re.search(r"Bovine name: (\S+)", out).group(1)
    run = [sys.executable, "-m", "bovine_tool.manage", bovine_name, "--new_did_key"]
    out = subprocess.run(run, check=True, capture_output=True, text=True).stdout
    return {"secret": re.search(r"Your new secret: (\S+)", out).group(1), "name": bovine_name}


async def with_client(secret, domain, action):
    async with BovineClient(domain=domain, secret=secret) as client:
        return await action(client)


async def items(client, url):
    collection = await client.get(url)
    first = collection.get("first")
    if isinstance(first, str):
        first = await client.get(first)
    found = (first or collection).get("orderedItems") or []
    return [item if isinstance(item, str) else item.get("id") for item in found]


def main(command, *args):
    if command == "register":
        return register(*args)
    secret, domain, *rest = args

    async def act(client):
        if command == "actor":
            return client.information
        if command == "lookup":
            return await client.proxy(rest[0])
        if command == "send":
            response = await client.send_to_outbox(json.loads(rest[0]))
            return {"status": response.status, "location": response.headers.get("location")}
        if command == "inbox":
            return await items(client, client.information["inbox"])
        if command == "following":
            return await items(client, client.information["following"])
        if command == "get":
            return await client.get(rest[0])
        raise SystemExit(f"unknown command {command}")

    return asyncio.run(with_client(secret, domain, act))


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:])))
