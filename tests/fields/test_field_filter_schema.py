"""What each field type says of its filter beyond reading it: the JSON Schema of one value as the API takes it
(``filter_schema``), whether it reads a range typed in two boxes (``ranged``, ``parse_range_filter``), and what
an import's report says of a cell it read (``cell_reading``). Every type answers each, by a default or its own."""
from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from fieldkit import PRIORITIES, REGISTRY, make_field
from engine.fields import CellError

#: type, field keys, a value its schema allows as a query string writes it, a stored value it matches, and one
#: the browse page reads that the schema does not allow (None: every text is allowed).
ALLOWED = [
    ("text", {}, "falls", "Falls audit", None),
    ("textarea", {}, "aim", "Our aims", None),
    ("number", {}, "2.5", 2.5, "10..20"),
    ("number", {"integer": True}, "12", 12, "12.5"),
    ("date", {}, "2025-03-01", "2025-03-01", "2025-03-01T10:00"),
    ("choice", {"choices": PRIORITIES}, "medium", "medium", "Medium"),
    ("multichoice", {"choices": PRIORITIES}, "low", ["high", "low"], "LOW"),
    ("boolean", {}, "true", True, "yes"),
    ("email", {}, "nhs.net", "ann@nhs.net", None),
    ("url", {}, "nhs.uk", "https://www.nhs.uk", None),
    ("person", {}, "ann lee", "Ann Lee", None),
    ("tags", {}, "sepsis", ["Sepsis"], " "),
    ("file", {}, "false", None, "no"),
    ("reference", {"target": "qi-project"}, "QI-0001", "QI-0001", "qi-0001"),
]


def allows(schema: dict, raw: str) -> bool:
    """As OpenAPI reads a query value: the text itself, or the number or boolean it writes."""
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    try:
        typed = json.loads(raw)
    except ValueError:
        typed = raw
    return validator.is_valid(raw) or validator.is_valid(typed)


def test_every_type_has_a_row_here():
    assert {row[0] for row in ALLOWED} == set(REGISTRY.names())


@pytest.mark.parametrize("type_name, keys, raw, stored, refused", ALLOWED, ids=[f"{r[0]}-{r[2]}" for r in ALLOWED])
def test_a_value_the_filter_schema_allows_is_read_and_matches(type_name, keys, raw, stored, refused):
    field = make_field(type_name, **keys)
    schema = field.kind.filter_schema(field)
    assert allows(schema, raw)
    assert field.kind.matches(field, stored, field.kind.parse_filter(field, raw))
    if refused is not None:
        assert not allows(schema, refused)


@pytest.mark.parametrize("field_type", list(REGISTRY), ids=REGISTRY.names())
def test_only_a_ranged_type_reads_two_boxes(field_type):
    field = make_field(field_type.name, target="qi-project") if field_type.name == "reference" else \
        make_field(field_type.name, choices=PRIORITIES) if field_type.name in ("choice", "multichoice") else \
        make_field(field_type.name)
    if field_type.ranged:
        wanted = field_type.parse_range_filter(field, "2025-01-01", "")
        assert field_type.matches(field, "2025-06-01", wanted) and field_type.range_hint
    else:
        with pytest.raises(CellError, match="cannot be filtered by a range"):
            field_type.parse_range_filter(field, "1", "2")
    assert field_type.ranged is (field_type.name == "date")


@pytest.mark.parametrize("field_type", list(REGISTRY), ids=REGISTRY.names())
def test_a_cell_read_one_way_only_has_nothing_said_of_it(field_type):
    field = make_field(field_type.name)
    said = field_type.cell_reading(field, "03/04/2023")
    assert said == ("'03/04/2023' read as 3 April 2023" if field_type.name == "date" else None)
