"""Adopt and adapt: repository types as drafts that remember where each key was written, merged along
``extends`` chains and instance adaptations before they are checked for meaning and frozen.

A draft is the raw YAML of a type after merging. Every key keeps its ``Spot`` (file and path), so a problem in
a field inherited from ``qi-project`` is reported in ``schemas/qi-project.yaml`` and a problem in a changed key
is reported where the change was written.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from engine.schema.problems import Problems, Spot, did_you_mean

#: Keys of a type document that are not copied as they are: they say how to merge.
MERGE_KEYS = ("name", "extends", "fields", "change_fields", "drop_fields", "listing")


@dataclass(frozen=True)
class FieldDraft:
    """One field's keys, each with the place it was written, and the keys whose written value was unusable
    (already reported by the meta-schema: what depends on them is not checked again)."""
    values: dict[str, Any]
    spots: dict[str, Spot]
    origin: Spot
    unusable: frozenset[str] = frozenset()

    @classmethod
    def read(cls, spot: Spot, data: dict[str, Any]) -> "FieldDraft":
        return cls(dict(data), {key: spot / key for key in data}, spot, spot.doc.unusable_keys(spot.path))

    @property
    def name(self) -> str | None:
        """The name as written (perhaps badly formed); None when it has none."""
        name = self.values.get("name")
        return name if isinstance(name, str) else None

    @property
    def broken(self) -> bool:
        """Without a usable name or type the field is still checked for the rest, but never built."""
        return bool({"name", "type"} & self.unusable) or self.name is None or "type" not in self.values

    def spot(self, key: str | None = None) -> Spot:
        """Where ``key`` was written; the field itself when the key was not written."""
        return self.spots.get(key, self.origin) if key else self.origin

    def changed(self, change: dict[str, Any], spot: Spot) -> "FieldDraft":
        return FieldDraft({**self.values, **change}, {**self.spots, **{key: spot / key for key in change}},
                          self.origin, self.unusable | spot.doc.unusable_keys(spot.path))

    def unsure(self) -> "FieldDraft":
        """This field with a change that could not be read: nothing about it is certain any more."""
        return replace(self, unusable=self.unusable | {"type"} | set(self.values))


@dataclass
class TypeDraft:
    """A repository type being resolved: top-level keys, fields and listing, each with its spot."""
    name: str
    origin: Spot
    values: dict[str, Any] = field(default_factory=dict)
    spots: dict[str, Spot] = field(default_factory=dict)
    fields: list[FieldDraft] = field(default_factory=list)
    listing: dict[str, Any] = field(default_factory=dict)
    listing_spots: dict[str, Spot] = field(default_factory=dict)
    extends: str | None = None
    #: Top-level and listing keys whose written value (or one of its items) was unusable.
    unusable: set[str] = field(default_factory=set)
    listing_unusable: set[str] = field(default_factory=set)
    #: Written in, or built on, a document the meta-schema found fault with: checked, never frozen.
    damaged: bool = False

    def spot(self, key: str | None = None) -> Spot:
        return self.spots.get(key, self.origin) if key else self.origin

    def field_names(self) -> list[str]:
        return [f.name for f in self.fields if f.name is not None]

    def copy(self) -> "TypeDraft":
        return replace(self, values=dict(self.values), spots=dict(self.spots), fields=list(self.fields),
                       listing=dict(self.listing), listing_spots=dict(self.listing_spots),
                       unusable=set(self.unusable), listing_unusable=set(self.listing_unusable))


def adapt(parent: TypeDraft | None, spot: Spot, data: dict[str, Any], problems: Problems) -> TypeDraft:
    """The type written at ``spot``: ``data`` laid over ``parent`` (None for a type that extends nothing)."""
    if parent is None:
        draft = TypeDraft(name=data["name"], origin=spot)
    else:
        draft = parent.copy()
        draft.name, draft.origin, draft.extends = data.get("name", parent.name), spot, parent.name
    draft.damaged = draft.damaged or spot.doc.repaired
    if "title" in data and "title_plural" not in data:
        # A new title brings its own plural; the parent's would name the parent's records.
        draft.values.pop("title_plural", None)
        draft.spots.pop("title_plural", None)
    for key, value in data.items():
        if key not in MERGE_KEYS:
            draft.values[key], draft.spots[key] = value, spot / key
    for key, value in data.get("listing", {}).items():
        draft.listing[key], draft.listing_spots[key] = value, spot / "listing" / key
    # What this document writes replaces what was unusable in the parent's.
    draft.unusable = (draft.unusable - data.keys()) | spot.doc.unusable_keys(spot.path, depth=2)
    draft.listing_unusable = ((draft.listing_unusable - data.get("listing", {}).keys())
                              | spot.doc.unusable_keys(spot.path + ("listing",), depth=2))
    if "listing" in spot.doc.unusable_keys(spot.path, depth=1):
        draft.listing_unusable |= {"columns", "facets", "sort", "per_page"}
    if parent is not None:
        _drop_fields(draft, parent.name, spot, data.get("drop_fields", []), problems)
        _change_fields(draft, parent.name, spot, data.get("change_fields", {}), problems)
    _add_fields(draft, parent, spot, data.get("fields", []), problems)
    return draft


def _drop_fields(draft: TypeDraft, parent: str, spot: Spot, names: list[str], problems: Problems) -> None:
    inherited = draft.field_names()
    for index, name in enumerate(names):
        if name not in inherited:
            problems.add(spot / "drop_fields" / index,
                         f"drop_fields: '{name}' is not a field of {parent}{did_you_mean(name, inherited)}")
    draft.fields = [f for f in draft.fields if f.name not in names]


def _change_fields(draft: TypeDraft, parent: str, spot: Spot, changes: dict[str, dict], problems: Problems) -> None:
    by_name = {f.name: i for i, f in enumerate(draft.fields) if f.name is not None}
    for name in spot.doc.unusable_keys(spot.path + ("change_fields",), depth=1) & by_name.keys():
        draft.fields[by_name[name]] = draft.fields[by_name[name]].unsure()
    for name, change in changes.items():
        if name not in by_name:
            problems.add(spot / "change_fields" / name,
                         f"change_fields: '{name}' is not a field of {parent}{did_you_mean(name, by_name)}")
            continue
        draft.fields[by_name[name]] = draft.fields[by_name[name]].changed(change, spot / "change_fields" / name)


def _add_fields(draft: TypeDraft, parent: TypeDraft | None, spot: Spot, raw_fields: list[dict],
                problems: Problems) -> None:
    inherited = set(draft.field_names()) if parent is not None else set()
    for index, raw in enumerate(raw_fields):
        new = FieldDraft.read(spot / "fields" / index, raw)
        if new.name in inherited:
            problems.add(new.spot("name"), f"field '{new.name}' is already a field of {parent.name}; "
                                           "change it with change_fields")
            continue
        after = raw.get("after")
        names = draft.field_names()
        if after is None:
            draft.fields.append(new)
        elif after in names:
            draft.fields.insert(names.index(after) + 1, new)
        else:
            problems.add(new.spot("after"), f"field '{new.name}': 'after' names '{after}', which is not a field "
                                            f"of {draft.name}{did_you_mean(after, names)}")
            draft.fields.append(new)
