"""The one write path refuses a reference to a record that does not exist: what a person submitting, editing or
importing records sees when a reference field names a missing, deleted or not-yet-written record."""
from __future__ import annotations

import dataclasses

import pytest

from engine.errors import RecordNotFound, ValidationFailed
from engine.records import ItemFailed, NewItem, Records
from engine.schema.compile import RecordValidator
from storekit import field, project, qi_project

MISSING = "Select follows from the list of records: QI-9999 does not exist"


@pytest.fixture
def rtype():
    """The QI type with a single and a multiple reference to its own records."""
    base = qi_project()
    return dataclasses.replace(base, fields=(*base.fields,
                                             field("follows", "reference", "Follows", target="qi-project"),
                                             field("related", "reference", "Related projects", target="qi-project",
                                                   multiple=True)))


@pytest.fixture
def records(rtype, store_factory) -> Records:
    store = store_factory(rtype)

    def exists(target: str, reference: str) -> bool:
        assert target == "qi-project"
        try:
            store.get(reference)
        except RecordNotFound:
            return False
        return True
    return Records(rtype, store, RecordValidator(rtype), exists)


def test_a_reference_to_a_record_that_never_existed_is_refused_and_nothing_is_written(records):
    with pytest.raises(ValidationFailed) as failed:
        records.create(project(1, follows="QI-9999"), user="ann")
    assert failed.value.errors == {"follows": MISSING}
    assert records.store.count() == 0


def test_a_reference_to_a_live_record_is_saved(records):
    first = records.create(project(1), user="ann")
    second = records.create(project(2, follows=first.reference, related=[first.reference]), user="ann")
    assert records.store.get(second.reference).values["follows"] == "QI-0001"


def test_every_missing_reference_of_a_multiple_field_is_named(records):
    records.create(project(1), user="ann")
    with pytest.raises(ValidationFailed) as failed:
        records.create(project(2, related=["QI-0001", "QI-0007", "QI-9999"]), user="ann")
    assert failed.value.errors == {"related": "Select related projects from the list of records: "
                                              "QI-0007, QI-9999 do not exist"}


def test_a_deleted_record_cannot_be_newly_referenced(records):
    gone = records.create(project(1), user="ann")
    records.store.delete(gone.reference, user="ann")
    with pytest.raises(ValidationFailed) as failed:
        records.create(project(2, follows=gone.reference), user="ann")
    assert failed.value.errors == {"follows": "Select follows from the list of records: QI-0001 does not exist"}


@pytest.fixture
def orphan(records):
    """QI-0002 follows QI-0001, which was deleted afterwards: old data the check never saw."""
    target = records.create(project(1), user="ann")
    old = records.create(project(2, follows=target.reference, related=[target.reference]), user="ann")
    records.store.delete(target.reference, user="ann")
    return old


def test_a_record_whose_linked_record_was_deleted_stays_editable(records, orphan):
    saved = records.update(orphan.reference, {"title": "Renamed"}, user="bob", expected_version=1)
    assert saved.values["follows"] == "QI-0001" and saved.values["title"] == "Renamed"


def test_an_edit_may_not_set_a_new_missing_reference(records, orphan):
    with pytest.raises(ValidationFailed) as failed:
        records.update(orphan.reference, {"follows": "QI-9999"}, user="bob", expected_version=1)
    assert failed.value.errors == {"follows": MISSING}
    with pytest.raises(ValidationFailed) as failed:     # the old value may stay; a new missing one may not join it
        records.update(orphan.reference, {"related": ["QI-0001", "QI-9999"]}, user="bob", expected_version=1)
    assert failed.value.errors == {
        "related": "Select related projects from the list of records: QI-9999 does not exist"}
    assert records.store.get(orphan.reference).version == 1


def test_a_record_may_point_at_itself_once_it_exists(records):
    record = records.create(project(1), user="ann")
    saved = records.update(record.reference, {"follows": record.reference}, user="ann", expected_version=1)
    assert saved.values["follows"] == "QI-0001"


def test_a_batch_may_name_its_own_records_by_the_references_they_keep(records):
    items = [NewItem(project(1, follows="QI-0012"), reference="QI-0011"),      # names a later item
             NewItem(project(2, related=["QI-0011"]), reference="QI-0012"),
             NewItem(project(3, follows="QI-0011"))]
    saved = records.create_many(items, user="importer")
    assert [r.reference for r in saved] == ["QI-0011", "QI-0012", "QI-0013"]
    assert records.store.get("QI-0011").values["follows"] == "QI-0012"


def test_a_batch_naming_a_record_outside_it_that_does_not_exist_writes_nothing(records):
    items = [NewItem(project(1), reference="QI-0011"), NewItem(project(2, follows="QI-0010"))]
    with pytest.raises(ItemFailed) as failed:
        records.create_many(items, user="importer")
    assert failed.value.index == 1
    assert failed.value.errors == {"follows": "Select follows from the list of records: QI-0010 does not exist"}
    assert records.store.count() == 0


def test_a_malformed_reference_gets_the_format_message_not_a_lookup(records):
    with pytest.raises(ValidationFailed) as failed:
        records.create(project(1, follows="not a reference"), user="ann")
    assert failed.value.errors == {"follows": "Select follows from the list of records"}
