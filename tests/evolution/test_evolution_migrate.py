"""``Store.migrate`` rewrites what is stored to today's names and values, through the store's own saves: a save
made meanwhile (here or by another process) is kept, and a second run rewrites nothing."""
from __future__ import annotations

import json
import multiprocessing
from contextlib import contextmanager

import pytest

from engine.store import tinydb
from engine.store.tinydb import TinyDBStore
from evolutionkit import NEW_FRAMEWORK, NEW_GROUP, after, before, old_record, written_before

FORK = multiprocessing.get_context("fork")


def _stored(folder) -> dict:
    """Every table as the files hold it: ``records.json`` with the saves of the log laid over it."""
    repository = folder / "qi-project"
    tables = json.loads((repository / "records.json").read_bytes()) if (repository / "records.json").exists() else {}
    for line in (repository / "records.log").read_text().splitlines()[1:]:
        for table, docs in json.loads(line.partition(" ")[2])["changes"].items():
            tables.setdefault(table, {}).update(docs)
    return tables


def test_migrate_rewrites_records_and_history_and_a_second_run_rewrites_nothing(tmp_path):
    written_before(tmp_path, 8)
    store = TinyDBStore(after(), tmp_path)
    done = store.migrate()
    assert (done.records, done.versions) == (8, 8)      # each record, and each edit's change of lessons
    assert done.renames == {"lessons_learned -> lessons": 8,
                            f"methodology: 'NHS Patient Experience Framework' -> '{NEW_FRAMEWORK}'": 2,
                            f"staff: 'Healthcare assistants' -> '{NEW_GROUP}'": 4}
    records = _stored(tmp_path)["records"]
    assert all("lessons" in doc and "lessons_learned" not in doc for doc in records.values())
    assert records["4"]["methodology"] == NEW_FRAMEWORK and records["3"]["notes"] == "Note 3"
    assert {doc["type_revision"] for doc in records.values()} == {after().revision}
    assert {doc["version"] for doc in records.values()} == {2}      # nobody's version moved: no edit conflicts
    changed = [doc["changes"] for doc in _stored(tmp_path)["history"].values() if doc["changes"]]
    assert all(list(changes) == ["lessons"] for changes in changed)
    assert not store.migrate().rewrote
    store.close()
    assert not TinyDBStore(after(), tmp_path).migrate().rewrote


def test_migrate_reads_the_same_as_before_it(tmp_path):
    written_before(tmp_path, 6)
    reader = TinyDBStore(after(), tmp_path)
    seen = [(r.values, r.version) for r in reader.iter_all()]
    history = reader.history("QI-0003")
    TinyDBStore(after(), tmp_path).migrate()
    assert [(r.values, r.version) for r in reader.iter_all()] == seen
    assert [(v.record.values, v.changes, v.note) for v in reader.history("QI-0003")] == \
        [(v.record.values, v.changes, v.note) for v in history]
    reader.close()


def test_migrate_with_no_rename_only_stamps_the_records(tmp_path):
    written_before(tmp_path, 3)
    unchanged_type = before()
    store = TinyDBStore(unchanged_type, tmp_path)
    assert not store.migrate().rewrote             # written under this very type: nothing to do
    store.close()
    shifted = TinyDBStore(after(), tmp_path)
    shifted.migrate()
    plain = TinyDBStore(before(), tmp_path)         # the old type reads the new names as fields it lacks
    assert plain.get("QI-0001").values["lessons"] == "Lesson 1, revised"
    plain.close()
    shifted.close()


def test_a_save_made_during_the_migration_is_kept_and_the_next_run_rewrites_it(tmp_path, monkeypatch):
    written_before(tmp_path, 4)
    store, other = TinyDBStore(after(), tmp_path), TinyDBStore(before(), tmp_path)
    store.count()
    first = store._writing
    # Before each save of the migration (one record each), another worker still on the old type edits a
    # record: QI-0002 before it is rewritten, QI-0001 after.
    edits = iter((2, 1, 4, 3))

    @contextmanager
    def another_save_first(**how):
        number = next(edits, None)
        if number is not None:
            other.update(f"QI-{number:04d}", old_record(number, title="Saved during the migration"), user="eve",
                         expected_version=2)
        with first(**how):
            yield
    monkeypatch.setattr(tinydb, "MIGRATION_BATCH", 1)
    monkeypatch.setattr(store, "_writing", another_save_first)
    store.migrate()
    for record in store.iter_all():
        assert record.values["title"] == "Saved during the migration" and record.version == 3
    monkeypatch.undo()
    stored = _stored(tmp_path)["records"]
    assert ["lessons_learned" in stored[str(number)] for number in range(1, 5)] == [True, False, True, False]
    assert store.migrate().records == 2
    assert all("lessons_learned" not in doc for doc in _stored(tmp_path)["records"].values())
    store.close()
    other.close()


def _edit_all(folder, count: int, started, acks) -> None:
    store = TinyDBStore(after(), folder)
    for number in range(1, count + 1):
        reference = f"QI-{number:04d}"
        record = store.get(reference)
        store.update(reference, {**record.values, "title": f"Edited {number}"}, user="eve",
                     expected_version=record.version)
        acks.send(reference)
        started.set()           # the migration starts once the edits are under way
    acks.close()


@pytest.mark.slow
def test_migrate_beside_a_process_editing_every_record_loses_no_edit(tmp_path, monkeypatch):
    count = 120
    written_before(tmp_path, count)
    monkeypatch.setattr(tinydb, "MIGRATION_BATCH", 3)
    started, (receiver, sender) = FORK.Event(), FORK.Pipe(duplex=False)
    child = FORK.Process(target=_edit_all, args=(tmp_path, count, started, sender))
    child.start()
    sender.close()
    assert started.wait(30)
    store = TinyDBStore(after(), tmp_path)
    store.migrate()
    acknowledged = []
    while receiver.poll(30):
        try:
            acknowledged.append(receiver.recv())
        except EOFError:
            break
    child.join(30)
    assert child.exitcode == 0 and len(acknowledged) == count
    for number in range(1, count + 1):
        record = store.get(f"QI-{number:04d}")
        assert record.values["title"] == f"Edited {number}"
        assert record.values["lessons"] == f"Lesson {number}, revised"
    store.migrate()
    records = _stored(tmp_path)["records"]
    assert all("lessons_learned" not in doc and doc["type_revision"] == after().revision for doc in records.values())
    assert not store.migrate().rewrote
    store.close()
