"""The rendered pages' texts kept apart from the page records (relais/pagetexts.py): a rebuild
reads and writes only what it needs; a killed save or a damaged file leads to pages rendered
again, never to a wrong page."""

from __future__ import annotations

import hashlib
import os
import pickle

import pytest

from relais import pagetexts
from relais.build import build, load_settings
from relais.pagecache import RECORDS, PageCache, Record
from relais.pagetexts import PageTexts
from tests.conftest import write_tiny_site
from tests.support.posts import post


def digest_of(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()  # as the page cache names a text


def texts(*words: str) -> dict[bytes, bytes]:
    return {digest_of(data): data for data in (f"<p>{word}</p>".encode() * 50 for word in words)}


def saved(folder, new: dict, live, last: tuple | None = None) -> tuple[str, dict]:
    """One build's save: the store read as the last build left it (`last`), `new` rendered."""
    store = PageTexts(folder)
    if last is not None:
        store.open(*last)
    name, where = store.save(new, live)
    store.remove_others(name)
    return name, where


def read(folder, last: tuple) -> dict:
    store = PageTexts(folder)
    store.open(*last)
    return {digest: store.get(digest) for digest in last[1]}


def test_a_rebuild_appends_only_the_texts_it_rendered(tmp_path):
    first = texts("bol", "tasse", "vase")
    last = saved(tmp_path, first, first)
    size = os.path.getsize(tmp_path / last[0])
    second = texts("bol bis")
    live = [*second, *list(first)[1:]]  # the bowl's page changed, the others reused
    again = saved(tmp_path, second, live, last)
    assert again[0] == last[0]
    assert os.path.getsize(tmp_path / last[0]) == size + len(next(iter(second.values())))
    assert read(tmp_path, again) == {digest: {**first, **second}[digest] for digest in live}


def test_a_save_killed_before_its_records_leaves_the_last_ones_good(tmp_path):
    """Texts appended but the records not replaced (the build was killed): the last records
    still read their texts, and the next save appends after the tail no record names."""
    first = texts("bol", "tasse")
    last = saved(tmp_path, first, first)
    saved(tmp_path, texts("bol bis"), [*texts("bol bis"), *first], last)  # records never saved
    assert read(tmp_path, last) == first
    third = texts("vase")
    after = saved(tmp_path, third, [*third, *first], last)
    assert read(tmp_path, after) == {**third, **first}


def test_damaged_or_missing_bytes_read_as_no_text(tmp_path):
    first = texts("bol", "tasse", "vase")
    last = saved(tmp_path, first, first)
    path = tmp_path / last[0]
    data = bytearray(path.read_bytes())
    first_one, middle, last_one = sorted(first, key=lambda digest: last[1][digest][0])
    data[last[1][middle][0] + 3] ^= 0xFF
    path.write_bytes(bytes(data[:-10]))  # the middle text's bytes changed, the last cut short
    found = read(tmp_path, last)
    assert found == {first_one: first[first_one], middle: None, last_one: None}
    (tmp_path / last[0]).unlink()
    assert set(read(tmp_path, last).values()) == {None}


def test_dead_texts_are_compacted_into_a_new_file(tmp_path, monkeypatch):
    """When no record names most of the file: the live texts in a new file, the old removed
    (and any file a killed compaction left)."""
    monkeypatch.setattr(pagetexts, "MIN_DEAD", 0)
    first = texts("bol", "tasse", "vase", "pichet")
    last = saved(tmp_path, first, first)
    (tmp_path / f"{pagetexts.PREFIX}1-1.bin").write_bytes(b"left by a killed compaction")
    second = texts("assiette")
    live = [*second, list(first)[0]]  # three texts of four no longer used: dead > live
    again = saved(tmp_path, second, live, last)
    assert again[0] != last[0]
    assert [p.name for p in tmp_path.glob(f"{pagetexts.PREFIX}*")] == [again[0]]
    assert os.path.getsize(tmp_path / again[0]) == sum(len({**first, **second}[d]) for d in live)
    assert read(tmp_path, again) == {d: {**first, **second}[d] for d in live}


def test_a_file_another_build_removed_is_not_appended_to(tmp_path):
    """Compacted by another build meanwhile (its file removed, another one named by its
    records): this build writes its live texts, as it read them, to a new file."""
    first = texts("bol", "tasse")
    last = saved(tmp_path, first, first)
    store = PageTexts(tmp_path)
    store.open(*last)
    (tmp_path / last[0]).unlink()
    (tmp_path / f"{pagetexts.PREFIX}2-2.bin").write_bytes(b"another build's texts")
    name, where = store.save({}, first)
    assert name != last[0]
    assert read(tmp_path, (name, where)) == first


# -- through the page cache and real builds ----------------------------------------------


def test_records_saved_without_their_texts_are_read_as_no_pages(tmp_path):
    """Records whose file is gone or corrupt: the next build renders every page."""
    cache = PageCache({"CACHE_PATH": str(tmp_path)}, b"test", use=False)
    text = b"<p>bol</p>"
    cache.texts[digest_of(text)] = text
    cache.new["bol/index.html"] = Record((), (), b"", (), (), digest_of(text))
    cache.save()
    again = PageCache({"CACHE_PATH": str(tmp_path)}, b"test")
    assert again.reuse(again.old["bol/index.html"]) == "<p>bol</p>"
    (tmp_path / RECORDS).write_bytes((tmp_path / RECORDS).read_bytes()[:-20])
    assert PageCache({"CACHE_PATH": str(tmp_path)}, b"test").old == {}
    with (tmp_path / RECORDS).open("wb") as handle:
        pickle.dump(["not", "records"], handle)
    assert PageCache({"CACHE_PATH": str(tmp_path)}, b"test").old == {}


def tree(folder) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def run_build(root, output: str, cache: str, **options):
    cwd = os.getcwd()
    os.chdir(root)
    try:
        settings = load_settings(str(root / "site.py"), str(root / output),
                                 {"CACHE_PATH": str(root / cache)})
        return build(settings, **options)
    finally:
        os.chdir(cwd)


def test_builds_after_a_killed_save_and_a_damaged_file_are_clean_builds(tmp_path, monkeypatch):
    write_tiny_site(tmp_path, {f"{slug}.md": post(slug, day=n + 1)
                               for n, slug in enumerate(("un-bol", "une-tasse", "un-vase"))})
    story = tmp_path / "content" / "posts" / "un-bol.md"
    run_build(tmp_path, "output", "cache")
    story.write_text(story.read_text(encoding="utf-8") + "\nUne glaçure bleue.\n")

    def killed(*_args, **_kwargs):
        raise KeyboardInterrupt  # as a build killed once its texts are appended

    with monkeypatch.context() as patched:
        patched.setattr("relais.pagecache.write_atomic", killed)
        with pytest.raises(KeyboardInterrupt):
            run_build(tmp_path, "output", "cache")
    report = run_build(tmp_path, "output", "cache")
    assert report.pages_kept > 0
    assert tree(tmp_path / "output") == tree(run_build_clean(tmp_path, "clean-1"))

    store = next((tmp_path / "cache").glob(f"{pagetexts.PREFIX}*.bin"))
    store.write_bytes(bytes(byte ^ 0x20 for byte in store.read_bytes()))  # every text damaged
    story.write_text(story.read_text(encoding="utf-8") + "\nEt un pied.\n")
    run_build(tmp_path, "output", "cache", ignore_cache=False)
    assert tree(tmp_path / "output") == tree(run_build_clean(tmp_path, "clean-2"))


def run_build_clean(root, name: str):
    run_build(root, name, f"{name}-cache", ignore_cache=True)
    return root / name


def test_a_rebuild_in_place_reads_no_text_of_a_page_it_leaves_on_disk(tmp_path, monkeypatch):
    """Pages the output keeps as they are: their stored texts are not read; and a page left
    unread whose file is written after all gets its stored text (StoredText)."""
    write_tiny_site(tmp_path, {f"{slug}.md": post(slug, day=n + 1)
                               for n, slug in enumerate(("un-bol", "une-tasse", "un-vase"))})
    run_build(tmp_path, "output", "cache")
    story = tmp_path / "content" / "posts" / "un-bol.md"
    story.write_text(story.read_text(encoding="utf-8") + "\nUne glaçure bleue.\n")
    read_texts = []
    get = PageTexts.get
    monkeypatch.setattr(PageTexts, "get",
                        lambda self, digest: read_texts.append(digest) or get(self, digest))
    report = run_build(tmp_path, "output", "cache")
    assert report.pages_kept > 5 and read_texts == []

    from relais.output import Output
    unchanged, asked = Output.unchanged, set()

    def once_only(self, name, digest):  # kept when the page cache asks, written when the writer does
        if name in asked:
            return False
        asked.add(name)
        return unchanged(self, name, digest)

    monkeypatch.setattr(Output, "unchanged", once_only)
    story.write_text(story.read_text(encoding="utf-8") + "\nEt un pied.\n")
    report = run_build(tmp_path, "output", "cache")
    assert report.pages_kept > 5 and len(read_texts) == report.pages_kept
    monkeypatch.setattr(Output, "unchanged", unchanged)
    assert tree(tmp_path / "output") == tree(run_build_clean(tmp_path, "clean"))
