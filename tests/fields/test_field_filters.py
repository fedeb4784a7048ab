"""Browse-page filters (``?<field>=<value>``): reading the URL value, matching records, the sentence, facets."""
from __future__ import annotations

import pytest

from fieldkit import PRIORITIES, REGISTRY, SAMPLES, make_field
from engine.fields import CellError

QI = {"target": "qi-project"}

#: type, field keys, URL value, stored values it matches, stored values it does not, the sentence
FILTERS = [
    ("date", {}, "2025", ["2025-01-01", "2025-12-31"], ["2024-12-31", "2026-01-01", None], "is in 2025"),
    ("date", {}, "2025-02", ["2025-02-01", "2025-02-28"], ["2025-03-01", "2025-01-31"], "is in February 2025"),
    ("date", {}, "2024-02", ["2024-02-29"], ["2024-03-01"], "is in February 2024"),
    ("date", {}, "2025-03-01", ["2025-03-01"], ["2025-03-02"], "is on 1 March 2025"),
    ("date", {}, "2025-01-01..2025-06-30", ["2025-01-01", "2025-06-30"], ["2025-07-01", "2024-12-31"],
     "is between 1 January 2025 and 30 June 2025"),
    ("date", {}, "2025-04..", ["2025-04-01", "2030-01-01"], ["2025-03-31"], "is on or after 1 April 2025"),
    ("date", {}, "..2025", ["1999-01-01", "2025-12-31"], ["2026-01-01"], "is on or before 31 December 2025"),
    ("number", {}, "10..20", [10, 15.5, 20], [9.99, 21, None], "is between 10 and 20"),
    ("number", {}, "1,000..", [1000, 5000], [999], "is 1,000 or more"),
    ("number", {}, "..0", [-4, 0], [1], "is 0 or less"),
    ("number", {}, "12", [12, 12.0], [13], "is 12"),
    ("boolean", {}, "yes", [True], [False, None], "is Yes"),
    ("boolean", {}, "False", [False], [True, None], "is No"),
    ("choice", {"choices": PRIORITIES}, "Medium", ["medium"], ["low", None], "is Medium"),
    ("choice", {"choices": PRIORITIES}, "high", ["high"], ["medium"], "is High"),
    ("multichoice", {"choices": PRIORITIES}, "low", [["low"], ["high", "low"]], [["high"], None], "includes Low"),
    ("tags", {}, "Sepsis", [["sepsis"], ["falls", "SEPSIS"]], [["sepsis screening"], None],
     "includes \u201cSepsis\u201d"),
    ("text", {}, "falls", ["Falls audit", "Reducing falls"], ["Sepsis", None], "contains \u201cfalls\u201d"),
    ("textarea", {}, "aim", ["Our AIMS"], ["Method"], "contains \u201caim\u201d"),
    ("person", {}, "ann lee", ["Ann Lee"], ["Ann Leeson", None], "is ann lee"),
    ("email", {}, "nhs.net", ["ann@nhs.net"], ["ann@example.org"], "contains \u201cnhs.net\u201d"),
    ("url", {}, "nhs.uk", ["https://www.nhs.uk"], ["https://example.org"], "contains \u201cnhs.uk\u201d"),
    ("file", {}, "yes", [["a1"]], [[], None], "has files"),
    ("file", {}, "no", [[], None], [["a1"]], "has no files"),
    ("reference", QI, "qi-0001", ["QI-0001"], ["QI-0002", None], "is QI-0001"),
    ("reference", {**QI, "multiple": True}, "QI-0001", [["QI-0002", "QI-0001"]], [["QI-0002"]], "includes QI-0001"),
]


@pytest.mark.parametrize("type_name, keys, raw, matching, other, sentence", FILTERS,
                         ids=[f"{f[0]}-{f[2]}" for f in FILTERS])
def test_a_filter_matches_the_records_it_names_and_reads_as_a_sentence(type_name, keys, raw, matching, other,
                                                                       sentence):
    field = make_field(type_name, **keys)
    wanted = field.kind.parse_filter(field, raw)
    assert [v for v in matching if not field.kind.matches(field, v, wanted)] == []
    assert [v for v in other if field.kind.matches(field, v, wanted)] == []
    assert field.kind.describe_filter(field, wanted) == sentence


#: type, field keys, URL value, the message shown on the browse page
BAD_FILTERS = [
    ("date", {}, "2025-02-30", "'2025-02-30' is not a real date"),
    ("date", {}, "2025-13", "'2025-13' is not a real date"),
    ("date", {}, "last week", "'last week' is not a date: write it like 31/12/2025 or 2025-12-31"),
    ("date", {}, "..", "'..' is not a date or a range like 2025-01-01..2025-06-30"),
    ("date", {}, "2025-06..2025-01", "'2025-06..2025-01' ends before it starts"),
    ("number", {}, "ten", "'ten' is not a number"),
    ("number", {}, "20..10", "'20..10' ends before it starts"),
    ("number", {"integer": True}, "2.5", "'2.5' is not a whole number"),
    ("boolean", {}, "maybe", "'maybe' is not Yes or No"),
    ("choice", {"choices": PRIORITIES}, "urgent", "'urgent' is not one of the options: Low, Medium, High"),
    ("tags", {}, " ", "Enter label to filter by"),
    ("reference", QI, "QI-1", "'QI-1' is not a record reference like QI-0001"),
]


@pytest.mark.parametrize("type_name, keys, raw, message", BAD_FILTERS, ids=[f"{b[0]}-{b[2]}" for b in BAD_FILTERS])
def test_a_filter_that_cannot_be_read_says_why(type_name, keys, raw, message):
    field = make_field(type_name, **keys)
    with pytest.raises(CellError) as refused:
        field.kind.parse_filter(field, raw)
    assert str(refused.value) == message


FACETABLE = [kind for kind in REGISTRY if kind.facetable]


def test_the_facetable_types_are_the_ones_with_few_repeated_values():
    assert [kind.name for kind in FACETABLE] == ["date", "choice", "multichoice", "boolean", "person", "tags"]


@pytest.mark.parametrize("kind", FACETABLE, ids=lambda kind: kind.name)
def test_a_facet_link_filters_to_the_records_it_counted(kind):
    """The browse page links each facet key as ``?<field>=<key>``: the filter must select that bucket."""
    keys, values = SAMPLES[kind.name]
    field = make_field(kind.name, **keys)
    for value in values:
        for key in field.kind.facet_keys(field, value):
            assert field.kind.matches(field, value, field.kind.parse_filter(field, key))
            assert field.kind.facet_label(field, key)
    assert tuple(field.kind.facet_keys(field, None)) == ()


@pytest.mark.parametrize("type_name, keys, value, labels", [
    ("choice", {"choices": PRIORITIES}, "medium", ["Medium"]),
    ("multichoice", {"choices": PRIORITIES}, ["low", "high"], ["Low", "High"]),
    ("boolean", {}, False, ["No"]),
    ("date", {}, "2025-03-05", ["2025"]),
])
def test_facets_are_labelled_as_readers_know_them(type_name, keys, value, labels):
    field = make_field(type_name, **keys)
    assert [field.kind.facet_label(field, key) for key in field.kind.facet_keys(field, value)] == labels
