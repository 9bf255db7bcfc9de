"""The atomic JSON store: stable output, corrupt files refused and left alone."""

import pytest

from relais.store import StoreError, read_json, write_json


def test_round_trip_is_stable_and_sorted(tmp_path):
    path = tmp_path / "data" / "x.json"
    write_json(path, {"b": 1, "a": ["é"]})
    assert path.read_text(encoding="utf-8") == '{\n  "a": [\n    "é"\n  ],\n  "b": 1\n}\n'
    assert read_json(path) == {"a": ["é"], "b": 1}
    assert read_json(tmp_path / "missing.json", default={}) == {}
    assert [p.name for p in path.parent.iterdir()] == ["x.json"]


def test_a_corrupt_file_is_an_error_and_is_not_overwritten(tmp_path):
    path = tmp_path / "x.json"
    path.write_text("{cut off", encoding="utf-8")
    with pytest.raises(StoreError, match="x.json: not valid JSON"):
        read_json(path)
    assert path.read_text(encoding="utf-8") == "{cut off"
