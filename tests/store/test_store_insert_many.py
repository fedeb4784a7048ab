"""The Store contract for imports: many records in one write, kept references, kept creation dates."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from engine.errors import ValidationFailed
from engine.store.base import NewRecord
from storekit import project


def test_many_records_are_written_at_once_with_the_next_references(store):
    saved = store.insert_many([NewRecord(project(n)) for n in range(1, 4)], user="ann")
    assert [r.reference for r in saved] == ["QI-0001", "QI-0002", "QI-0003"]
    assert store.count() == 3 and store.get("QI-0002").values == saved[1].values
    assert store.insert(project(9), user="bob").reference == "QI-0004"


def test_an_imported_record_keeps_its_reference_creation_and_creator(store):
    when = datetime(2023, 6, 1, 8, 0, tzinfo=timezone.utc)
    saved, = store.insert_many([NewRecord(project(1), status="Completed", created=when, created_by="sharepoint",
                                          reference="QI-0042")], user="importer")
    assert (saved.reference, saved.status, saved.created, saved.created_by) == (
        "QI-0042", "Completed", when, "sharepoint")
    assert saved.updated_by == "importer" and saved.updated > when
    assert store.history("QI-0042")[0].record.created_by == "sharepoint"


def test_references_asked_for_out_of_order_leave_the_counter_after_the_highest(store):
    saved = store.insert_many([NewRecord(project(1), reference="QI-0007"), NewRecord(project(2)),
                               NewRecord(project(3), reference="QI-0003")], user="ann")
    assert [r.reference for r in saved] == ["QI-0007", "QI-0008", "QI-0003"]
    assert store.insert(project(4), user="ann").reference == "QI-0009"
    assert not store.reference_free("QI-0005"), "a number below the counter is never handed out"
    assert store.reference_free("QI-0010")


@pytest.mark.parametrize("reference", ["QI-0001", "AU-0050", "QI-50", "nonsense"])
def test_a_reference_that_is_taken_or_not_this_repositorys_writes_nothing(store, reference):
    store.insert(project(1), user="ann")
    assert not store.reference_free(reference)
    with pytest.raises(ValidationFailed) as refused:
        store.insert_many([NewRecord(project(2)), NewRecord(project(3), reference=reference)], user="ann")
    assert reference in refused.value.errors["reference"]
    assert store.count() == 1


def test_the_same_reference_twice_in_one_write_is_refused(store):
    with pytest.raises(ValidationFailed):
        store.insert_many([NewRecord(project(1), reference="QI-0005"), NewRecord(project(2), reference="QI-0005")],
                          user="ann")
    assert store.count() == 0


def test_one_value_that_cannot_be_stored_writes_none_of_them(store):
    with pytest.raises(ValidationFailed):
        store.insert_many([NewRecord(project(1)), NewRecord(project(2, cost=float("nan")))], user="ann")
    assert store.count() == 0 and store.insert(project(1), user="ann").reference == "QI-0001"


def test_a_second_store_on_the_same_data_sees_the_whole_import(store_factory):
    first, second = store_factory(), store_factory()
    second.count()
    first.insert_many([NewRecord(project(n)) for n in range(1, 51)], user="ann")
    assert second.count() == 50 and second.get("QI-0050").values["cost"] == 500


def test_nothing_to_insert_writes_nothing(store):
    assert store.insert_many([], user="ann") == []
    before = store.revision()
    assert store.insert_many([], user="ann") == [] and store.revision() == before
    assert store.insert(project(1), user="ann").reference == "QI-0001"
