"""What values a field can take, as the checks of a type ask it: whether a value or a bound fits, and whether a
condition may compare the field with a bound."""
from __future__ import annotations

import dataclasses
from typing import Any

from jsonschema import Draft202012Validator

from engine.schema.conditions import Term
from engine.schema.model import Field

FORMATS = Draft202012Validator.FORMAT_CHECKER


def comparable(field: Field) -> bool:
    """Can a condition compare the field with a bound? Exactly the types whose ``min``/``max`` bound the value
    (numbers, dates); a list-valued type's ``min``/``max`` count items instead."""
    return "min" in field.kind.options and not counts_items(field)


def comparison_problem(field: Field, term: Term) -> str | None:
    if not comparable(field):
        return (f"compares '{field.name}' with '{term.op}', which works on number and date fields only "
                f"('{field.name}' is a {field.type_name} field)")
    bound = term.values[0]
    if not bound_fits(field, bound):
        return f"compares '{field.name}' with {bound!r}, which is not a valid {field.type_name} value"
    return None


def counts_items(field: Field) -> bool:
    """``min``/``max`` of a list-valued type count its items; of any other type they bound its value."""
    return _unbounded(field).kind.json_schema(_unbounded(field)).get("type") == "array"


def _unbounded(field: Field) -> Field:
    return dataclasses.replace(field, minimum=None, maximum=None)


def bound_fits(field: Field, bound: Any) -> bool:
    if counts_items(field):
        return isinstance(bound, int) and not isinstance(bound, bool) and bound >= 0
    plain = _unbounded(field)
    return Draft202012Validator(plain.kind.json_schema(plain), format_checker=FORMATS).is_valid(bound)


def bound_words(field: Field) -> str:
    if counts_items(field):
        return "a number of items (a whole number, 0 or more)"
    return f"a valid {field.type_name} value"


def fits(field: Field, value: Any) -> bool:
    """Would ``value`` be a valid stored value of ``field``?"""
    return field.kind.problem(field, value) is None
