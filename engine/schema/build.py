"""Freezing checked drafts into the typed model: ``Field``, ``RepositoryType`` and their parts (the workflow,
notify and review blocks in ``engine.schema.workflow_build``)."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from engine.fields.base import FieldType
from engine.schema.draft import FieldDraft, TypeDraft
from engine.schema.conditions import parse_condition
from engine.schema.model import Choice, Field, Listing, RepositoryType, Section, Source, Status
from engine.schema.workflow_build import workflow_parts

#: YAML key -> ``Field`` attribute, where the names differ.
RENAMED = {"min": "minimum", "max": "maximum", "type": "type_name"}
#: Keys that only steer resolution; they are not part of the resolved field.
RESOLUTION_KEYS = frozenset({"after"})
#: The meta-schema's longest reference prefix.
MAX_PREFIX = 10


def build_field(draft: FieldDraft, kind: FieldType) -> Field:
    """The frozen field; the draft's keys are known to be valid for ``kind``."""
    attrs: dict[str, Any] = {"searchable": kind.searchable}
    for key, value in draft.values.items():
        if key in RESOLUTION_KEYS:
            continue
        attrs[RENAMED.get(key, key)] = _convert(key, value)
    if attrs.get("retired"):
        # No new value is asked of a retired field, whatever it was given before it was retired.
        attrs.update(required=False, required_when=None, default=None)
    return Field(kind=kind, source=source_of(draft.origin), **attrs)


def _convert(key: str, value: Any) -> Any:
    if key == "choices":
        return tuple(parse_choice(item) for item in value)
    if key in ("show_when", "required_when"):
        return parse_condition(value)
    if key == "accept":
        return tuple(ext.lower() for ext in value)
    if key == "renamed_from":
        return listed(value)
    return value


def parse_choice(item: str | dict[str, Any]) -> Choice:
    if isinstance(item, dict):
        value = item["value"]
        return Choice(value, item.get("label", value), bool(item.get("retired", False)),
                      listed(item.get("renamed_from", ())))
    return Choice(item, item)


def listed(value: Any) -> tuple:
    """``renamed_from: old`` and ``renamed_from: [old, older]`` alike, as a tuple."""
    return tuple(value) if isinstance(value, (list, tuple)) else (value,)


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
        title_plural=values.get("title_plural") or plural_title(values["title"]),
        description=values.get("description", ""),
        reference_prefix=reference_prefix(draft),
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
        **workflow_parts(draft),
    )


def reference_prefix(draft: TypeDraft) -> str:
    """The prefix written, or by default the initials of the type's name: ``clinical-audit`` -> ``CA``; a
    one-word name gives its first three letters: ``guideline`` -> ``GUI``."""
    return draft.values.get("reference_prefix") or default_prefix(draft.name)


def default_prefix(name: str) -> str:
    words = [word for word in name.split("-") if word]
    prefix = words[0][:3] if len(words) == 1 else "".join(word[0] for word in words)
    return prefix.upper()[:MAX_PREFIX]


def plural_title(title: str) -> str:
    """``Evidence search`` -> ``Evidence searches``: the last word made plural, the rest kept."""
    head, _, last = title.rpartition(" ")
    if last.isupper() and len(last) > 1:
        plural = f"{last}s"             # an abbreviation: PDSA -> PDSAs
    else:
        # inflect takes a capitalised word for a name ('Policy' -> 'Policys'): ask in lower case.
        plural = _english().plural_noun(last.lower()) or f"{last}s"
        plural = plural[:1].upper() + plural[1:] if last[:1].isupper() else plural
    return f"{head} {plural}" if head else plural


@lru_cache(maxsize=1)
def _english():
    import inflect
    return inflect.engine()


def default_columns(record_title: str) -> tuple[str, ...]:
    middle = () if record_title == "reference" else (record_title,)
    return ("reference", *middle, "status", "updated")


def source_of(spot) -> Source:
    """The model's ``Source`` for a place in a YAML file."""
    return Source(spot.doc.shown_path, spot.line)
