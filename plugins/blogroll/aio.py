"""Run a coroutine to completion from synchronous code, even where an event loop is already
running in this thread (Playwright's sync API in the tests, a notebook): then in a helper
thread with its own loop, so the CLI, the tests and other callers share one entry point."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor


def run_sync(coroutine):
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
