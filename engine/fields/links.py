"""Field types that point somewhere: email (a mailto link), url (a web page) and reference (another record)."""
from __future__ import annotations

import re
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Callable, Iterable

from markupsafe import Markup, escape
from wtforms import SelectMultipleField
from wtforms.fields import EmailField, URLField

from engine.fields.base import CellError, FieldType
from engine.fields.conditions import Terms, string_items
from engine.fields.formfields import SelectChoiceField, options
from engine.fields.text import TextType
from engine.fields.values import as_list, is_blank, join_cell, lower_first, quoted, split_cell, unique, whole

if TYPE_CHECKING:
    from wtforms.fields.core import UnboundField
    from engine.schema.model import Field

EMAIL_PATTERN = whole(r"[^@\s]+@[^@\s]+\.[^@\s]+")
URL_PATTERN = whole(r"https?://[^\s/?#]+[^\s]*")
REFERENCE_PATTERN = whole(r"[A-Z][A-Z0-9]*-\d{4,9}")     # up to a billion records; no 5,000-digit numbers


class EmailType(TextType):
    """An email address, such as a contact's; shown as a mailto link."""

    name = "email"
    options = frozenset({"max_length"})
    default_max_length = 254
    search_weight = 1.0
    form_class = EmailField
    render_kw = MappingProxyType({"autocomplete": "email", "spellcheck": "false"})

    def json_schema(self, field: Field) -> dict[str, Any]:
        return {**super().json_schema(field), "format": "email", "pattern": EMAIL_PATTERN}

    def invalid_message(self, field: Field, value: Any) -> str:
        if isinstance(value, str) and len(value) > self.max_length(field):
            return super().invalid_message(field, value)
        return f"Enter {lower_first(field.label)} in the correct format, like name@example.com"

    def display(self, field: Field, value: Any) -> Markup:
        if is_blank(value):
            return Markup("")
        return Markup('<a href="mailto:{0}">{0}</a>').format(str(value))


class UrlType(TextType):
    """A web address, such as a published report's; only http and https addresses are accepted or linked."""

    name = "url"
    options = frozenset({"max_length"})
    default_max_length = 2000
    search_weight = 1.0
    form_class = URLField
    render_kw = MappingProxyType({"spellcheck": "false"})

    def json_schema(self, field: Field) -> dict[str, Any]:
        return {**super().json_schema(field), "pattern": URL_PATTERN}

    def invalid_message(self, field: Field, value: Any) -> str:
        if isinstance(value, str) and len(value) > self.max_length(field):
            return super().invalid_message(field, value)
        return f"Enter {lower_first(field.label)} starting with https:// or http://, like https://www.nhs.uk"

    def from_form(self, field: Field, data: Any) -> str | None:
        return _lower_scheme(super().from_form(field, data))

    def from_cell(self, field: Field, cell: Any) -> str | None:
        return _lower_scheme(super().from_cell(field, cell))

    def display(self, field: Field, value: Any) -> Markup:
        # Anything that is not http(s) (javascript:, data:) is shown as text, never made a link.
        if is_blank(value) or not re.match(URL_PATTERN, str(value)):
            return super().display(field, value)
        return Markup('<a href="{0}" rel="noopener noreferrer">{0}</a>').format(str(value))


def _lower_scheme(url: str | None) -> str | None:
    """'HTTPS://Example.org' -> 'https://Example.org', so the http(s) pattern accepts what people paste."""
    if url and re.match(r"^https?://", url, re.IGNORECASE):
        scheme, rest = url.split("://", 1)
        return f"{scheme.lower()}://{rest}"
    return url


class ReferenceType(FieldType):
    """A link to another record, such as the audit a re-audit follows; ``target`` names the repository type
    and ``multiple: true`` allows several. The form offers the target's records (see ``load_choices``)."""

    name = "reference"
    options = frozenset({"target", "multiple"})
    required_options = frozenset({"target"})
    searchable = True
    template = "reference"
    missing_verb = "Select"

    def json_schema(self, field: Field) -> dict[str, Any]:
        one = {"type": "string", "pattern": REFERENCE_PATTERN}
        if field.multiple:
            return {"type": "array", "items": one, "uniqueItems": True}
        return one

    def invalid_message(self, field: Field, value: Any) -> str:
        return f"Select {lower_first(field.label)} from the list of records"

    def missing_message(self, field: Field, references: list[str]) -> str:
        """Well-formed references that name no live record of the target (a typo, an API call or an import
        naming one that never existed or was deleted)."""
        verb = "does" if len(references) == 1 else "do"
        return f"{self.invalid_message(field, references)}: {', '.join(references)} {verb} not exist"

    def form_field(self, field: Field) -> UnboundField:
        if field.multiple:
            return SelectMultipleField(field.label, description=field.help, choices=[])
        return SelectChoiceField(field.label, description=field.help, choices=[])

    def load_choices(self, field: Field, bound: Any,
                     records_of: Callable[[str], Iterable[tuple[str, str]]]) -> None:
        blank = [] if field.multiple else [("", "Choose a record")]
        records = [(ref, f"{ref} {title}".strip()) for ref, title in records_of(field.target)]
        bound.choices = options(blank + records)

    def from_form(self, field: Field, data: Any) -> Any:
        items = [item for item in as_list(data) if not is_blank(item)]
        if field.multiple:
            return items or None
        return items[0] if items else None

    def display_text(self, field: Field, value: Any) -> str:
        return ", ".join(as_list(value))

    def display(self, field: Field, value: Any) -> Markup:
        return escape(self.display_text(field, value))

    def parse_filter(self, field: Field, raw: str) -> str:
        return _reference(raw)

    def filter_schema(self, field: Field) -> dict[str, Any]:
        return {"type": "string", "pattern": REFERENCE_PATTERN}

    def matches(self, field: Field, value: Any, wanted: str) -> bool:
        return wanted in as_list(value)

    def filter_terms(self, field: Field, value: Any) -> Terms:
        return Terms(keys=string_items(as_list(value)))

    def describe_filter(self, field: Field, wanted: str) -> str:
        return f"includes {wanted}" if field.multiple else f"is {wanted}"

    def sort_key(self, field: Field, value: Any) -> Any:
        refs = as_list(value)
        if not refs:
            return (1, ())
        return (0, tuple(_reference_key(str(ref)) for ref in refs))

    def to_cell(self, field: Field, value: Any) -> str | None:
        return join_cell(as_list(value))

    def from_cell(self, field: Field, cell: Any) -> Any:
        refs = unique(_reference(item) for item in split_cell(cell))
        if field.multiple:
            return refs or None
        if len(refs) > 1:
            raise CellError(f"{quoted(cell)} names more than one record; this column takes one")
        return refs[0] if refs else None


def _reference_key(ref: str) -> tuple[str, int]:
    """QI-0002 before QI-0010 (by number, not text); an unreadable stored value still sorts somewhere."""
    prefix, _, number = ref.rpartition("-")
    return (prefix, int(number)) if number.isdigit() else (ref, -1)


def _reference(raw: str) -> str:
    ref = raw.strip().upper()
    if not re.match(REFERENCE_PATTERN, ref):
        raise CellError(f"{quoted(raw)} is not a record reference like QI-0001")
    return ref
