"""Listing columns and facets of a repository, built once per hosted repository from ``listing``.

A column or facet names either a field (its type formats the value) or a system field (reference, status,
created, ...). Templates call ``column.text(record)`` and ``facet.describe(key)`` and never ask which it is.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property, lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from engine.fields.base import CellError
from engine.schema.model import Field, RepositoryType

SYSTEM_LABELS = {
    "reference": "Reference", "status": "Status", "created": "Created", "created_by": "Created by",
    "updated": "Updated", "updated_by": "Updated by", "version": "Version",
}


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
#: Times are stored in UTC and shown as the clock on the ward wall shows them.
LOCAL_TIME = ZoneInfo("Europe/London")


@lru_cache(maxsize=8192)
def when(value: Any) -> str:
    """'27 November 2026 at 14:05' for datetimes (UK time), '27 November 2026' for dates; '' for nothing.

    Cached: a browse page shows the same timestamps request after request.
    """
    if isinstance(value, datetime):
        local = value.astimezone(LOCAL_TIME) if value.tzinfo else value
        return f"{local.day} {MONTHS[local.month - 1]} {local.year} at {local.hour:02d}:{local.minute:02d}"
    if isinstance(value, date):
        return f"{value.day} {MONTHS[value.month - 1]} {value.year}"
    return "" if value is None else str(value)


def day(value: Any) -> str:
    """'27 Nov 2026': the day of a timestamp (UK time) with the month shortened as the NHS style allows in
    tables, so a six-column listing fits beside the filters; the time is on the record page."""
    if isinstance(value, datetime):
        local = value.astimezone(LOCAL_TIME) if value.tzinfo else value
        return f"{local.day} {MONTHS[local.month - 1][:3]} {local.year}"
    return when(value)


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    field: Field | None = None      # None: a system field

    def text(self, record) -> str:
        value = record[self.name]
        if self.field is not None:
            return self.field.kind.display_text(self.field, value)
        return day(value)


#: The filter panel's two boxes of a range, as (URL suffix, label): ``?start_date_from=&start_date_to=``.
RANGE_ENDS = (("_from", "From"), ("_to", "To"))


@dataclass(frozen=True)
class Facet:
    """A filterable field (or the record's status) offered as checkboxes on the browse page."""
    name: str
    label: str
    field: Field | None = None      # None: status
    allowed: tuple[str, ...] = ()   # status: the type's statuses

    def parse(self, raw: str) -> Any:
        """One URL value -> the value a Query filters on; ``CellError`` with a message for users."""
        if self.field is not None:
            return self.field.kind.parse_filter(self.field, raw)
        if raw not in self.allowed:
            raise CellError(f"There is no {self.label.lower()} called “{raw}”.")
        return raw

    def describe(self, wanted: Any) -> str:
        """A phrase for the browse page's sentence: 'is In progress', 'includes Falls'."""
        if self.field is not None:
            return self.field.kind.describe_filter(self.field, wanted)
        return f"is {wanted}"

    def describe_key(self, key: str) -> str:
        """What a facet bucket (or a URL value) is called on the page: a choice's label, a status."""
        if self.field is not None:
            return self.field.kind.facet_label(self.field, key)
        return key

    @cached_property
    def ranged(self) -> bool:
        """Can it be asked for a range typed in two boxes (``?<name>_from=&<name>_to=``)?"""
        return self.field is not None and self.field.kind.ranged

    @property
    def range_inputs(self) -> tuple[tuple[str, str], ...]:
        """The URL parameter and label of each box of its range; none when it is not ``ranged``."""
        return tuple((self.name + suffix, label) for suffix, label in RANGE_ENDS) if self.ranged else ()

    @property
    def range_hint(self) -> str:
        return self.field.kind.range_hint if self.ranged else ""

    def parse_range(self, start: str, end: str) -> Any:
        """The two typed ends (either may be empty) -> one value a Query filters on; ``CellError`` if not."""
        return self.field.kind.parse_range_filter(self.field, start, end)


def label_of(rtype: RepositoryType, name: str) -> str:
    if name in rtype.field_map:
        return rtype.field(name).label
    return SYSTEM_LABELS.get(name, name)


def build_columns(rtype: RepositoryType) -> tuple[Column, ...]:
    return tuple(Column(name, label_of(rtype, name), rtype.field_map.get(name)) for name in rtype.listing.columns)


def build_filters(rtype: RepositoryType) -> dict[str, Facet]:
    """Every name a browse URL may filter on: each field and ``status``; facets are the listed subset."""
    filters = {f.name: Facet(f.name, f.label, f) for f in rtype.fields}
    filters["status"] = Facet("status", "Status", None, rtype.status_names)
    return filters
