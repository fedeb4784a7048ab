"""The field-type contract and the registry that holds one instance of each type.

A field type is one small class that knows everything the engine does with a value of that type: the form
field that edits it, the JSON Schema fragment that validates it, how it is displayed, searched, filtered,
faceted and sorted, and how it is written to and read from a spreadsheet cell. Views, templates, the store
and the exporters ask the type; they never branch on a type's name.

Values are held in records as JSON-native data (str, int, float, bool, list, None); a date is an ISO string
``YYYY-MM-DD`` so that storage and JSON Schema need no conversion.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, ClassVar, Iterable

from jsonschema import Draft202012Validator, FormatChecker
from markupsafe import Markup, escape

from engine.fields.conditions import Condition, Terms, key_condition, string_items
from engine.fields.values import html_list, lower_first

if TYPE_CHECKING:
    from wtforms import Field as FormField
    from engine.schema.model import Field
    from engine.store.base import Upload

_FORMATS = FormatChecker()


class CellError(ValueError):
    """A spreadsheet cell or filter value that cannot be read as the field's type; the message is for users."""


class FieldType:
    """Base class: the defaults suit a single free-text value. Subclasses override what differs."""

    #: The ``type:`` name used in YAML.
    name: ClassVar[str] = ""
    #: Type-specific YAML keys this type accepts beyond the common ones (name, type, label, help, required,
    #: default, section, show_when, required_when, searchable).
    options: ClassVar[frozenset[str]] = frozenset()
    #: The subset of ``options`` a field of this type must give (``choices`` for a choice field).
    required_options: ClassVar[frozenset[str]] = frozenset()
    #: May the field be listed in ``listing.facets``?
    facetable: ClassVar[bool] = False
    #: Does every value the type accepts hold at most one filter key (``filter_terms``)? Then the records a
    #: filter on several keys finds are the sum of those each key finds, and PostgreSQL answers such a page's
    #: counts from the counts it keeps (``engine.store.postgres.pair_counts``) instead of counting rows.
    single_key: ClassVar[bool] = False
    #: Does free-text search (``?q=``) look inside this field by default?
    searchable: ClassVar[bool] = False
    #: How much a match in this field counts in a search's ranking, against others (``search_weight:`` in
    #: the YAML overrides it; the field that titles a record counts most, see ``engine.search.fields``).
    search_weight: ClassVar[float] = 1.0
    #: Does the text say what a record is about (an aim, a summary)? The first such field beside the title
    #: is what "Has this been done before?" and "Related records" compare records by.
    describes: ClassVar[bool] = False
    #: Is the value a person (a lead), whom search results name beside a record?
    names_person: ClassVar[bool] = False
    #: Name of the template snippet (under ``fields/form/`` and ``fields/display/``) used to render it.
    template: ClassVar[str] = "default"
    #: Does the value name attached files (ids in the store, file names in a spreadsheet)? Imports and
    #: exports swap ids and names for such fields and carry the files beside the spreadsheet.
    holds_files: ClassVar[bool] = False
    #: First word of the message for a required field left empty: "Enter", "Select" (options), "Upload" (files).
    missing_verb: ClassVar[str] = "Enter"
    #: Does the form say "(optional)" after the label of a field of this type that is not required? Not for a
    #: type whose input is answered either way (one yes/no checkbox: unticked is "no", never "left empty").
    marked_optional: ClassVar[bool] = True
    #: Does the record page link a value to the records that share it? Only where a facet key is the value
    #: itself (a choice, a keyword, a person), and so a filter on it finds the same value: not a date's year.
    links_values: ClassVar[bool] = False
    #: The classes of the list a value of several items is shown as on the record page.
    list_class: ClassVar[str] = "nhsuk-list nhsuk-list--bullet"
    #: Can a filter on it be asked for as two typed ends, From and To (``parse_range_filter``)? A type that
    #: can (the date) says what the boxes take in ``range_hint``.
    ranged: ClassVar[bool] = False

    # -- validation -----------------------------------------------------------------------------------
    def json_schema(self, field: "Field") -> dict[str, Any]:
        """JSON Schema (2020-12) fragment for a present, non-empty value of this field."""
        return {"type": "string"}

    def is_empty(self, value: Any) -> bool:
        return value is None or value == "" or value == []

    def invalid_message(self, field: "Field", value: Any) -> str:
        """What to tell the user when a present value fails this type's JSON Schema fragment."""
        return f"Enter a valid {lower_first(field.label)}"

    def check(self, field: "Field", value: Any) -> str | None:
        """Rules JSON Schema cannot express (a date's earliest and latest); a user message, or None."""
        return None

    def problem(self, field: "Field", value: Any) -> str | None:
        """The one message for a present value that is not acceptable, or None when it is.

        The JSON Schema fragment decides; the type words the answer in the user's terms, naming the label.
        """
        validator = Draft202012Validator(self.json_schema(field), format_checker=_FORMATS)
        if not validator.is_valid(value):
            return self.invalid_message(field, value)
        return self.check(field, value)

    # -- forms ------------------------------------------------------------------------------------------
    def form_field(self, field: "Field") -> "FormField":
        """An unbound WTForms field. Required-ness is enforced by the record validator, not here."""
        raise NotImplementedError

    def form_hint(self, field: "Field") -> str:
        """A hint the type adds under the field's own help on the form (how to type several keywords)."""
        return ""

    def from_form(self, field: "Field", data: Any) -> Any:
        """Turn the WTForms field's ``data`` into the stored value (``None`` when empty)."""
        return data if data not in ("", None, []) else None

    def to_form(self, field: "Field", value: Any) -> Any:
        """Turn a stored value into what the WTForms field expects as ``data``."""
        return value

    def load_choices(self, field: "Field", bound: "FormField",
                     records_of: Callable[[str], Iterable[tuple[str, str]]]) -> None:
        """Fill options known only at request time into the bound form field, e.g. a reference field's
        records: ``records_of(repository_type_name)`` yields ``(reference, title)`` pairs. Default: nothing."""

    def uploads(self, field: "Field", data: Any) -> list["Upload"]:
        """Files that arrived in this field's form data, ready for ``Records``; only file fields have any."""
        return []

    # -- display ------------------------------------------------------------------------------------------
    def display(self, field: "Field", value: Any) -> Markup:
        """HTML for the record page; always escaped. Default: the plain text, escaped."""
        return escape(self.display_text(field, value))

    def display_linked(self, field: "Field", value: Any, link: Callable[[str], str]) -> Markup:
        """``display`` with each item a link to the records that share it (``link(key)``: the browse page
        filtered on one of ``facet_keys``), for a type that ``links_values``; any other type is shown as
        ``display`` shows it."""
        if not (self.facetable and self.links_values):
            return self.display(field, value)
        links = [Markup('<a href="{}">{}</a>').format(link(key), self.facet_label(field, key))
                 for key in self.facet_keys(field, value)]
        if isinstance(value, (list, tuple)):
            return html_list(links, self.list_class)
        return Markup("").join(links)

    def display_text(self, field: "Field", value: Any) -> str:
        """Plain text: list cells, history lines, sentences."""
        return "" if value is None else str(value)

    # -- search, filters, facets, sort -------------------------------------------------------------------
    def search_text(self, field: "Field", value: Any) -> str:
        """Text that ``?q=`` searches (analysed by ``engine.search.analysis``); a type that holds files is
        searched through the text of its files instead (``holds_files``)."""
        return self.display_text(field, value)

    def facet_keys(self, field: "Field", value: Any) -> Iterable[str]:
        """The facet buckets a value falls into (a list value falls into several)."""
        if self.is_empty(value):
            return ()
        return (str(value),)

    def parse_filter(self, field: "Field", raw: str) -> Any:
        """Read one ``?<field>=<raw>`` URL value; raise ``CellError`` with a user message when invalid."""
        return raw

    def filter_schema(self, field: "Field") -> dict[str, Any]:
        """JSON Schema of one filter value as the API takes it (``?<field>=``, and each box of a range): the
        canonical form of what ``parse_filter`` reads, which the OpenAPI description gives and the API checks
        before the reader sees it. Default: any text."""
        return {"type": "string"}

    def parse_range_filter(self, field: "Field", start: str, end: str) -> Any:
        """The filter panel's From and To boxes (either may be empty) as one value ``matches`` takes, for a
        type that is ``ranged``; any other has no boxes, and a range asked of it is refused."""
        raise CellError(f"{field.label} cannot be filtered by a range")

    def matches(self, field: "Field", value: Any, wanted: Any) -> bool:
        """Does a stored value satisfy one parsed filter value?"""
        return wanted in self.facet_keys(field, value)

    def filter_terms(self, field: "Field", value: Any) -> Terms:
        """What a database finds a stored value by (``engine.fields.conditions``), derived when the record is
        written; it must agree with ``matches`` through ``filter_condition``. Default: the facet keys."""
        return Terms(keys=string_items(self.facet_keys(field, value)))

    def filter_condition(self, field: "Field", wanted: Any) -> Condition:
        """One parsed filter value as a condition on ``filter_terms``: what ``matches`` decides, as data."""
        return key_condition(wanted)

    def facet_label(self, field: "Field", key: str) -> str:
        """What a facet key is called on the page (a choice's label); the key itself goes in the URL."""
        return key

    def describe_filter(self, field: "Field", wanted: Any) -> str:
        """Human words for one parsed filter value, as in 'status is In progress'."""
        return str(wanted)

    def sort_key(self, field: "Field", value: Any) -> Any:
        """Key ordering records by this field; empty values must sort last and keys must be comparable."""
        return (1, "") if self.is_empty(value) else (0, self.display_text(field, value).casefold())

    # -- spreadsheets ---------------------------------------------------------------------------------------
    def to_cell(self, field: "Field", value: Any) -> Any:
        """The value written to a CSV/XLSX cell (str, int, float, bool, datetime.date or None)."""
        return None if self.is_empty(value) else self.display_text(field, value)

    def from_cell(self, field: "Field", cell: Any) -> Any:
        """Read a CSV/XLSX cell into a stored value; raise ``CellError`` with a user message when invalid."""
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            return None
        return str(cell).strip()

    def cell_reading(self, field: "Field", cell: Any) -> str | None:
        """What an import's report says of a cell the type read one way that a person may have meant another
        ("'03/04/2023' read as 3 April 2023"); None when there is nothing to say, as for most types."""
        return None


class FieldTypeRegistry:
    """Field types by name. Built-in types are registered exactly as an extension's would be."""

    def __init__(self) -> None:
        self._types: dict[str, FieldType] = {}

    def register(self, cls: type[FieldType]) -> type[FieldType]:
        if not cls.name:
            raise ValueError(f"{cls.__name__} has no name")
        if cls.name in self._types:
            raise ValueError(f"field type {cls.name!r} is registered twice")
        self._types[cls.name] = cls()
        return cls

    def __getitem__(self, name: str) -> FieldType:
        return self._types[name]

    def __contains__(self, name: object) -> bool:
        return name in self._types

    def __iter__(self):
        return iter(self._types.values())

    def names(self) -> tuple[str, ...]:
        return tuple(self._types)
