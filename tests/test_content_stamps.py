"""Each source file stamped once per build, before it is read (relais.reading.Stamps).

Pelican's content cache knows a post has not changed by its stamp (an MD5 of its
bytes). A stamp taken after the post is read would vouch for bytes that were never
read: a post saved while the build reads it would then keep its old text for good.
"""

from __future__ import annotations

import collections
import hashlib
import os
from pathlib import Path

import pelican.cache
import pytest

from relais import reading
from relais.build import build, load_settings
from tests.conftest import write_tiny_site
from tests.support.posts import post

# A Markdown reader that, reading the metadata of the post whose title is in
# `save-while-read.txt`, saves a new text of that post (as an editor would while the build runs),
# once: the build goes on with the text it had taken.
READER = '''
from pathlib import Path
from pelican.readers import MarkdownReader

ORDERS = Path(__file__).parent / "save-while-read.txt"


class SavingReader(MarkdownReader):
    def process_metadata(self, name, value):
        if name == "title" and ORDERS.exists() and ORDERS.read_text(encoding="utf-8") == value:
            ORDERS.unlink()
            source = Path(self._source_path)
            source.write_text(source.read_text(encoding="utf-8").replace("Avant.", "Après."),
                              encoding="utf-8")
        return super().process_metadata(name, value)
'''

SETTINGS = """
sys.path.insert(0, {folder!r})
from {module} import SavingReader
READERS = {{"md": SavingReader}}
"""


def site(root: Path) -> Path:
    posts = {f"story-{n}.md": post(f"story-{n}", day=1 + n, body="\nAvant.\n") for n in range(3)}
    settings = write_tiny_site(root, posts)
    module = f"saving_{hashlib.blake2b(str(root).encode(), digest_size=6).hexdigest()}"
    (root / f"{module}.py").write_text(READER, encoding="utf-8")
    with settings.open("a", encoding="utf-8") as handle:
        handle.write(SETTINGS.format(folder=str(root), module=module))
    return settings


def run_build(settings: Path, name: str, **options):
    cwd = os.getcwd()
    os.chdir(settings.parent)
    try:
        return build(load_settings(str(settings), str(settings.parent / name),
                                   {"CACHE_PATH": str(settings.parent / f"{name}-cache")}),
                     workers=1, **options)
    finally:
        os.chdir(cwd)


def page(root: Path, name: str) -> str:
    return (root / name / "2026" / "story-1" / "index.html").read_text(encoding="utf-8")


def test_a_post_saved_while_the_build_reads_it_is_read_again_next_build(tmp_path):
    settings = site(tmp_path)
    run_build(settings, "output")
    story = tmp_path / "content" / "posts" / "story-1.md"
    story.write_text(story.read_text(encoding="utf-8") + "\nUne ligne.\n", encoding="utf-8")
    (tmp_path / "save-while-read.txt").write_text("Story-1", encoding="utf-8")
    run_build(settings, "output")  # read the text with "Avant.", saved with "Après." meanwhile
    assert "Avant." in page(tmp_path, "output") and "Après." in story.read_text(encoding="utf-8")
    run_build(settings, "output")  # nothing saved since: the saved text is read now
    run_build(settings, "clean", ignore_cache=True)
    assert "Après." in page(tmp_path, "output")
    assert page(tmp_path, "output") == page(tmp_path, "clean")


@pytest.fixture
def stamps_taken(monkeypatch):
    """How many times Pelican's content cache opened each file to stamp it."""
    opened: collections.Counter = collections.Counter()

    def noting_open(path, *args, **kwargs):
        opened[Path(path).name] += 1
        return open(path, *args, **kwargs)

    monkeypatch.setattr(pelican.cache, "open", noting_open, raising=False)
    return opened


def test_a_rebuild_stamps_each_post_once_and_no_image(tmp_path, stamps_taken):
    settings = site(tmp_path)
    run_build(settings, "output")
    story = tmp_path / "content" / "posts" / "story-1.md"
    story.write_text(story.read_text(encoding="utf-8") + "\nUne ligne.\n", encoding="utf-8")
    stamps_taken.clear()
    run_build(settings, "output")
    posts = {name: stamps_taken[name] for name in ("story-0.md", "story-1.md", "story-2.md")}
    assert posts == {"story-0.md": 1, "story-1.md": 1, "story-2.md": 1}
    assert stamps_taken["pot.svg"] == 0  # a static file: nothing keeps its stamp


def test_posts_changed_long_ago_are_stamped_without_reading_them(tmp_path, stamps_taken,
                                                                 monkeypatch):
    """A stamp is the file's status (relais.reading.file_stamp): a rebuild opens no post to
    stamp it, and still reads again the one that was edited."""
    monkeypatch.setattr(reading, "RACY", 0.0)  # every file as if written long ago
    settings = site(tmp_path)
    run_build(settings, "output")
    story = tmp_path / "content" / "posts" / "story-1.md"
    story.write_text(story.read_text(encoding="utf-8").replace("Avant.", "Plus tard."),
                     encoding="utf-8")
    stamps_taken.clear()
    run_build(settings, "output")
    assert sum(stamps_taken[f"story-{n}.md"] for n in range(3)) == 0
    assert "Plus tard." in page(tmp_path, "output")


def test_a_file_changed_in_the_last_seconds_is_stamped_by_its_bytes_too(tmp_path):
    path = tmp_path / "story.md"
    path.write_text("Title: Un\n\nAvant.\n", encoding="utf-8")
    changed = os.stat(path).st_mtime_ns / 1e9

    def digest_of(name):
        return hashlib.md5(Path(name).read_bytes()).digest()

    recent = reading.file_stamp(str(path), digest_of, now=changed + reading.RACY / 2)
    old = reading.file_stamp(str(path), digest_of, now=changed + reading.RACY + 60)
    assert recent[:-1] == old and recent[-1] == digest_of(path)
    status = os.stat(path)
    assert old == (status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)
