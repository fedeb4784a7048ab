"""Sorting by a field: keys order values naturally and put empty values last, whatever is stored."""
from __future__ import annotations

import random

import pytest

from fieldkit import REGISTRY, SAMPLES, make_field


@pytest.mark.parametrize("kind", list(REGISTRY), ids=lambda kind: kind.name)
def test_values_sort_in_order_with_empties_last(kind):
    keys, ordered = SAMPLES[kind.name]
    field = make_field(kind.name, **keys)
    empties = [None, "", []] if kind.name != "boolean" else [None]
    shuffled = ordered + empties
    random.Random(7).shuffle(shuffled)
    result = sorted(shuffled, key=lambda value: field.kind.sort_key(field, value))
    assert result[:len(ordered)] == ordered
    assert all(field.kind.is_empty(value) for value in result[len(ordered):])


@pytest.mark.parametrize("type_name, keys, values", [
    ("number", {}, [3, "not a number", True]),
    ("date", {}, ["2025-01-01", "05/03/2025", 7]),
    ("reference", {"target": "qi-project"}, ["QI-0001", "odd"]),
])
def test_sorting_never_fails_on_unexpected_stored_values(type_name, keys, values):
    field = make_field(type_name, **keys)
    sorted(values + [None], key=lambda value: field.kind.sort_key(field, value))


def test_choices_sort_in_the_order_the_schema_lists_them_not_alphabetically():
    keys, ordered = SAMPLES["choice"]
    field = make_field("choice", **keys)
    assert sorted(["high", "low", "medium"], key=lambda v: field.kind.sort_key(field, v)) == ordered


def test_references_sort_by_number_not_by_text():
    field = make_field("reference", target="qi-project")
    assert sorted(["QI-10000", "QI-9999"], key=lambda v: field.kind.sort_key(field, v)) == ["QI-9999", "QI-10000"]
