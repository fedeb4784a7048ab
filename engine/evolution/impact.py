"""The stored values a repository type no longer has a place for, found by reading every record.

Records are read as readers see them (after the type's renames), deleted ones included. A value is stranded
when it sits under a key that is not a field of the type (a field removed without ``renamed_from`` or
``retired``), when it is a choice the field no longer lists (retired choices are still listed), or when it is
not the kind of value the field now holds (a text field changed to a number). Only the kind is checked:
bounds such as a length or a largest number may tighten without stranding anything, since a record keeps its
old values until someone changes them.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from jsonschema import Draft202012Validator

from engine.evolution.renames import renames_of
from engine.schema.model import Field, RepositoryType
from engine.store.documents import reference_number

REMOVED_FIELD, BOTH_NAMES, REMOVED_CHOICE, WRONG_TYPE = "removed field", "both names", "removed choice", "type"
#: JSON Schema keywords that bound a value rather than say what kind of value it is (``enum``: the choices,
#: which are checked on their own, so each stranded choice is named).
BOUNDS = frozenset({"minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
                    "minItems", "maxItems", "enum"})
_SIMPLE = {"string": str, "boolean": bool, "array": list}


@dataclass(frozen=True)
class Finding:
    """Stored values of one kind of change: the key or field, the records holding them (in reference order)
    and the value: the removed choice, or an example of a value of the wrong kind."""
    kind: str
    name: str
    references: tuple[str, ...]
    value: Any = None
    renamed_to: str = ""        # BOTH_NAMES: the field the old name now reads as


def findings(rtype: RepositoryType, records: Iterable[tuple[str, Mapping[str, Any]]]) -> list[Finding]:
    """Every stranded value of ``records`` ((reference, values) pairs), grouped, fields in the type's order."""
    fields = rtype.field_map
    fits = {f.name: Fit(f) for f in rtype.fields}
    renamed = renames_of(rtype)
    old_names = renamed.fields if renamed is not None else {}
    held: dict[tuple[str, str, Any], list[str]] = {}
    examples: dict[str, Any] = {}
    for reference, values in records:
        for name, value in values.items():
            field = fields.get(name)
            if _empty(value):
                continue
            if field is None:
                kind = BOTH_NAMES if name in old_names else REMOVED_FIELD
                held.setdefault((kind, name, None), []).append(reference)
            elif field.kind.is_empty(value):
                continue
            elif not fits[name](value):
                held.setdefault((WRONG_TYPE, name, None), []).append(reference)
                examples.setdefault(name, value)
            else:
                for choice in _unknown_choices(field, value):
                    held.setdefault((REMOVED_CHOICE, name, choice), []).append(reference)
    order = {name: position for position, name in enumerate(fields)}
    found = [Finding(kind, name, _in_order(refs), examples.get(name) if kind == WRONG_TYPE else choice,
                     old_names.get(name, "") if kind == BOTH_NAMES else "")
             for (kind, name, choice), refs in held.items()]
    return sorted(found, key=lambda f: (order.get(f.name, len(order)), f.name, str(f.value)))


class Fit:
    """Does a value have the kind the field holds: its type's JSON Schema fragment less ``BOUNDS``. Answers
    are remembered per distinct value (choices and numbers repeat across thousands of records)."""

    def __init__(self, field: Field):
        shape = kind_of(field.kind.json_schema(field))
        simple = _SIMPLE.get(shape.get("type")) if set(shape) == {"type"} else None
        self._simple = simple
        self._validator = None if simple else Draft202012Validator(
            shape, format_checker=Draft202012Validator.FORMAT_CHECKER)
        self._seen: dict[Any, bool] = {}

    def __call__(self, value: Any) -> bool:
        if self._simple is not None:
            return isinstance(value, self._simple)
        key = json.dumps(value, sort_keys=True)     # tells 1 from 1.0 and from true, at any depth
        answer = self._seen.get(key)
        if answer is None:
            answer = self._seen[key] = self._validator.is_valid(value)  # type: ignore[union-attr]
        return answer


def kind_of(schema: Any) -> Any:
    """A JSON Schema fragment without the keywords that bound a value (``BOUNDS``), at every depth."""
    if isinstance(schema, dict):
        return {key: kind_of(value) for key, value in schema.items() if key not in BOUNDS}
    if isinstance(schema, list):
        return [kind_of(item) for item in schema]
    return schema


def _unknown_choices(field: Field, value: Any) -> list[str]:
    if not field.choices:
        return []
    known = field.choice_values
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, str) and item not in known]


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _in_order(references: list[str]) -> tuple[str, ...]:
    return tuple(sorted(dict.fromkeys(references), key=lambda ref: (reference_number(ref) or 0, ref)))
