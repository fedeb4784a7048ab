"""What PostgreSQL's kept counts under one filter rely on, checked over every registered type's values: a
type declared ``single_key`` gives each value it accepts one filter key at most, and a facetable type gives a
facet key to every value it gives a filter key (a pair of the two is what is counted)."""
from __future__ import annotations

import pytest

from engine.fields import FieldType
from engine.fields.conditions import string_items
from fieldkit import REGISTRY, SAMPLES, make_field

#: Values beside the samples that a form or an import can give: blanks, spaces, a lone item, case.
EDGES = (None, "", " ", [], [""], ["a"], ["A", "a"], 0, False, "Ann LEE ")


def accepted(kind: FieldType):
    keys, samples = SAMPLES[kind.name]
    field = make_field(kind.name, **keys)
    values = [*samples, *EDGES, *(item for sample in samples if isinstance(sample, list) for item in sample)]
    return field, [value for value in values if kind.is_empty(value) or kind.problem(field, value) is None]


@pytest.mark.parametrize("kind", list(REGISTRY), ids=lambda kind: kind.name)
def test_a_single_key_type_gives_each_value_it_accepts_one_filter_key_at_most(kind: FieldType):
    field, values = accepted(kind)
    assert values
    if kind.single_key:
        for value in values:
            assert len(kind.filter_terms(field, value).keys) <= 1, value


@pytest.mark.parametrize("kind", [kind for kind in REGISTRY if kind.facetable], ids=lambda kind: kind.name)
def test_a_facetable_type_gives_a_facet_key_to_every_value_it_gives_a_filter_key(kind: FieldType):
    field, values = accepted(kind)
    for value in values:
        if kind.filter_terms(field, value).keys:
            assert string_items(kind.facet_keys(field, value)), value


def test_types_of_several_values_are_not_single_key():
    assert not REGISTRY["multichoice"].single_key and not REGISTRY["tags"].single_key
    assert REGISTRY["choice"].single_key and REGISTRY["boolean"].single_key and REGISTRY["person"].single_key
