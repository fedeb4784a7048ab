"""Conditions (``show_when``, ``required_when``): what the YAML may say, and the one code that decides them.

Written in the YAML as a mapping; its entries must all hold::

    show_when: {methodology: Other}                       # equal
    show_when: {audit_type: [Re-audit, National]}         # one of
    show_when: {methodology: {not: Lean}}                 # not equal (a list: none of)
    show_when: {methodology: {one_of: [Lean, Other]}}     # one of, spelt out
    required_when: {end_date: {empty: false}}             # filled in (``empty: true``: left empty)
    required_when: {cost: {greater_than: 5000}}           # also less_than, at_least, at_most
    show_when: {any: [{status: Completed}, {re_audit: true}]}   # ``all:`` and ``any:`` of conditions

A name is a field of the type or ``status``. A list value (a multichoice) matches "equal" and "one of" when any
of its items does, and "not" when none does. Comparisons work on numbers and on dates (ISO text); an empty value
is never greater or less than anything. The same ``Condition`` objects decide on the server (``holds``), describe
themselves in messages (``describe``) and travel to the browser as JSON (``as_json``, read by engine.js), so a
rule is never written twice.
"""
from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

#: Operator keys of a field's condition mapping, and what each compares with.
OPERATORS = {"not": "values", "one_of": "values", "empty": "boolean", "greater_than": "bound",
             "less_than": "bound", "at_least": "bound", "at_most": "bound"}
COMBINATORS = ("all", "any")
_WORDS = {"greater_than": "is more than", "less_than": "is less than", "at_least": "is at least",
          "at_most": "is at most"}


class Condition(abc.ABC):
    """A rule over a record's values (with its ``status`` among them)."""

    @property
    @abc.abstractmethod
    def field_names(self) -> tuple[str, ...]:
        """Every field (or 'status') the condition reads, once each, in the order written."""

    @abc.abstractmethod
    def holds(self, values: Mapping[str, Any]) -> bool: ...

    @abc.abstractmethod
    def describe(self, label_of: Mapping[str, str]) -> str:
        """In words, for messages and hints: 'methodology is Other'."""

    @abc.abstractmethod
    def as_json(self) -> dict[str, Any]:
        """The condition for the browser: ``{"all": [...]}``, ``{"any": [...]}`` or a term
        ``{"field": name, "op": op, "values": [...]}`` (values as the browser posts them)."""

    def terms(self) -> Iterable["Term"]:
        """Every term, however deep."""
        yield from ()


@dataclass(frozen=True)
class Term(Condition):
    """One test of one field. ``op``: 'in' (one of ``values``), 'not_in', 'empty', 'filled', 'greater_than',
    'less_than', 'at_least', 'at_most' (``values`` holds the one bound)."""
    name: str
    op: str
    values: tuple[Any, ...] = ()

    @property
    def field_names(self) -> tuple[str, ...]:
        return (self.name,)

    def terms(self) -> Iterable["Term"]:
        yield self

    def holds(self, values: Mapping[str, Any]) -> bool:
        value = values.get(self.name)
        items = [item for item in (value if isinstance(value, (list, tuple)) else [value])
                 if item is not None and item != ""]
        if self.op == "in":
            return any(item in self.values for item in items)
        if self.op == "not_in":
            return not any(item in self.values for item in items)
        if self.op == "empty":
            return not items
        if self.op == "filled":
            return bool(items)
        return any(_compares(item, self.op, self.values[0]) for item in items)

    def describe(self, label_of: Mapping[str, str]) -> str:
        label = label_of.get(self.name, self.name).lower()
        shown = " or ".join(_shown(v) for v in self.values)
        if self.op == "in":
            return f"{label} is {shown}"
        if self.op == "not_in":
            return f"{label} is not {shown}" if len(self.values) == 1 else \
                f"{label} is none of {', '.join(_shown(v) for v in self.values)}"
        if self.op == "empty":
            return f"{label} is empty"
        if self.op == "filled":
            return f"{label} is filled in"
        return f"{label} {_WORDS[self.op]} {shown}"

    def as_json(self) -> dict[str, Any]:
        return {"field": self.name, "op": self.op, "values": [_as_posted(v) for v in self.values]}


@dataclass(frozen=True)
class AllOf(Condition):
    parts: tuple[Condition, ...]

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(name for part in self.parts for name in part.field_names))

    def terms(self) -> Iterable[Term]:
        for part in self.parts:
            yield from part.terms()

    def holds(self, values: Mapping[str, Any]) -> bool:
        return all(part.holds(values) for part in self.parts)

    def describe(self, label_of: Mapping[str, str]) -> str:
        return " and ".join(_grouped(part, label_of) for part in self.parts)

    def as_json(self) -> dict[str, Any]:
        return {"all": [part.as_json() for part in self.parts]}


@dataclass(frozen=True)
class AnyOf(AllOf):
    def holds(self, values: Mapping[str, Any]) -> bool:
        return any(part.holds(values) for part in self.parts)

    def describe(self, label_of: Mapping[str, str]) -> str:
        return " or ".join(_grouped(part, label_of) for part in self.parts)

    def as_json(self) -> dict[str, Any]:
        return {"any": [part.as_json() for part in self.parts]}


def parse_condition(raw: Mapping[str, Any]) -> Condition:
    """The ``Condition`` a YAML mapping (already shaped by the meta-schema) stands for."""
    parts: list[Condition] = []
    for key, value in raw.items():
        if key in COMBINATORS:
            inner = tuple(parse_condition(item) for item in value)
            parts.append(AllOf(inner) if key == "all" else AnyOf(inner))
        elif isinstance(value, dict):
            parts.extend(_operator_terms(key, value))
        else:
            parts.append(Term(key, "in", tuple(value) if isinstance(value, list) else (value,)))
    return parts[0] if len(parts) == 1 else AllOf(tuple(parts))


def _operator_terms(name: str, operators: Mapping[str, Any]) -> list[Term]:
    terms = []
    for op, operand in operators.items():
        listed = tuple(operand) if isinstance(operand, list) else (operand,)
        if op == "not":
            terms.append(Term(name, "not_in", listed))
        elif op == "one_of":
            terms.append(Term(name, "in", listed))
        elif op == "empty":
            terms.append(Term(name, "empty" if operand else "filled"))
        else:
            terms.append(Term(name, op, (operand,)))
    return terms


def _compares(value: Any, op: str, bound: Any) -> bool:
    """Numbers with numbers, text (ISO dates) with text; anything else never compares."""
    numeric = (int, float)
    if isinstance(value, bool) or isinstance(bound, bool):
        return False
    if not ((isinstance(value, numeric) and isinstance(bound, numeric))
            or (isinstance(value, str) and isinstance(bound, str))):
        return False
    if op == "greater_than":
        return value > bound
    if op == "less_than":
        return value < bound
    if op == "at_least":
        return value >= bound
    return value <= bound


def _grouped(part: Condition, label_of: Mapping[str, str]) -> str:
    text = part.describe(label_of)
    return f"({text})" if isinstance(part, AllOf) and len(part.parts) > 1 else text


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _as_posted(value: Any) -> str | int | float:
    """As the browser posts it: a yes/no field's radios send true/false; numbers stay numbers to compare."""
    if isinstance(value, bool):
        return str(value).lower()
    return value if isinstance(value, (int, float)) else str(value)
