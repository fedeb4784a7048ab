"""Records saved before a rename read under today's names and values everywhere they leave the store, without
anyone saving them again; a removed field's values are kept as stored."""
from __future__ import annotations

import io
import json

import pytest

from engine.store.base import Query
from engine.store.snapshot import ATTACHMENTS, HISTORY, RECORDS
from engine.store.tinydb import TinyDBStore
from evolutionkit import (NEW_FRAMEWORK, NEW_GROUP, OLD_FRAMEWORK, OLD_GROUP, after, before, old_record,
                          written_before)

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def folder(tmp_path):
    written_before(tmp_path, 8)
    return tmp_path


@pytest.fixture
def store(folder):
    opened = TinyDBStore(after(), folder)
    yield opened
    opened.close()


def test_a_record_reads_under_the_new_field_name_and_choice_values(store):
    record = store.get("QI-0004")       # methodology: the framework; staff: the renamed group and nurses
    assert record.values["lessons"] == "Lesson 4, revised" and "lessons_learned" not in record.values
    assert store.get("QI-0008").values["methodology"] == NEW_FRAMEWORK
    assert store.get("QI-0001").values["staff"] == [NEW_GROUP, "Nurses"]


def test_a_removed_field_keeps_its_value_as_stored_and_an_edit_keeps_it(store):
    record = store.get("QI-0003")
    assert record.values["notes"] == "Note 3"
    edited = store.update("QI-0003", {**record.values, "title": "Renamed project"}, user="cat", expected_version=2)
    assert edited.values["notes"] == "Note 3" and edited.values["lessons"] == "Lesson 3, revised"


def test_filters_facets_and_sort_see_only_today_s_values(store):
    found = store.query(Query(filters={"methodology": (NEW_FRAMEWORK,)}, sort="reference"))
    assert [r.reference for r in found.records] == ["QI-0004", "QI-0008"]
    assert store.query(Query(filters={"methodology": (OLD_FRAMEWORK,)})).total == 0
    assert store.query(Query(filters={"staff": (NEW_GROUP,)})).total == 4
    facets = store.facets(Query(), ("methodology", "staff"))
    assert (NEW_FRAMEWORK, 2) in facets["methodology"] and OLD_FRAMEWORK not in dict(facets["methodology"])
    assert dict(facets["staff"]) == {NEW_GROUP: 4, "Nurses": 4, "Doctors": 4}
    by_lessons = store.query(Query(sort="-lessons", per_page=3))
    assert [r.reference for r in by_lessons.records] == ["QI-0008", "QI-0007", "QI-0006"]


def test_search_finds_words_of_a_renamed_field(store):
    found = store.query(Query(q="revised night staff"))
    assert found.total == 8


def test_history_shows_each_version_and_change_under_today_s_names(store):
    first, second = store.history("QI-0004")
    assert first.record.values["lessons"] == "Lesson 4: involve the night staff early"
    assert first.record.values["methodology"] == NEW_FRAMEWORK
    assert ("lessons", None, "Lesson 4: involve the night staff early") in \
        [(c.name, c.old, c.new) for c in first.changes]
    assert [(c.name, c.old, c.new) for c in second.changes] == [
        ("lessons", "Lesson 4: involve the night staff early", "Lesson 4, revised")]


def test_exports_read_every_record_under_today_s_names(store):
    exported = list(store.iter_all())
    assert len(exported) == 8
    assert all("lessons" in r.values and "lessons_learned" not in r.values for r in exported)
    assert {r.values["methodology"] for r in exported} == {"Model for Improvement", NEW_FRAMEWORK, "Lean",
                                                          "Six Sigma"}


def test_deleted_records_read_under_today_s_names_too(store):
    store.delete("QI-0002", user="admin")
    binned = store.query(Query(deleted=True)).records
    assert [r.values["lessons"] for r in binned] == ["Lesson 2, revised"]


def test_saves_of_a_process_still_on_the_old_type_are_read_as_they_arrive(folder, store):
    assert store.count() == 8
    old_process = TinyDBStore(before(), folder)
    old_process.insert(old_record(9, methodology=OLD_FRAMEWORK), user="dan")
    old_process.update("QI-0001", old_record(1, lessons_learned="Changed by the old form"), user="dan",
                       expected_version=2)
    assert store.get("QI-0009").values["methodology"] == NEW_FRAMEWORK
    assert store.get("QI-0001").values["lessons"] == "Changed by the old form"
    assert store.query(Query(filters={"methodology": (NEW_FRAMEWORK,)})).total == 3
    assert store.history("QI-0001")[-1].changes[0].name == "lessons"
    old_process.close()


def test_a_save_under_the_new_type_writes_today_s_names(folder, store):
    record = store.get("QI-0004")
    store.update("QI-0004", {**record.values, "title": "Edited"}, user="cat", expected_version=2)
    saved = [json.loads(line.partition(" ")[2]) for line in (folder / "qi-project" / "records.log").read_text()
             .splitlines()[1:]][-1]["changes"][RECORDS]["4"]
    assert saved["lessons"] == "Lesson 4, revised" and "lessons_learned" not in saved
    assert saved["methodology"] == NEW_FRAMEWORK and saved["notes"] == "Note 4"
    changes = store.history("QI-0004")[-1].changes
    assert [c.name for c in changes] == ["title"]      # not a removal and an addition of the renamed field


def test_a_renamed_file_field_keeps_its_files(tmp_path):
    old = TinyDBStore(before(), tmp_path)
    record = old.insert(old_record(1), user="ann")
    attachment = old.save_attachment(record.reference, "evidence", "plan.pdf", io.BytesIO(PDF), user="ann")
    old.close()
    store = TinyDBStore(after(), tmp_path)
    assert store.get("QI-0001").values["documents"] == [attachment.id]
    files = store.attachments("QI-0001")
    assert [(f.id, f.field) for f in files] == [(attachment.id, "documents")]
    with store.open_attachment("QI-0001", attachment.id)[1] as stream:
        assert stream.read() == PDF
    store.close()


def test_a_type_without_renames_reads_the_stored_documents_themselves(tmp_path):
    written_before(tmp_path, 3)
    store = TinyDBStore(before(), tmp_path)
    snapshot = store._disk.current()
    assert all(snapshot.read[table] is snapshot.tables[table] for table in (RECORDS, HISTORY, ATTACHMENTS))
    store.close()


def test_records_a_rename_does_not_touch_are_shared_not_copied(tmp_path):
    store = TinyDBStore(before(), tmp_path)
    store.insert(old_record(1), user="ann")
    store.insert({"title": "Nothing renamed here", "methodology": "Model for Improvement"}, user="ann")
    store.close()
    renamed = TinyDBStore(after(), tmp_path)
    snapshot = renamed._disk.current()
    assert snapshot.read[RECORDS]["2"] is snapshot.tables[RECORDS]["2"]
    assert snapshot.read[RECORDS]["1"] is not snapshot.tables[RECORDS]["1"]
    renamed.close()


def test_old_values_in_a_list_that_name_one_choice_become_one_item(tmp_path):
    store = TinyDBStore(before(), tmp_path)     # a list saved by hand, holding the old and the new value
    store.insert(old_record(1, staff=[OLD_GROUP, "Nurses", NEW_GROUP]), user="ann")
    store.close()
    renamed = TinyDBStore(after(), tmp_path)
    assert renamed.get("QI-0001").values["staff"] == [NEW_GROUP, "Nurses"]
    renamed.close()
