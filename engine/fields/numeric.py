"""Field types holding a number or a yes/no answer: number and boolean."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable

from wtforms import BooleanField

from engine.fields.base import CellError, FieldType
from engine.fields.conditions import Condition, Terms, Within, yes_no_condition
from engine.fields.formfields import NumberInputField
from engine.fields.values import cell_text, is_blank, parse_number, parse_yes_no, quoted, split_range

if TYPE_CHECKING:
    from wtforms.fields.core import UnboundField
    from engine.schema.model import Field


def format_number(number: int | float) -> str:
    """1234 -> '1,234', 2.5 -> '2.5', 0.1 + 0.2 -> '0.3'."""
    return f"{number:,}" if isinstance(number, int) else f"{number:,.10g}"


def read_number(field: Field, cell: Any) -> int | float:
    """A number from a cell or filter: 1,234 and 2.5 as text, or numbers as spreadsheets give them."""
    if isinstance(cell, bool) or not isinstance(cell, (int, float, str)):
        raise CellError(f"{quoted(cell)} is not a number")
    try:
        return parse_number(cell_text(cell), integer=field.integer)
    except ValueError as error:
        kind = "a whole number" if str(error) == "whole" else "a number"
        raise CellError(f"{quoted(cell)} is not {kind}") from None


@dataclass(frozen=True)
class NumberRange:
    """A number filter: ``10``, ``10..20``, ``10..`` or ``..20`` (both ends included)."""
    low: int | float | None
    high: int | float | None

    def contains(self, number: int | float) -> bool:
        return (self.low is None or number >= self.low) and (self.high is None or number <= self.high)

    def describe(self) -> str:
        low, high = (None if n is None else format_number(n) for n in (self.low, self.high))
        if self.low == self.high:
            return f"is {low}"
        if low is not None and high is not None:
            return f"is between {low} and {high}"
        return f"is {low} or more" if low is not None else f"is {high} or less"


class NumberType(FieldType):
    """A number, such as patients included or cost; ``integer: true`` for whole numbers, ``min``/``max`` bound it."""

    name = "number"
    options = frozenset({"min", "max", "integer"})
    template = "text"

    def json_schema(self, field: Field) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "integer" if field.integer else "number"}
        if field.minimum is not None:
            schema["minimum"] = field.minimum
        if field.maximum is not None:
            schema["maximum"] = field.maximum
        return schema

    def invalid_message(self, field: Field, value: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"{field.label} must be a number"
        if field.integer and not float(value).is_integer():
            return f"{field.label} must be a whole number"
        low, high = field.minimum, field.maximum
        if low is not None and high is not None:
            return f"{field.label} must be between {format_number(low)} and {format_number(high)}"
        if low is not None:
            return f"{field.label} must be {format_number(low)} or more"
        return f"{field.label} must be {format_number(high)} or less"

    def form_field(self, field: Field) -> UnboundField:
        return NumberInputField(field.label, description=field.help, integer=field.integer)

    def display_text(self, field: Field, value: Any) -> str:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return format_number(value)
        return super().display_text(field, value)

    def filter_schema(self, field: Field) -> dict[str, Any]:
        # One number (no bounds: a value outside them matches nothing); ``10..20`` is the browse page's.
        return {"type": "integer" if field.integer else "number"}

    def parse_filter(self, field: Field, raw: str) -> NumberRange:
        ends = split_range(raw) or (raw, raw)
        if not any(ends):
            raise CellError(f"{quoted(raw)} is not a number or a range like 10..20")
        low, high = (read_number(field, end) if end else None for end in ends)
        if low is not None and high is not None and low > high:
            raise CellError(f"{quoted(raw)} ends before it starts")
        return NumberRange(low, high)

    def matches(self, field: Field, value: Any, wanted: NumberRange) -> bool:
        return isinstance(value, (int, float)) and not isinstance(value, bool) and wanted.contains(value)

    def filter_terms(self, field: Field, value: Any) -> Terms:
        is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
        return Terms(point=value if is_number else None)

    def filter_condition(self, field: Field, wanted: NumberRange) -> Condition:
        return Within(wanted.low, wanted.high)

    def describe_filter(self, field: Field, wanted: NumberRange) -> str:
        return wanted.describe()

    def sort_key(self, field: Field, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return (1, 0.0)
        return (0, float(value))

    def to_cell(self, field: Field, value: Any) -> int | float | None:
        return None if is_blank(value) else value

    def from_cell(self, field: Field, cell: Any) -> int | float | None:
        return None if is_blank(cell) else read_number(field, cell)


class BooleanType(FieldType):
    """A yes/no answer shown as one checkbox, such as "Shared with the trust's learning network"."""

    name = "boolean"
    facetable = True
    single_key = True
    template = "boolean"
    missing_verb = "Select"
    marked_optional = False

    def json_schema(self, field: Field) -> dict[str, Any]:
        return {"type": "boolean"}

    def invalid_message(self, field: Field, value: Any) -> str:
        return f"{field.label} must be yes or no"

    def is_empty(self, value: Any) -> bool:
        return value is None

    def form_field(self, field: Field) -> UnboundField:
        return BooleanField(field.label, description=field.help)

    def from_form(self, field: Field, data: Any) -> bool:
        return bool(data)

    def to_form(self, field: Field, value: Any) -> bool:
        return bool(value)

    def display_text(self, field: Field, value: Any) -> str:
        return "" if value is None else ("Yes" if value else "No")

    def facet_keys(self, field: Field, value: Any) -> Iterable[str]:
        return () if value is None else ("yes" if value else "no",)

    def facet_label(self, field: Field, key: str) -> str:
        return key.capitalize()

    def parse_filter(self, field: Field, raw: str) -> bool:
        return read_yes_no(raw)

    def filter_schema(self, field: Field) -> dict[str, Any]:
        return {"type": "boolean"}

    def matches(self, field: Field, value: Any, wanted: bool) -> bool:
        return value is not None and bool(value) == wanted

    def filter_condition(self, field: Field, wanted: Any) -> Condition:
        return yes_no_condition(wanted)

    def describe_filter(self, field: Field, wanted: bool) -> str:
        return "is Yes" if wanted else "is No"

    def sort_key(self, field: Field, value: Any) -> Any:
        return (1, False) if value is None else (0, bool(value))

    def to_cell(self, field: Field, value: Any) -> str | None:
        return self.display_text(field, value) or None

    def from_cell(self, field: Field, cell: Any) -> bool | None:
        return None if is_blank(cell) else read_yes_no(cell)


def read_yes_no(cell: Any) -> bool:
    try:
        return parse_yes_no(cell)
    except ValueError:
        raise CellError(f"{quoted(cell)} is not Yes or No") from None
