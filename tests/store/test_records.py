"""The one write path: what a person submitting or editing a record sees happen (or not happen)."""
from __future__ import annotations

import io

import pytest

from engine.errors import EditConflict, StoreError, ValidationFailed
from engine.records import Records
from engine.store.base import Query, Upload
from engine.store.postgres.store import PostgresStore
from storekit import EXE, PDF, project


@pytest.fixture
def records(rtype, store, validator) -> Records:
    return Records(rtype, store, validator)


def pdf(name: str = "report.pdf") -> Upload:
    return Upload(name, io.BytesIO(PDF), "application/pdf")


def stored_files(store) -> list:
    """Every file the store holds, staged ones included: in the embedded store's folder, or the database's rows."""
    if isinstance(store, PostgresStore):
        with store.db.connection() as conn:
            return [row[0] for row in conn.execute("SELECT id FROM attachments WHERE repo = %s ORDER BY seq",
                                                   (store.repo,))]
    folder = store.files
    return sorted(folder.iterdir()) if folder.exists() else []


def test_a_valid_submission_is_saved_with_its_files(records, store):
    record = records.create(project(1), user="ann", uploads={"report": [pdf("a.pdf"), pdf("b.pdf")]})
    assert record.reference == "QI-0001" and record.status == "Proposed"
    attached = store.attachments("QI-0001")
    assert [a.filename for a in attached] == ["a.pdf", "b.pdf"]
    assert record.values["report"] == [a.id for a in attached]


def test_an_invalid_submission_writes_nothing_and_says_what_to_fix(records, store):
    with pytest.raises(ValidationFailed) as failed:
        records.create(project(1, title=None), user="ann", uploads={"report": [pdf()]})
    assert failed.value.errors == {"title": "Enter project title"}
    assert store.count() == 0 and stored_files(store) == []


def test_a_refused_upload_writes_nothing(records, store):
    with pytest.raises(ValidationFailed) as failed:
        records.create(project(1), user="ann",
                       uploads={"report": [pdf("fine.pdf"), Upload("virus.pdf", io.BytesIO(EXE))]})
    assert failed.value.errors == {"report": "Final report: The file must be a PDF or Word document "
                                             "(virus.pdf was not attached)"}
    assert store.count() == 0 and stored_files(store) == []


def test_a_failed_record_write_removes_the_staged_files(records, store, monkeypatch):
    def broken_disk(*args, **kwargs):
        raise StoreError("The disk is full; nothing was saved.")
    monkeypatch.setattr(store, "insert_many", broken_disk)
    with pytest.raises(StoreError):
        records.create(project(1), user="ann", uploads={"report": [pdf()]})
    assert stored_files(store) == []


def test_an_unknown_status_is_refused(records, store):
    with pytest.raises(ValidationFailed) as failed:
        records.create(project(1), user="ann", status="Abandoned")
    assert "status" in failed.value.errors and store.count() == 0


def test_an_edit_keeps_what_it_does_not_mention_and_clears_what_it_sets_to_none(records, store):
    records.create(project(1), user="ann", uploads={"report": [pdf()]})
    edited = records.update("QI-0001", {"division": "Medicine", "lead": None}, user="bob", expected_version=1)
    assert edited.values["division"] == "Medicine" and "lead" not in edited.values
    assert edited.values["title"] == project(1)["title"] and len(edited.values["report"]) == 1


def test_a_status_change_is_checked_against_the_whole_record(records):
    records.create(project(1), user="ann")
    moved = records.update("QI-0001", {}, user="bob", expected_version=1, status="Completed")
    assert moved.status == "Completed" and moved.version == 2


def test_an_edit_adds_and_removes_files(records, store):
    first = records.create(project(1), user="ann", uploads={"report": [pdf("old.pdf")]})
    old_id = first.values["report"][0]
    edited = records.update("QI-0001", project(1, report=None), user="bob", expected_version=1,
                            uploads={"report": [pdf("new.pdf")]}, remove_attachments=[old_id])
    assert [a.filename for a in store.attachments("QI-0001")] == ["new.pdf"]
    assert edited.values["report"] == [store.attachments("QI-0001")[0].id]


def test_an_edit_from_a_stale_version_is_refused_and_its_files_discarded(records, store):
    records.create(project(1), user="ann")
    records.update("QI-0001", {"title": "Edited first"}, user="bob", expected_version=1)
    with pytest.raises(EditConflict):
        records.update("QI-0001", {"title": "Edited second"}, user="cat", expected_version=1,
                       uploads={"report": [pdf()]})
    assert store.get("QI-0001").values["title"] == "Edited first" and stored_files(store) == []


def test_the_form_never_sets_a_file_field(records, store):
    """A form posts None for a file field; the record keeps its files all the same."""
    records.create(project(1), user="ann", uploads={"report": [pdf()]})
    edited = records.update("QI-0001", project(1, title="New title", report=None), user="bob",
                            expected_version=1)
    assert len(edited.values["report"]) == 1
    assert store.query(Query(filters={"report": (True,)})).total == 1


def test_many_records_are_validated_together_and_one_bad_one_writes_none(records, store):
    from engine.records import ItemFailed, NewItem
    items = [NewItem(project(1), uploads={"report": [pdf("a.pdf")]}), NewItem(project(2, title=None))]
    with pytest.raises(ItemFailed) as failed:
        records.create_many(items, user="ann")
    assert failed.value.index == 1 and failed.value.errors == {"title": "Enter project title"}
    assert store.count() == 0 and stored_files(store) == []


def test_many_records_are_saved_with_their_files_in_one_write(records, store):
    from engine.records import NewItem
    counted = []
    saved = records.create_many([NewItem(project(1), uploads={"report": [pdf("a.pdf")]}),
                                 NewItem(project(2), status="Completed", created_by="sharepoint")],
                                user="ann", progress=counted.append)
    assert [r.reference for r in saved] == ["QI-0001", "QI-0002"] and sum(counted) == 2
    assert [a.filename for a in store.attachments("QI-0001")] == ["a.pdf"]
    assert (saved[1].status, saved[1].created_by, saved[1].updated_by) == ("Completed", "sharepoint", "ann")
