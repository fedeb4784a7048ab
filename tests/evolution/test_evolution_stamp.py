"""Each record says which revision of its type it was last written under; each version, the one of its save."""
from __future__ import annotations

from engine.store.tinydb import TinyDBStore
from evolutionkit import after, before, old_record


def test_a_record_keeps_the_revision_it_was_written_under_until_it_is_saved_again(tmp_path):
    old, new = before(), after()
    assert old.revision != new.revision and len(new.revision) == 12
    first = TinyDBStore(old, tmp_path)
    first.insert(old_record(1), user="ann")
    first.insert(old_record(2), user="ann")
    first.close()
    store = TinyDBStore(new, tmp_path)
    assert store.get("QI-0001").type_revision == old.revision
    record = store.get("QI-0002")
    edited = store.update("QI-0002", {**record.values, "title": "Edited"}, user="bob", expected_version=1)
    assert edited.type_revision == new.revision and store.get("QI-0002").type_revision == new.revision
    assert [v.record.type_revision for v in store.history("QI-0002")] == [old.revision, new.revision]
    assert store.delete("QI-0001", user="admin").type_revision == new.revision
    store.close()


def test_the_revision_is_not_a_value_of_the_record(tmp_path):
    store = TinyDBStore(after(), tmp_path)
    record = store.insert({"title": "A project"}, user="ann")
    assert record.values == {"title": "A project"} and record["type_revision"] is None
    store.close()


def test_records_written_before_stamps_existed_read_with_no_revision(tmp_path):
    store = TinyDBStore(after(), tmp_path)
    store.insert({"title": "A project"}, user="ann")
    snapshot = store._disk.current()
    doc = dict(snapshot.tables["records"]["1"])
    del doc["type_revision"]
    with store._lock.held():
        store._disk.commit(snapshot, {"records": {"1": doc}})
    assert store.get("QI-0001").type_revision == ""
    store.close()
