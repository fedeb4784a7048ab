"""What the impact report finds in stored data after a type changed, and how it says so."""
from __future__ import annotations

import pytest

from engine.evolution.impact import (BOTH_NAMES, REMOVED_CHOICE, REMOVED_FIELD, WRONG_TYPE, Finding, findings,
                                     kind_of)
from engine.evolution.renames import renames_of
from engine.evolution.report import line, named
from engine.evolution.spots import Spots
from engine.schema.model import Field, Listing, RepositoryType, Status
from engine.store.tinydb import TinyDBStore
from evolutionkit import OLD_FRAMEWORK, after, before, field, written_before


@pytest.fixture
def found(tmp_path):
    written_before(tmp_path, 8)
    store = TinyDBStore(after(), tmp_path)
    store.delete("QI-0007", user="admin")
    yield {(f.kind, f.name, f.value if f.kind != WRONG_TYPE else None): f
           for f in findings(store.rtype, store.stored_values())}
    store.close()


def test_a_removed_field_is_found_in_every_record_holding_it(found):
    assert found[(REMOVED_FIELD, "notes", None)].references == tuple(f"QI-{n:04d}" for n in range(1, 9))


def test_a_removed_choice_is_found_deleted_records_included_and_a_retired_one_is_not(found):
    assert found[(REMOVED_CHOICE, "methodology", "Six Sigma")].references == ("QI-0003", "QI-0007")
    assert not [key for key in found if key[0] == REMOVED_CHOICE and key[2] in ("Lean", OLD_FRAMEWORK)]


def test_a_value_of_the_old_type_is_found_with_an_example(found):
    wrong = found[(WRONG_TYPE, "cost", None)]
    assert len(wrong.references) == 8 and wrong.value == "150"


def test_renamed_fields_and_choices_are_not_found(found):
    assert {name for _, name, _ in found} == {"notes", "methodology", "cost"}


def test_a_value_under_both_the_old_and_the_new_name_is_found():
    both = findings(after(), [("QI-0001", {"lessons": "New", "lessons_learned": "Old"})])
    assert both == [Finding(BOTH_NAMES, "lessons_learned", ("QI-0001",), None, "lessons")]
    said = line(both[0], after(), "qi/qi-project", Spots({}))
    assert said == ("qi-project: qi/qi-project: field 'lessons' was renamed from 'lessons_learned' but 1 record "
                    "(QI-0001) holds a value under both names: the value under 'lessons' is shown, the one under "
                    "'lessons_learned' is kept as it was stored")


@pytest.mark.parametrize("kind, value", [
    ("text", "a" * 500), ("number", 10 ** 9), ("multichoice", ["Nurses", "Doctors"]), ("date", "2001-01-01"),
])
def test_bounds_are_not_a_change_of_kind(kind, value):
    keys = {"text": {"max_length": 10}, "number": {"maximum": 5}, "date": {"minimum": "2020-01-01"},
            "multichoice": {"choices": before().field("staff").choices, "maximum": 1}}[kind]
    changed = holding(field("value", kind, "Value", **keys))
    assert findings(changed, [("QI-0001", {"value": value})]) == []


def test_a_date_that_is_not_a_real_date_does_not_fit_a_date_field():
    changed = holding(field("value", "date", "Value"))
    assert [f.kind for f in findings(changed, [("QI-0001", {"value": "2025-02-31"})])] == [WRONG_TYPE]


def test_kind_of_takes_out_bounds_and_choices_at_every_depth():
    assert kind_of({"type": "array", "items": {"enum": ["a"], "maxLength": 3}, "maxItems": 2, "uniqueItems": True}) \
        == {"type": "array", "items": {}, "uniqueItems": True}


def test_many_references_are_named_up_to_five():
    assert named(tuple(f"QI-{n:04d}" for n in range(1, 9))) == "QI-0001, QI-0002, QI-0003, QI-0004, QI-0005 and 3 more"


def test_a_type_without_renames_has_no_mapping_and_an_old_name_still_in_use_is_left_alone():
    assert renames_of(before()) is None
    clash = holding(field("lessons", "textarea", "Lessons", renamed_from=("notes",)),
                    field("notes", "textarea", "Notes"))
    assert renames_of(clash) is None


def holding(*fields: Field) -> RepositoryType:
    return RepositoryType(name="qi-project", title="Project", title_plural="Projects", description="",
                          reference_prefix="QI", fields=fields, statuses=(Status("Proposed"),),
                          listing=Listing(columns=("reference",), facets=()), record_title="reference")


def test_two_old_names_of_one_field_in_one_record_keep_both_values():
    twice = holding(field("lessons", "textarea", "Lessons", renamed_from=("lessons_learned", "learning")))
    renames = renames_of(twice)
    read = renames.values({"lessons_learned": "First", "learning": "Second"})
    assert read == {"lessons": "First", "learning": "Second"}
    assert renames.change({"changes": {"lessons_learned": [None, "First"], "learning": [None, "Second"]}}) == \
        {"changes": {"lessons": [None, "First"], "learning": [None, "Second"]}}
    assert [f.kind for f in findings(twice, [("QI-0001", read)])] == [BOTH_NAMES]
