"""The Store contract: what every backend must do with records, versions and deletes. Runs once per backend."""
from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import pytest

from engine.errors import EditConflict, RecordNotFound, ValidationFailed
from engine.store.base import NewRecord, Query
from storekit import project


def test_a_new_record_gets_the_next_reference_and_its_system_fields(store):
    first = store.insert(project(1), user="ann")
    second = store.insert(project(2), user="bob", status="In progress")
    assert (first.reference, second.reference) == ("QI-0001", "QI-0002")
    assert (first.status, second.status) == ("Proposed", "In progress")
    assert first.version == 1 and first.created_by == first.updated_by == "ann"
    assert first.created.tzinfo is not None and first.created.utcoffset() == timedelta(0)
    assert first.values["division"] == project(1)["division"]


def test_a_saved_record_reads_back_exactly(store):
    saved = store.insert(project(5), user="ann")
    assert store.get("QI-0001") == saved
    assert saved["title"] == "Project 5 on sepsis" and saved["reference"] == "QI-0001"


def test_an_imported_record_keeps_the_time_it_was_created(store):
    when = datetime(2024, 3, 1, 9, 30, tzinfo=timezone.utc)
    assert store.insert(project(1), user="ann", now=when).created == when


def test_a_missing_record_is_not_found(store):
    for reference in ("QI-0001", "QI-x", "nonsense", "AU-0001"):
        with pytest.raises(RecordNotFound):
            store.get(reference)
    store.insert(project(1), user="ann")
    with pytest.raises(RecordNotFound):
        store.get("AU-0001")


@pytest.mark.parametrize("bad", [math.nan, math.inf, object(), {1, 2}, b"bytes"])
def test_values_that_cannot_be_stored_are_refused_before_anything_is_written(store, bad):
    with pytest.raises(ValidationFailed) as refused:
        store.insert(project(1, cost=bad), user="ann")
    assert "Cost" in refused.value.errors["cost"]
    assert store.count() == 0
    assert store.insert(project(2), user="ann").reference == "QI-0001"


def test_an_edit_replaces_values_and_keeps_the_previous_version(store):
    store.insert(project(1), user="ann")
    edited = store.update("QI-0001", project(1, division="Medicine", lead=None), user="bob",
                          expected_version=1, status="Completed")
    assert (edited.version, edited.status, edited.updated_by) == (2, "Completed", "bob")
    assert edited.values["division"] == "Medicine" and "lead" not in edited.values
    assert edited.created == store.history("QI-0001")[0].record.created
    assert store.get("QI-0001") == edited


def test_history_lists_every_version_with_who_when_and_each_change(store):
    store.insert(project(1), user="ann")
    store.update("QI-0001", project(1, division="Medicine"), user="bob", expected_version=1)
    store.update("QI-0001", project(1, division="Medicine"), user="cat", expected_version=2, status="Completed")
    versions = store.history("QI-0001")
    assert [v.record.version for v in versions] == [1, 2, 3]
    assert [v.record.updated_by for v in versions] == ["ann", "bob", "cat"]
    assert [v.note for v in versions] == ["created", "edited", "edited"]
    assert versions[0].record.values["division"] == project(1)["division"]
    assert [(c.name, c.old, c.new) for c in versions[1].changes] == [("division", project(1)["division"], "Medicine")]
    assert [(c.name, c.old, c.new) for c in versions[2].changes] == [("status", "Proposed", "Completed")]
    assert ("title", None, project(1)["title"]) in [(c.name, c.old, c.new) for c in versions[0].changes]
    assert versions[-1].record == store.get("QI-0001")


def test_saving_without_changes_makes_no_new_version(store):
    store.insert(project(1), user="ann")
    same = store.update("QI-0001", project(1), user="bob", expected_version=1)
    assert same.version == 1 and len(store.history("QI-0001")) == 1


def test_an_edit_from_a_stale_version_is_refused_and_says_what_is_current(store):
    store.insert(project(1), user="ann")
    store.update("QI-0001", project(1, title="First edit"), user="bob", expected_version=1)
    with pytest.raises(EditConflict) as conflict:
        store.update("QI-0001", project(1, title="Second edit"), user="cat", expected_version=1)
    assert conflict.value.current.values["title"] == "First edit" and conflict.value.current.version == 2
    assert store.get("QI-0001").values["title"] == "First edit"


