"""Builds that update their output in place (relais.output): a page whose text did not change
is not written again, every other file is; a build that fails while it writes puts the last
good site back, file for file. (tests/test_incremental.py checks, change after change, that
such builds give the bytes of a clean build.)"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pelican import signals

from relais import writing
from relais.build import BuildError
from tests.test_incremental import Site, tree
from tests.test_parallel_build import hidden, make_site, run


def files(folder: Path) -> dict[str, tuple[int, int, bytes]]:
    """Each file of `folder`: inode, modification time, bytes."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            stat = path.stat()
            found[path.relative_to(folder).as_posix()] = (stat.st_ino, stat.st_mtime_ns,
                                                          path.read_bytes())
    return found


def written(before: dict, after: dict) -> set[str]:
    """The files of `after` that are not the very files of `before`."""
    return {name for name, entry in after.items() if before.get(name, (None,))[:2] != entry[:2]}


@pytest.fixture
def sample(tmp_path):
    site = Site(tmp_path)
    site.incremental()
    return site


def test_a_rebuild_writes_only_the_pages_whose_text_changed(sample):
    output = sample.root / "output"
    before = files(output)
    sample.edit(sample.post("collection-2-tests-email.md"), lambda t: t.replace(
        "Je voulais un vert d'eau.", "Je voulais un vert d'eau, vraiment."))
    made = sample.incremental()
    after = files(output)
    pages = {name for name in written(before, after) if name.endswith(".html")}
    assert "2026/tests-email/index.html" in pages
    assert len(pages) <= made.pages_made < made.pages_kept
    untouched = [name for name in after if name.endswith(".html") and name not in pages]
    assert len(untouched) > 50
    assert tree(output) == tree(sample.clean().output)


def test_a_page_changed_in_the_output_by_hand_is_written_again(sample):
    output = sample.root / "output"
    page = output / "index.html"
    good = page.read_bytes()
    page.write_bytes(good.replace(b"</body>", b"<p>ajout</p></body>"))
    sample.incremental()
    assert page.read_bytes() == good


def test_an_unknown_step_after_writing_makes_every_page_written_again(sample):
    """A receiver of content_written Relais does not know (no `page_rewrite_key`) may change
    the pages it is given: none can be left as the last build left it."""
    seen = []

    def note(path, context):
        seen.append(path)

    signals.content_written.connect(note)
    try:
        output = sample.root / "output"
        before = files(output)
        sample.build(output, sample.root / "cache", workers=1)  # one process sees every page
        after = files(output)
    finally:
        signals.content_written.disconnect(note)
    pages = [name for name in after if name.endswith(".html")]
    assert set(pages) <= written(before, after)
    assert len(seen) >= len(pages)


def test_a_plugin_that_is_not_relais_own_gives_a_fresh_output(tmp_path):
    site = Site(tmp_path, 'PLUGIN_PATHS = ["extra"]\nPLUGINS = PLUGINS + ["nothing_much"]\n')
    (tmp_path / "extra").mkdir()
    (tmp_path / "extra" / "nothing_much.py").write_text("def register():\n    pass\n")
    site.incremental()
    before = files(tmp_path / "output")
    site.incremental()
    after = files(tmp_path / "output")
    pages = {name for name in after if name.endswith(".html")}
    assert pages and pages <= written(before, after)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_build_failing_while_it_writes_puts_every_file_back(tmp_path, workers, monkeypatch):
    """Every story changed (their pages written over, in place), then a page that cannot be
    rendered: the output is the last good one again, the very same files. In two processes,
    the helper is forked once a few pages are made (relais.writing.FORK_AFTER)."""
    monkeypatch.setattr(writing, "FORK_AFTER", 3)
    settings = make_site(tmp_path, count=12)
    output, cache = tmp_path / "output", tmp_path / "cache"
    run(settings, output, cache, workers=workers)
    run(settings, output, cache, workers=workers)  # in place from now on
    before = files(output)
    posts = tmp_path / "content" / "posts"
    for story in posts.glob("story-*.md"):
        story.write_text(story.read_text(encoding="utf-8") + "\nUne phrase de plus.\n",
                         encoding="utf-8")
    (posts / "broken.md").write_text(hidden("broken", "broken"), encoding="utf-8")
    with pytest.raises(BuildError, match="nothing_here"):
        run(settings, output, cache, workers=workers)
    assert files(output) == before
    left = [p for p in cache.rglob("*") if "last-good" in p.name or ".output." in p.name]
    assert left == []
    (posts / "broken.md").unlink()
    run(settings, output, cache, workers=workers)
    clean = tmp_path / "clean"
    run(settings, clean, tmp_path / "clean-cache", workers=1, ignore_cache=True)
    assert tree(output) == tree(clean)
    assert os.listdir(output)


def test_a_page_left_in_place_counts_as_written_for_pelicans_rule(tmp_path):
    """A page left on disk is one Pelican's writer wrote: writing it again without
    overriding is the error Pelican gives (two posts sharing an address)."""
    from pelican.settings import DEFAULT_CONFIG
    from pelican.writers import FileOverwriteFailedError, Writer

    from relais.pagecache import note_written

    writer = Writer(str(tmp_path), settings=dict(DEFAULT_CONFIG))
    name = str(tmp_path / "a" / "index.html")
    note_written(writer, name, override=False)
    with pytest.raises(FileOverwriteFailedError):
        writer._open_w(name, "utf-8")
    other = str(tmp_path / "b" / "index.html")
    note_written(writer, other, override=True)
    with pytest.raises(FileOverwriteFailedError):
        note_written(writer, other, override=True)


def test_a_file_pelican_skips_writing_stays_as_the_overriding_page_made_it(tmp_path):
    """A post that overrides a page's file (`Save_as:`) wins over the page Pelican writes
    there later (it skips that write): in place as in a fresh output."""
    from tests.conftest import write_tiny_site
    from tests.support.posts import post

    settings = write_tiny_site(tmp_path, {
        "home.md": post("accueil", "Save_as: index.html", body="La page d'accueil."),
        "other.md": post("autre")})
    output, cache = tmp_path / "output", tmp_path / "cache"
    for _ in range(2):
        run(settings, output, cache, workers=1)
        assert "La page d'accueil." in (output / "index.html").read_text(encoding="utf-8")
    (tmp_path / "content" / "posts" / "other.md").write_text(post("autre", body="Changé."),
                                                             encoding="utf-8")
    run(settings, output, cache, workers=1)
    assert "La page d'accueil." in (output / "index.html").read_text(encoding="utf-8")


def test_a_page_overriding_a_file_written_earlier_in_the_build_is_written_again(tmp_path):
    """A page with `Save_as: index.html` overrides the home page Pelican wrote earlier in the
    same build: when the home page changes, both are written again, the page last."""
    from tests.conftest import write_tiny_site
    from tests.support.posts import post

    settings = write_tiny_site(tmp_path, {"other.md": post("autre")})
    (tmp_path / "content" / "pages").mkdir()
    (tmp_path / "content" / "pages" / "home.md").write_text(
        "Title: Accueil\nSave_as: index.html\n\nLa page d'accueil.\n", encoding="utf-8")
    output, cache = tmp_path / "output", tmp_path / "cache"
    run(settings, output, cache, workers=1)
    assert "La page d'accueil." in (output / "index.html").read_text(encoding="utf-8")
    (tmp_path / "content" / "posts" / "new.md").write_text(post("nouveau"), encoding="utf-8")
    run(settings, output, cache, workers=1)
    assert "La page d'accueil." in (output / "index.html").read_text(encoding="utf-8")
