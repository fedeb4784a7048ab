"""Freezing checked drafts into the typed model: ``Field``, ``RepositoryType`` and their parts."""
from __future__ import annotations

from typing import Any

from engine.fields.base import FieldType
from engine.schema.draft import FieldDraft, TypeDraft
from engine.schema.model import Choice, Condition, Field, Listing, RepositoryType, Section, Source, Status

#: YAML key -> ``Field`` attribute, where the names differ.
RENAMED = {"min": "minimum", "max": "maximum", "type": "type_name"}
#: Keys that only steer resolution; they are not part of the resolved field.
RESOLUTION_KEYS = frozenset({"after"})


def build_field(draft: FieldDraft, kind: FieldType) -> Field:
    """The frozen field; the draft's keys are known to be valid for ``kind``."""
    attrs: dict[str, Any] = {"searchable": kind.searchable}
    for key, value in draft.values.items():
        if key in RESOLUTION_KEYS:
            continue
        attrs[RENAMED.get(key, key)] = _convert(key, value)
    return Field(kind=kind, source=source_of(draft.origin), **attrs)


def _convert(key: str, value: Any) -> Any:
    if key == "choices":
        return tuple(parse_choice(item) for item in value)
    if key in ("show_when", "required_when"):
        return parse_condition(value)
    if key == "accept":
        return tuple(ext.lower() for ext in value)
    return value


def parse_choice(item: str | dict[str, str]) -> Choice:
    if isinstance(item, dict):
        return Choice(item["value"], item["label"])
    return Choice(item, item)


def parse_condition(raw: dict[str, Any]) -> Condition:
    return Condition(tuple((name, tuple(v if isinstance(v, list) else [v])) for name, v in raw.items()))


def parse_status(item: str | dict[str, Any]) -> Status:
    if isinstance(item, dict):
        return Status(item["name"], bool(item.get("closed", False)), item.get("help", ""))
    return Status(item)


def default_record_title(fields: list[Field], text_kind: FieldType | None) -> str:
    """The first plain text field titles a record; without one, its reference does."""
    for field in fields:
        if field.kind is text_kind:
            return field.name
    return "reference"


def build_type(draft: TypeDraft, fields: list[Field], record_title: str) -> RepositoryType:
    values = draft.values
    listing = draft.listing
    return RepositoryType(
        name=draft.name,
        title=values["title"],
        title_plural=values["title_plural"],
        description=values.get("description", ""),
        reference_prefix=values["reference_prefix"],
        fields=tuple(fields),
        statuses=tuple(parse_status(item) for item in values["statuses"]),
        listing=Listing(
            columns=tuple(listing.get("columns", default_columns(record_title))),
            facets=tuple(listing.get("facets", ("status",))),
            sort=listing.get("sort", "-updated"),
            per_page=listing.get("per_page", 25),
        ),
        record_title=record_title,
        sections=tuple(Section(s["name"], s["title"], s.get("help", "")) for s in values.get("sections", ())),
        extends=draft.extends,
        source=source_of(draft.origin),
    )


def default_columns(record_title: str) -> tuple[str, ...]:
    middle = () if record_title == "reference" else (record_title,)
    return ("reference", *middle, "status", "updated")


def source_of(spot) -> Source:
    """The model's ``Source`` for a place in a YAML file."""
    return Source(spot.doc.shown_path, spot.line)
