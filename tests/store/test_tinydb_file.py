"""The TinyDB backend's own promises: saves appended to a log, a compacted file plain TinyDB can read, reads
that never re-read files that did not change, and nothing left behind by a writer that died."""
from __future__ import annotations

import json
import os
import time

import pytest
import tinydb

from engine.store import disk
from engine.store.base import Query
from engine.store.tinydb import TinyDBStore
from storekit import project, qi_project


@pytest.fixture
def store(tmp_path) -> TinyDBStore:
    return TinyDBStore(qi_project(), tmp_path / "data")


def test_after_compaction_the_file_is_plain_tinydb_with_one_flat_document_per_record(store):
    for number in range(1, 5):
        store.insert(project(number), user="ann")
    store.update("QI-0002", project(2, title="Edited"), user="bob", expected_version=1)
    assert store.compact()
    with tinydb.TinyDB(store.path) as plain:
        records = plain.table("records")
        assert len(records) == 4
        assert records.get(doc_id=2)["title"] == "Edited"
        surgery = records.search(tinydb.where("division") == "Surgery")
        assert sorted(doc["reference"] for doc in surgery) == ["QI-0001", "QI-0004"]
        assert len(plain.table("history")) == 5
    assert store.path.parent.name == "qi-project" and store.path.parent.parent.name == "data"
    assert not store.compact()          # nothing new since: nothing to do


def test_a_save_appends_one_line_to_the_log_and_leaves_the_compacted_file_alone(store):
    store.insert(project(1), user="ann")
    store.compact()
    before = store.path.stat()
    log = store.path.with_name("records.log")
    size = log.stat().st_size
    store.insert(project(2), user="ann")
    assert store.path.stat().st_mtime_ns == before.st_mtime_ns and store.path.stat().st_ino == before.st_ino
    added = log.read_bytes()[size:]
    assert added.count(b"\n") == 1 and b"QI-0002" in added


def test_reading_unchanged_files_never_reads_them_nor_does_catching_up_with_another_process(store, monkeypatch):
    store.insert(project(1), user="ann")
    loads = []
    original = disk.RepositoryFiles._load
    monkeypatch.setattr(disk.RepositoryFiles, "_load", lambda self, *a: loads.append(1) or original(self, *a))
    for _ in range(5):
        store.get("QI-0001")
        store.query(Query(q="sepsis"))
        store.facets(Query(), ("division",))
    store.insert(project(2), user="ann")        # its own write does not make it re-read either
    store.get("QI-0002")
    assert loads == []
    other = TinyDBStore(qi_project(), store.path.parent.parent)
    other.insert(project(3), user="bob")        # another process's save: caught up from the log's new line
    loads.clear()
    assert store.get("QI-0003").values["title"] == project(3)["title"]
    assert store.count() == 3 and loads == []
    other.insert(project(4), user="bob")
    assert store.get("QI-0004")
    assert other.compact()          # another's compaction, from saves this process has: only the new log is read
    other.insert(project(5), user="bob")
    assert store.get("QI-0005").values["title"] == project(5)["title"]
    assert store.count() == 5 and loads == []


def test_the_log_is_compacted_once_it_outgrows_its_share_of_the_file(store, monkeypatch):
    monkeypatch.setattr(disk, "MIN_LOG_BYTES", 4096)
    for number in range(1, 30):
        store.insert(project(number), user="ann")
    assert store.path.exists()
    assert len(json.loads(store.path.read_bytes())["records"]) >= 3
    assert store.path.with_name("records.log").stat().st_size < 4096 + 2048
    assert TinyDBStore(qi_project(), store.path.parent.parent).count() == 29


def test_temporary_files_left_by_a_dead_compaction_are_cleared_by_the_next(store):
    store.insert(project(1), user="ann")
    leftover = store.path.parent / f".{store.path.name}.dead.tmp"
    leftover.write_bytes(b'{"half a wri')
    store.insert(project(2), user="ann")
    assert store.compact()
    assert not leftover.exists()
    assert len(json.loads(store.path.read_bytes())["records"]) == 2


def test_files_staged_by_a_killed_upload_are_swept_once_an_hour_old(store, tmp_path):
    store.insert(project(1), user="ann")
    store.files.mkdir(parents=True, exist_ok=True)
    orphan, fresh = store.files / ("a" * 32), store.files / ("b" * 32)
    for path in (orphan, orphan.with_name(orphan.name + ".txt"), fresh):
        path.write_bytes(b"staged")
    hour_ago = time.time() - 3700
    os.utime(orphan, (hour_ago, hour_ago))
    os.utime(orphan.with_name(orphan.name + ".txt"), (hour_ago, hour_ago))
    assert store.sweep() == 2
    assert not orphan.exists() and fresh.exists()       # a file staged a moment ago may be a live upload


def test_timestamps_are_stored_as_utc_with_their_offset(store):
    store.insert(project(1), user="ann")
    store.compact()
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
    assert (tmp_path / "instances" / "quality" / "data" / "qi-project" / "records.log").exists()
    assert stores.get(research, rtype).count() == 0
    stores.close()


def test_an_index_left_behind_by_a_save_is_freed_at_once_not_at_the_next_full_collection(store):
    import gc
    import weakref
    store.insert(project(1), user="ann")
    other = TinyDBStore(qi_project(), store.path.parent.parent)
    store.query(Query(q="sepsis"))
    gc.disable()                        # a worker with millions of long-lived objects seldom collects
    try:
        left = []
        for number in range(2, 6):
            left.append(weakref.ref(store._index()))
            other.insert(project(number), user="bob")       # another process's save: a new snapshot here
            assert store.query(Query(q="sepsis")).total >= 0
        assert [ref() for ref in left] == [None] * len(left)
    finally:
        gc.enable()
