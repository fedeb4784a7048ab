"""Field types whose values come from a list: choice (one option), multichoice (several) and tags (free keywords)."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Iterable

from markupsafe import Markup

from engine.fields.base import CellError, FieldType
from engine.fields.conditions import AnyKey, Condition, Terms, string_items
from engine.fields.formfields import (CheckboxesField, RadioChoiceField, SelectChoiceField, TagsInputField,
                                     options)
from engine.fields.values import (as_list, html_list, is_blank, join_cell, lower_first, plural, quoted,
                                  split_cell, unique)

if TYPE_CHECKING:
    from wtforms.fields.core import UnboundField
    from engine.schema.model import Field

_COMMAS = re.compile(r"\s*,\s*")
#: Up to this many options are radios; more become a drop-down (NHS.UK: radios for short lists).
RADIO_LIMIT = 8


def find_choice(field: Field, raw: Any) -> str:
    """The value of the option named by its value or its label, in any case."""
    wanted = str(raw).strip().casefold()
    for choice in field.choices:
        if wanted in (choice.value.casefold(), choice.label.casefold()):
            return choice.value
    found = _spaced(field, wanted) if "," in wanted else None
    if found is None:
        offered = ", ".join(choice.label for choice in field.choices)
        raise CellError(f"{quoted(raw)} is not one of the options: {offered}")
    return found


def _spaced(field: Field, wanted: str) -> str | None:
    """"Women,children" is "Women, children": commas are spaced however people type them."""
    spaced = _COMMAS.sub(", ", wanted)
    for choice in field.choices:
        if spaced in (_COMMAS.sub(", ", choice.value.casefold()), _COMMAS.sub(", ", choice.label.casefold())):
            return choice.value
    return None


def _option(field: Field, raw: Any) -> str | None:
    try:
        return find_choice(field, raw)
    except CellError:
        return None


def find_choices(field: Field, cell: Any) -> list[str]:
    """The options a cell names: separated by semicolons, as exports write them, or by commas, as people
    type them ("Safe, Effective"). An option whose label holds a comma ("Women, children and families")
    is still found whole: the longest run of comma-separated words that names an option is taken first."""
    found = []
    for item in split_cell(cell):
        if (whole := _option(field, item)) is not None:
            found.append(whole)
            continue
        parts = [part for part in _COMMAS.split(item) if part.strip()]
        while parts:
            taken = next((n for n in range(len(parts), 0, -1) if _option(field, ", ".join(parts[:n]))), 0)
            if not taken:
                find_choice(field, parts[0])     # the message names the first words that are no option
            found.append(_option(field, ", ".join(parts[:taken])))
            parts = parts[taken:]
    return found


def choice_order(field: Field, value: Any) -> tuple[int, str]:
    """Options sort in the order the schema lists them (Low, Medium, High), unknown values after them."""
    for index, choice in enumerate(field.choices):
        if choice.value == value:
            return (index, "")
    return (len(field.choices), str(value).casefold())


class ChoiceType(FieldType):
    """One option from ``choices``, such as a division: radios for up to 8 options, a drop-down for more."""

    name = "choice"
    options = frozenset({"choices"})
    required_options = frozenset({"choices"})
    facetable = True
    single_key = True
    links_values = True
    searchable = True
    search_weight = 1.2
    template = "radios-or-select"
    missing_verb = "Select"

    def json_schema(self, field: Field) -> dict[str, Any]:
        return {"type": "string", "enum": list(field.choice_values)}

    def invalid_message(self, field: Field, value: Any) -> str:
        return f"Select {lower_first(field.label)} from the options given"

    def form_field(self, field: Field) -> UnboundField:
        pairs = [(c.value, c.label) for c in field.choices]
        message = self.invalid_message(field, None)
        if len(pairs) <= RADIO_LIMIT:
            return RadioChoiceField(field.label, description=field.help, choices=options(pairs),
                                    invalid_choice_message=message)
        return SelectChoiceField(field.label, description=field.help, invalid_choice_message=message,
                                 choices=options([("", "Choose an option"), *pairs]))

    def display_text(self, field: Field, value: Any) -> str:
        return field.choice_label(value)

    def facet_label(self, field: Field, key: str) -> str:
        return field.choice_label(key)

    def parse_filter(self, field: Field, raw: str) -> str:
        return find_choice(field, raw)

    def filter_schema(self, field: Field) -> dict[str, Any]:
        # Only the values, exactly: the page also reads a label or another case, a shorthand the API leaves out.
        return {"enum": list(field.choice_values)}

    def matches(self, field: Field, value: Any, wanted: str) -> bool:
        return wanted in as_list(value)

    def filter_terms(self, field: Field, value: Any) -> Terms:
        return Terms(keys=string_items(as_list(value)))

    def describe_filter(self, field: Field, wanted: str) -> str:
        return f"is {field.choice_label(wanted)}"

    def sort_key(self, field: Field, value: Any) -> Any:
        return (1, ()) if self.is_empty(value) else (0, choice_order(field, value))

    def from_cell(self, field: Field, cell: Any) -> str | None:
        return None if is_blank(cell) else find_choice(field, cell)


class MultichoiceType(ChoiceType):
    """Any number of options from ``choices``, as checkboxes, such as the staff groups involved; ``min`` and
    ``max`` bound how many may be chosen."""

    name = "multichoice"
    options = frozenset({"choices", "min", "max"})
    single_key = False
    template = "checkboxes"

    def json_schema(self, field: Field) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "array", "items": {"enum": list(field.choice_values)}, "uniqueItems": True}
        if field.minimum is not None:
            schema["minItems"] = int(field.minimum)
        if field.maximum is not None:
            schema["maxItems"] = int(field.maximum)
        return schema

    def invalid_message(self, field: Field, value: Any) -> str:
        count = len(value) if isinstance(value, list) else 0
        if field.minimum is not None and count < field.minimum:
            return f"Select at least {plural(int(field.minimum), 'option')} for {lower_first(field.label)}"
        if field.maximum is not None and count > field.maximum:
            return f"Select no more than {plural(int(field.maximum), 'option')} for {lower_first(field.label)}"
        return super().invalid_message(field, value)

    def form_field(self, field: Field) -> UnboundField:
        return CheckboxesField(field.label, description=field.help,
                               choices=options((c.value, c.label) for c in field.choices),
                               invalid_choice_message=self.invalid_message(field, None))

    def from_form(self, field: Field, data: Any) -> list[str] | None:
        return unique(as_list(data), key=str) or None

    def to_form(self, field: Field, value: Any) -> list[str]:
        return as_list(value)

    def labels(self, field: Field, value: Any) -> list[str]:
        return [field.choice_label(item) for item in as_list(value)]

    def display_text(self, field: Field, value: Any) -> str:
        return ", ".join(self.labels(field, value))

    def display(self, field: Field, value: Any) -> Markup:
        return html_list(self.labels(field, value), self.list_class)

    def facet_keys(self, field: Field, value: Any) -> Iterable[str]:
        return tuple(as_list(value))

    def describe_filter(self, field: Field, wanted: str) -> str:
        return f"includes {field.choice_label(wanted)}"

    def sort_key(self, field: Field, value: Any) -> Any:
        items = as_list(value)
        return (0, tuple(sorted(choice_order(field, item) for item in items))) if items else (1, ())

    def to_cell(self, field: Field, value: Any) -> str | None:
        return join_cell(self.labels(field, value))

    def from_cell(self, field: Field, cell: Any) -> list[str] | None:
        return unique(find_choices(field, cell), key=str) or None


_TAG_SEPARATORS = re.compile(r"\s*[;,]\s*")
#: The longest one entry of a tags field may be.
TAG_LENGTH = 100


def _entries(count: int) -> str:
    return "1 entry" if count == 1 else f"{count} entries"


class TagsType(FieldType):
    """Free keywords such as "sepsis, falls", typed comma-separated; ``max`` bounds how many. A filter or
    facet on a keyword matches it in any case."""

    name = "tags"
    options = frozenset({"max"})
    facetable = True
    links_values = True
    searchable = True
    search_weight = 1.2
    template = "tags"
    list_class = "nhsuk-list app-tag-list"

    def json_schema(self, field: Field) -> dict[str, Any]:
        tag = {"type": "string", "minLength": 1, "maxLength": TAG_LENGTH, "pattern": r"\S"}
        schema: dict[str, Any] = {"type": "array", "items": tag, "uniqueItems": True}
        if field.maximum is not None:
            schema["maxItems"] = int(field.maximum)
        return schema

    def invalid_message(self, field: Field, value: Any) -> str:
        # "entries", not "keywords": a tags field may hold a team's names as well as keywords.
        label = lower_first(field.label)
        if field.maximum is not None and isinstance(value, list) and len(value) > field.maximum:
            return f"Enter no more than {_entries(int(field.maximum))} for {label}"
        if isinstance(value, list) and any(isinstance(tag, str) and len(tag) > TAG_LENGTH for tag in value):
            return f"Each entry in {label} must be {TAG_LENGTH} characters or fewer"
        return f"Enter {label} separated by commas"

    def form_hint(self, field: Field) -> str:
        limit = f"; up to {_entries(int(field.maximum))}" if field.maximum is not None else ""
        return f"Separate entries with commas{limit}."

    def form_field(self, field: Field) -> UnboundField:
        return TagsInputField(field.label, description=field.help, render_kw={"spellcheck": "true"})

    def from_form(self, field: Field, data: Any) -> list[str] | None:
        return unique(tag.strip() for tag in as_list(data) if tag.strip()) or None

    def to_form(self, field: Field, value: Any) -> list[str]:
        return as_list(value)

    def display_text(self, field: Field, value: Any) -> str:
        return ", ".join(as_list(value))

    def display(self, field: Field, value: Any) -> Markup:
        return html_list(as_list(value), self.list_class)

    def facet_keys(self, field: Field, value: Any) -> Iterable[str]:
        return tuple(as_list(value))

    def filter_schema(self, field: Field) -> dict[str, Any]:
        return {"type": "string", "pattern": r"\S"}

    def parse_filter(self, field: Field, raw: str) -> str:
        if not raw.strip():
            raise CellError(f"Enter {lower_first(field.label)} to filter by")
        return raw.strip()

    def matches(self, field: Field, value: Any, wanted: str) -> bool:
        return wanted.casefold() in (tag.casefold() for tag in as_list(value))

    def filter_terms(self, field: Field, value: Any) -> Terms:
        return Terms(keys=string_items(tag.casefold() for tag in as_list(value) if isinstance(tag, str)))

    def filter_condition(self, field: Field, wanted: str) -> Condition:
        return AnyKey((wanted.casefold(),))

    def describe_filter(self, field: Field, wanted: str) -> str:
        return f"includes \u201c{wanted}\u201d"

    def sort_key(self, field: Field, value: Any) -> Any:
        tags = as_list(value)
        return (0, tuple(tag.casefold() for tag in tags)) if tags else (1, ())

    def to_cell(self, field: Field, value: Any) -> str | None:
        return join_cell(as_list(value))

    def from_cell(self, field: Field, cell: Any) -> list[str] | None:
        return unique(split_cell(cell, _TAG_SEPARATORS)) or None
