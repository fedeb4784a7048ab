"""The TinyDB backend's own promises: a file plain TinyDB can read, reads that never re-parse an unchanged
file, and nothing left behind by a writer that died."""
from __future__ import annotations

import json

import pytest
import tinydb

from engine.store.base import Query
from engine.store.cache import Snapshot
from engine.store.tinydb import TinyDBStore
from storekit import project, qi_project


@pytest.fixture
def store(tmp_path) -> TinyDBStore:
    return TinyDBStore(qi_project(), tmp_path / "data")


def test_the_file_is_plain_tinydb_with_one_flat_document_per_record(store):
    for number in range(1, 5):
        store.insert(project(number), user="ann")
    store.update("QI-0002", project(2, title="Edited"), user="bob", expected_version=1)
    with tinydb.TinyDB(store.path) as plain:
        records = plain.table("records")
        assert len(records) == 4
        assert records.get(doc_id=2)["title"] == "Edited"
        surgery = records.search(tinydb.where("division") == "Surgery")
        assert sorted(doc["reference"] for doc in surgery) == ["QI-0001", "QI-0004"]
        assert len(plain.table("history")) == 5
    assert store.path.parent.name == "qi-project" and store.path.parent.parent.name == "data"


def test_reading_an_unchanged_file_never_parses_it_nor_does_catching_up_with_another_process(store, monkeypatch):
    store.insert(project(1), user="ann")
    parses = []
    original = Snapshot.parse
    monkeypatch.setattr(Snapshot, "parse", classmethod(lambda cls, raw, **kw: parses.append(1) or original(raw, **kw)))
    for _ in range(5):
        store.get("QI-0001")
        store.query(Query(q="sepsis"))
        store.facets(Query(), ("division",))
    store.insert(project(2), user="ann")        # its own write does not make it re-read either
    store.get("QI-0002")
    assert parses == []
    other = TinyDBStore(qi_project(), store.path.parent.parent)
    other.insert(project(3), user="bob")        # another process's write: caught up from the journal
    parses.clear()
    assert store.get("QI-0003").values["title"] == project(3)["title"]
    assert store.count() == 3 and parses == []
    other.insert(project(4), user="bob")
    store.path.with_suffix(".journal").unlink()  # no journal: the file is read, once
    assert store.get("QI-0004").values["title"] == project(4)["title"]
    assert store.count() == 4 and parses == [1]


def test_a_temporary_file_left_by_a_dead_writer_is_cleared_by_the_next_write(store):
    store.insert(project(1), user="ann")
    leftover = store.path.parent / f".{store.path.name}.dead.tmp"
    leftover.write_bytes(b'{"half a wri')
    store.insert(project(2), user="ann")
    assert not leftover.exists()
    assert len(json.loads(store.path.read_bytes())["records"]) == 2


def test_timestamps_are_stored_as_utc_with_their_offset(store):
    store.insert(project(1), user="ann")
    doc = json.loads(store.path.read_bytes())["records"]["1"]
    assert doc["created"].endswith("+00:00") and doc["updated"] == doc["created"]


QUERIES = [
    Query(sort="title"), Query(sort="-updated"), Query(sort="cost"), Query(sort="-started"),
    Query(filters={"division": ("Surgery",)}, sort="-cost"), Query(q="falls"), Query(state="open", sort="status"),
    Query(deleted=True, sort="reference"), Query(filters={"staff": ("Doctors",), "published": (True,)}),
]


def answers(store) -> list:
    return [([r.reference for r in store.query(q).records], store.query(q).total,
             store.facets(q, ("status", "division", "staff", "keywords"))) for q in QUERIES]


@pytest.mark.parametrize("seed", [7, 2026, 31337])
def test_indexes_patched_after_each_write_answer_like_indexes_built_afresh(store, seed):
    """Writes by this store and by another one (another worker process) on the same data."""
    import random
    chance = random.Random(seed)
    other = TinyDBStore(qi_project(), store.path.parent.parent)
    for number in range(1, 40):
        store.insert(project(number), user="ann")
    answers(store)                                  # build every index, then change records under it
    for turn in range(120):
        writer = chance.choice([store, other])
        reference = f"QI-{chance.randint(1, 39):04d}"
        record = writer.get(reference, include_deleted=True)
        action = chance.choice(["edit", "edit", "clear", "delete", "restore", "insert"])
        if action == "insert":
            writer.insert(project(chance.randint(1, 99)), user="ann")
        elif action == "delete":
            writer.delete(reference, user="ann")
        elif action == "restore":
            writer.restore(reference, user="ann")
        elif not record.deleted:
            values = project(chance.randint(1, 99)) if action == "edit" else project(1, cost=None, title="Zed")
            writer.update(reference, values, user="bob", expected_version=record.version,
                         status=chance.choice(["Proposed", "In progress", "Completed"]))
        if turn % 3 == 0:                           # several writes between queries, too
            patched = answers(store)
            assert patched == answers(TinyDBStore(qi_project(), store.path.parent.parent)), f"after {turn}"


def test_stores_open_each_repository_once_in_its_instance_data_folder(tmp_path):
    from engine.config import Paths
    from engine.schema.model import Instance
    from engine.store import Stores
    rtype = qi_project()
    quality = Instance("quality", "Quality Improvement Team", "", (rtype,))
    research = Instance("research", "Research and Development", "", (rtype,))
    stores = Stores(Paths(schemas=tmp_path / "schemas", instances=tmp_path / "instances"))
    store = stores.get(quality, rtype)
    assert stores.get(quality, rtype) is store and stores.get(research, rtype) is not store
    store.insert(project(1), user="ann")
    assert (tmp_path / "instances" / "quality" / "data" / "qi-project" / "records.json").exists()
    assert stores.get(research, rtype).count() == 0
    stores.close()
