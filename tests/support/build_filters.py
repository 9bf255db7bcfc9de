"""Template filters for the parallel build tests (tests/test_parallel_build.py): each notes the
process that renders the page in $RELAIS_TEST_MARKS (a file named after its pid), and `die`
kills that process, `hold` keeps it waiting to be stopped."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path


def mark(value):
    folder = Path(os.environ["RELAIS_TEST_MARKS"])
    (folder / f"{os.getpid()}.pid").write_text(str(os.getpid()), encoding="utf-8")
    return value


def die(value):
    os.kill(os.getpid(), signal.SIGKILL)


def hold(value):
    mark(value)
    time.sleep(120)
    return value


def titles(posts) -> str:
    """The titles of `posts`, read by a filter (tests/test_pagecache.py)."""
    return ", ".join(post.title for post in posts)


def first_words(posts) -> str:
    """The first words of the text of each of `posts` (or of one post), read by a function the
    page cache cannot see into (tests/test_post_facets.py)."""
    posts = posts if isinstance(posts, list | tuple) else [posts]
    return " ".join(" ".join(post.content.split()[:12]) for post in posts)