def test_a_deleted_record_is_hidden_but_kept_and_can_be_restored(store):
    store.insert(project(1), user="ann")
    store.insert(project(2), user="ann")
    deleted = store.delete("QI-0001", user="admin")
    assert deleted.deleted and deleted.version == 2
    with pytest.raises(RecordNotFound):
        store.get("QI-0001")
    assert store.get("QI-0001", include_deleted=True).deleted
    assert store.count() == 1
    assert [r.reference for r in store.query(Query()).records] == ["QI-0002"]
    assert [r.reference for r in store.query(Query(deleted=True)).records] == ["QI-0001"]
    with pytest.raises(RecordNotFound):
        store.update("QI-0001", project(1), user="ann", expected_version=2)
    restored = store.restore("QI-0001", user="admin")
    assert not restored.deleted and restored.version == 3 and store.count() == 2
    assert [v.note for v in store.history("QI-0001")] == ["created", "deleted", "restored"]
    assert [v.record.deleted for v in store.history("QI-0001")] == [False, True, False]


def test_references_are_never_reused_even_after_a_delete(store_factory):
    store = store_factory()
    store.insert(project(1), user="ann")
    store.insert(project(2), user="ann")
    store.delete("QI-0002", user="admin")
    assert store.insert(project(3), user="ann").reference == "QI-0003"
    assert store_factory().insert(project(4), user="ann").reference == "QI-0004"


def test_a_second_store_on_the_same_data_sees_every_write(store_factory):
    writer, reader = store_factory(), store_factory()
    assert reader.count() == 0
    writer.insert(project(1), user="ann")
    assert reader.get("QI-0001").values["title"] == project(1)["title"]
    reader.update("QI-0001", project(1, title="Edited elsewhere"), user="bob", expected_version=1)
    assert writer.get("QI-0001").values["title"] == "Edited elsewhere"
    assert writer.insert(project(2), user="ann").reference == "QI-0002"


def test_iter_all_gives_every_live_record_in_reference_order(store):
    for number in range(1, 13):
        store.insert(project(number), user="ann")
    store.delete("QI-0005", user="admin")
    assert [r.reference for r in store.iter_all()] == [f"QI-{n:04d}" for n in range(1, 13) if n != 5]


def test_the_revision_changes_with_every_write_seen_and_only_then(store_factory):
    """Pages are kept under the revision: it must move on every change, this process's or another's."""
    writer, reader = store_factory(), store_factory()
    seen = [reader.revision()]
    assert reader.revision() == seen[-1]                    # reading alone changes nothing
    writer.insert(project(1), user="ann")
    seen.append(reader.revision())
    writer.update("QI-0001", project(1, title="Edited"), user="bob", expected_version=1)
    seen.append(reader.revision())
    writer.delete("QI-0001", user="admin")
    seen.append(reader.revision())
    reader.restore("QI-0001", user="admin")
    seen.append(reader.revision())
    assert len(set(seen)) == len(seen)
    assert reader.revision() == seen[-1]


def test_an_edit_keeps_the_note_it_is_given_in_the_history(store):
    store.insert(project(1), user="ann")
    store.update("QI-0001", project(1, title="Second"), user="bob", expected_version=1)
    store.update("QI-0001", project(1), user="bob", expected_version=2, note="restored version 1")
    assert [v.note for v in store.history("QI-0001")] == ["created", "edited", "restored version 1"]


def test_every_write_stamps_the_type_revision_beside_the_values(store, rtype):
    made = [store.insert(project(1), user="ann"), *store.insert_many([NewRecord(project(2))], user="ann"),
            store.update("QI-0001", project(1, title="Edited"), user="bob", expected_version=1),
            store.delete("QI-0002", user="admin"), store.restore("QI-0002", user="admin")]
    assert {record.type_revision for record in made} == {rtype.revision}
    assert all("type_revision" not in record.values for record in made)
    assert store.get("QI-0001").type_revision == rtype.revision
    assert {v.record.type_revision for v in store.history("QI-0002")} == {rtype.revision}


def test_a_versions_changes_come_in_the_types_order_whatever_the_backend_keeps(store, rtype):
    """The history page lists what a save changed status first, then field by field as the form asks them:
    not in the order a stored document happens to keep its keys (a database's JSON keeps none)."""
    made = store.insert(project(1), user="ann")
    store.update(made.reference, {**project(1), "cost": 12, "title": "Renamed", "lead": "Someone Else"},
                 user="ann", expected_version=1, status="In progress")
    order = ["status", *rtype.field_map]
    for version in store.history(made.reference):
        names = [change.name for change in version.changes]
        assert names == sorted(names, key=order.index)
        assert names[0] == "status"
