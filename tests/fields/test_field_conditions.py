"""Filters as data (``filter_terms``, ``filter_condition``): for every type, a stored value's terms meet a parsed
filter's condition exactly when ``matches`` says the value matches, odd stored values and empty ones included."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from fieldkit import PRIORITIES, REGISTRY, SAMPLES, make_field
from engine.fields import CellError
from engine.fields.conditions import NOTHING, AnyKey, Contains, Terms, Within, yes_no_condition
from engine.store.postgres.sortcode import sort_code

QI = {"target": "qi-project"}
#: Stored values no type makes but a hand-edited or older store may hold: every type must answer for them.
ODD = [None, "", [], " ", "  Ann Lee ", "ANN LEE", 0, 1, -2.5, True, False, [1, "low"], ["Low", "low"],
       {"a": 1}, "2025-02-30", "2025-03-05", "31/12/2025", "QI-0001", ["QI-0001", "QI-0002"], ["", None],
       "ß", "SS", "İstanbul", "ﬁle", "a\x00b"]
#: Raw filter values, read by each type's ``parse_filter`` (those it refuses are skipped).
RAWS = ["", "low", "Low", "high", "medium", "ann lee", "ss", "ß", "i̇stanbul", "file", "yes", "no", "2025",
        "2025-03", "2025-03-05", "..2025-03-04", "2024..", "0", "1", "-2.5", "-3..0", "1..", "qi-0001",
        "QI-0002", "a", " falls ", "[1"]


def parsed(field, raws=RAWS):
    for raw in raws:
        try:
            yield field.kind.parse_filter(field, raw)
        except CellError:
            continue


def agree(field, value, wanted) -> bool:
    kind = field.kind
    return kind.filter_condition(field, wanted).holds(kind.filter_terms(field, value)) == \
        kind.matches(field, value, wanted)


@pytest.mark.parametrize("kind", list(REGISTRY), ids=lambda kind: kind.name)
def test_a_condition_on_the_terms_of_a_value_is_what_matches_says(kind):
    keys, samples = SAMPLES[kind.name]
    field = make_field(kind.name, **keys)
    for value in [*samples, *ODD]:
        for wanted in parsed(field):
            try:
                expected = kind.matches(field, value, wanted)
            except (AttributeError, TypeError):
                continue        # the embedded store cannot answer it either
            assert agree(field, value, wanted), (value, wanted, expected)


@pytest.mark.parametrize("type_name, keys",
                         [("text", {}), ("person", {}), ("tags", {}), ("choice", {"choices": PRIORITIES})])
@settings(max_examples=60, deadline=None)
@given(value=st.text(max_size=8) | st.lists(st.text(max_size=5), max_size=3), raw=st.text(min_size=1, max_size=5))
def test_text_is_folded_as_python_folds_it(type_name, keys, value, raw):
    field = make_field(type_name, **keys)
    for wanted in parsed(field, [raw]):
        try:
            field.kind.matches(field, value, wanted)
        except (AttributeError, TypeError):
            continue
        assert agree(field, value, wanted)


def test_terms_say_what_a_database_keeps():
    date, number = make_field("date"), make_field("number")
    assert date.kind.filter_terms(date, "2025-03-05") == Terms(point=739315)
    assert number.kind.filter_terms(number, True) == Terms()          # a boolean is no number
    person = make_field("person")
    assert person.kind.filter_terms(person, "  Ann Lee ") == Terms(keys=("ann lee",))
    text = make_field("text")
    assert text.kind.filter_terms(text, "Straße") == Terms(text="strasse")


def test_a_record_without_files_has_a_key_for_it():
    """``?report=no`` finds the records that never had the field, so the absence itself is kept."""
    field = make_field("file", multiple=True)
    assert field.kind.filter_terms(field, None) == Terms(keys=("no",))
    assert field.kind.filter_condition(field, False) == AnyKey(("no",))


def test_conditions_read_as_their_kind_says():
    assert Contains("").holds(Terms())
    assert not Within(None, None).holds(Terms())
    assert Within(1, None).holds(Terms(point=1)) and not Within(None, 0).holds(Terms(point=1))
    assert not NOTHING.holds(Terms(keys=("a",)))
    assert yes_no_condition(1) == AnyKey(("yes",)) and yes_no_condition("yes") == NOTHING
    assert yes_no_condition([]) == NOTHING


def test_a_choice_filter_names_no_key_that_is_not_text():
    field = make_field("choice", choices=PRIORITIES)
    assert field.kind.filter_terms(field, ["low", 3, None]) == Terms(keys=("low",))
    assert field.kind.filter_condition(field, 3) == NOTHING


@pytest.mark.parametrize("kind", list(REGISTRY), ids=lambda kind: kind.name)
def test_the_sort_codes_of_a_type_s_values_keep_their_order(kind):
    """What PostgreSQL sorts by (``sortcode``) orders each type's values as its ``sort_key`` does."""
    keys, ordered = SAMPLES[kind.name]
    field = make_field(kind.name, **keys)
    values = [*ordered, *(value for value in ODD if not kind.is_empty(value))]
    try:
        by_key = sorted(values, key=lambda value: kind.sort_key(field, value))
    except (AttributeError, TypeError):
        by_key = sorted(ordered, key=lambda value: kind.sort_key(field, value))
    by_code = sorted(by_key, key=lambda value: sort_code(kind.sort_key(field, value)))
    assert by_code == by_key
