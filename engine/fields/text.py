"""Free-text field types: text (one line), textarea (paragraphs) and person (a name)."""
from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, Iterable, Mapping

from markupsafe import Markup, escape
from wtforms import StringField, TextAreaField

from engine.fields.base import FieldType
from engine.fields.conditions import AnyKey, Condition, Contains, Terms
from engine.fields.values import cell_text, is_blank, lower_first

if TYPE_CHECKING:
    from wtforms.fields.core import UnboundField
    from engine.schema.model import Field


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class TextType(FieldType):
    """One line of text, such as a project title; ``min_length`` and ``max_length`` (default 250) bound it."""

    name = "text"
    options = frozenset({"min_length", "max_length"})
    searchable = True
    search_weight = 2.5
    template = "text"
    default_max_length: ClassVar[int] = 250
    form_class: ClassVar[type] = StringField
    render_kw: ClassVar[Mapping[str, str]] = MappingProxyType({})

    def max_length(self, field: Field) -> int:
        return field.max_length or self.default_max_length

    def json_schema(self, field: Field) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "string", "maxLength": self.max_length(field)}
        if field.min_length:
            schema["minLength"] = field.min_length
        return schema

    def invalid_message(self, field: Field, value: Any) -> str:
        if isinstance(value, str) and len(value) > self.max_length(field):
            return f"{field.label} must be {self.max_length(field):,} characters or fewer"
        if isinstance(value, str) and field.min_length and len(value) < field.min_length:
            return f"{field.label} must be {field.min_length:,} characters or more"
        return f"Enter {lower_first(field.label)} as text"

    def form_field(self, field: Field) -> UnboundField:
        return self.form_class(field.label, description=field.help, filters=[_strip],
                               render_kw=dict(self.render_kw) or None)

    def from_form(self, field: Field, data: Any) -> str | None:
        return None if is_blank(data) else str(data).strip()

    def parse_filter(self, field: Field, raw: str) -> str:
        return raw.strip()

    def matches(self, field: Field, value: Any, wanted: str) -> bool:
        return wanted.casefold() in self.search_text(field, value).casefold()

    def filter_terms(self, field: Field, value: Any) -> Terms:
        return Terms(text=self.search_text(field, value).casefold())

    def filter_condition(self, field: Field, wanted: str) -> Condition:
        return Contains(wanted.casefold())

    def describe_filter(self, field: Field, wanted: str) -> str:
        return f"contains \u201c{wanted}\u201d"

    def from_cell(self, field: Field, cell: Any) -> str | None:
        return None if is_blank(cell) else cell_text(cell)


class TextareaType(TextType):
    """Several paragraphs, such as aims or outcomes; ``max_length`` defaults to 20,000 characters."""

    name = "textarea"
    template = "textarea"
    search_weight = 1.5
    describes = True
    default_max_length = 20000
    form_class = TextAreaField

    def from_form(self, field: Field, data: Any) -> str | None:
        # Browsers post line breaks as CRLF; store them as the LF everything else writes.
        text = super().from_form(field, data)
        return None if text is None else text.replace("\r\n", "\n")

    def display(self, field: Field, value: Any) -> Markup:
        """Blank lines start a paragraph and single line breaks are kept, as the author typed them."""
        if is_blank(value):
            return Markup("")
        paragraphs = str(value).replace("\r\n", "\n").split("\n\n")
        return Markup("").join(
            Markup("<p>{}</p>").format(Markup("<br>").join(escape(line) for line in p.strip().split("\n")))
            for p in paragraphs if p.strip()
        )


class PersonType(TextType):
    """A person's name, such as the project lead; facetable, so readers can list one person's work."""

    name = "person"
    options = frozenset({"max_length"})
    facetable = True
    single_key = True
    links_values = True
    names_person = True
    default_max_length = 200
    render_kw = MappingProxyType({"autocomplete": "name", "spellcheck": "false"})

    def facet_keys(self, field: Field, value: Any) -> Iterable[str]:
        return () if is_blank(value) else (str(value).strip(),)

    def matches(self, field: Field, value: Any, wanted: str) -> bool:
        return not is_blank(value) and str(value).strip().casefold() == wanted.casefold()

    def filter_terms(self, field: Field, value: Any) -> Terms:
        return Terms(keys=() if is_blank(value) else (str(value).strip().casefold(),))

    def filter_condition(self, field: Field, wanted: str) -> Condition:
        return AnyKey((wanted.casefold(),))

    def describe_filter(self, field: Field, wanted: str) -> str:
        return f"is {wanted}"
