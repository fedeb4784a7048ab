"""The TinyDB backend's file text: kept per document, patched per write, read back from any TinyDB file."""
from __future__ import annotations

import json

import pytest
import tinydb

from engine.store.encoding import Encoded, parse


def written(encoded: Encoded, tables) -> dict:
    return json.loads(b"".join(encoded.chunks(tables)))


def test_inserts_and_edits_patch_the_text_to_exactly_the_tables():
    tables = {"records": {}, "history": {}}
    encoded = Encoded()
    for number in range(1, 6):
        changes = {"records": {str(number): {"n": number, "text": "é \" \\ ü"}},
                   "history": {str(number): {"of": number}}}
        if number > 2:
            changes["records"]["1"] = {"n": 1, "edited": number}      # an edit beside an insert
        encoded = encoded.following(tables, changes)
        tables = {name: {**tables[name], **changes.get(name, {})} for name in tables}
        assert written(encoded, tables) == tables


@pytest.mark.parametrize("indent", [None, 2])
def test_a_file_written_by_plain_tinydb_is_read_with_its_text(tmp_path, indent):
    path = tmp_path / "plain.json"
    with tinydb.TinyDB(path, indent=indent) as plain:
        plain.table("records").insert_multiple([{"title": "One"}, {"title": "Two, with {braces}"}])
        plain.table("history").insert({"note": "created"})
    tables, encoded = parse(path.read_bytes())
    assert tables == json.loads(path.read_bytes())
    assert written(encoded, tables) == tables
    changes = {"records": {"3": {"title": "Three"}}}
    following = encoded.following(tables, changes)
    tables["records"].update(changes["records"])
    assert written(following, tables) == tables


@pytest.mark.parametrize("raw", [b"[1, 2]", b'{"records": {"1": [1]}}', b'{"records": {"1": {}'])
def test_text_that_is_not_a_tinydb_file_is_refused(raw):
    with pytest.raises((ValueError, IndexError)):
        parse(raw)


def test_an_empty_file_is_an_empty_repository():
    tables, encoded = parse(b"  ")
    assert tables == {} and written(encoded, {}) == {}
