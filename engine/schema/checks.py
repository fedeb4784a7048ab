"""Meaning checks on a resolved repository type draft, then its freezing into a ``RepositoryType``.

The meta-schema has already vouched for the shape of every key; these checks need the whole type or the
field-type registry: names that must exist, keys a field's type accepts, values a condition can take.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Collection

from jsonschema import Draft202012Validator

from engine.fields.base import FieldType, FieldTypeRegistry
from engine.schema.build import build_field, build_type, default_record_title, parse_choice, parse_status
from engine.schema.draft import FieldDraft, TypeDraft
from engine.schema.model import RESERVED_NAMES, SYSTEM_FIELDS, Field, RepositoryType
from engine.schema.problems import Problems, Spot, did_you_mean, quoted_list

#: Keys every field accepts whatever its type (``FieldType.options`` lists the rest); ``after`` places it.
COMMON_KEYS = frozenset({"name", "type", "label", "help", "required", "required_when", "show_when", "default",
                         "section", "searchable", "search_weight", "after"})
FORMATS = Draft202012Validator.FORMAT_CHECKER
CONDITIONS = ("required_when", "show_when")
BOUNDS = ("min", "max")


class TypeChecker:
    """Checks one draft; ``result()`` is the frozen type, or None when a problem was found."""

    def __init__(self, draft: TypeDraft, registry: FieldTypeRegistry, type_names: Collection[str],
                 problems: Problems):
        self.draft, self.registry, self.type_names, self.problems = draft, registry, type_names, problems
        self.ok = True
        self.fields: dict[str, Field] = {}

    def report(self, spot: Spot, message: str) -> None:
        """A problem at ``spot``. One written in a parent's file but only wrong in this type (a condition on a
        choice this type changed) names this type; one already reported (by the parent, or by the first type
        inheriting it) is not repeated."""
        self.ok = False
        if spot.doc is not self.draft.origin.doc:
            if any(m.startswith(message) for m in self.problems.messages_at(spot)):
                return
            message += f" (inherited by '{self.draft.name}' at {self.draft.origin})"
        self.problems.add(spot, message)

    def result(self) -> RepositoryType | None:
        self._check_list(self.draft.values.get("statuses", []), "statuses", "status",
                         lambda item: parse_status(item).name)
        self._check_list(self.draft.values.get("sections", []), "sections", "section", lambda item: item["name"])
        seen: dict[str, FieldDraft] = {}
        for draft in self.draft.fields:
            self._check_field(draft, seen)
        for draft in self.draft.fields:
            if draft.name in self.fields:
                self._check_values(draft, self.fields[draft.name])
        record_title = self._record_title()
        self._check_listing()
        if not self.ok:
            return None
        return build_type(self.draft, list(self.fields.values()), record_title)

    # -- lists of named things --------------------------------------------------------------------------
    def _check_list(self, items: list, key: str, word: str, name_of) -> None:
        seen: set[str] = set()
        for index, item in enumerate(items):
            name = name_of(item)
            if name in seen:
                self.report(self.draft.spot(key) / index, f"{word} '{name}' is listed twice")
            seen.add(name)

    # -- one field on its own ------------------------------------------------------------------------------
    def _check_field(self, draft: FieldDraft, seen: dict[str, FieldDraft]) -> None:
        name = draft.name
        if name in seen:
            self.report(draft.spot("name"), f"field '{name}' is defined twice (first at {seen[name].origin})")
            return
        seen[name] = draft
        if name in RESERVED_NAMES:
            self.report(draft.spot("name"), f"field '{name}': '{name}' is a reserved name (used by the browse "
                                            f"page or the record's system fields); choose another")
        kind = self._kind(draft)
        if kind is None:
            return
        checks = [self._check_keys(draft, kind), self._check_choices(draft), self._check_section(draft)]
        if all(checks):     # every check runs first, so that each of its problems is reported
            self.fields[name] = build_field(draft, kind)
        if "target" in draft.values and draft.values["target"] not in self.type_names:
            target = draft.values["target"]
            self.report(draft.spot("target"), f"field '{name}': 'target' names '{target}', which is not a "
                                              f"repository type{did_you_mean(target, self.type_names)}")

    def _kind(self, draft: FieldDraft) -> FieldType | None:
        type_name = draft.values["type"]
        if type_name in self.registry:
            return self.registry[type_name]
        names = self.registry.names()
        self.report(draft.spot("type"), f"field '{draft.name}': unknown type '{type_name}'"
                                        f"{did_you_mean(type_name, names)}; the types are {', '.join(names)}")
        return None

    def _check_keys(self, draft: FieldDraft, kind: FieldType) -> bool:
        ok = True
        for key in draft.values:
            if key not in COMMON_KEYS and key not in kind.options:
                accepted = sorted(kind.options)
                also = f" (it accepts {quoted_list(accepted)})" if accepted else ""
                self.report(draft.spot(key), f"field '{draft.name}': type '{kind.name}' does not accept "
                                             f"'{key}'{also}")
                ok = False
        for key in sorted(kind.required_options):
            if key not in draft.values:
                self.report(draft.spot(), f"field '{draft.name}': type '{kind.name}' needs '{key}'")
                ok = False
        return ok

    def _check_choices(self, draft: FieldDraft) -> bool:
        values = [parse_choice(item).value for item in draft.values.get("choices", [])]
        repeated = [(i, v) for i, v in enumerate(values) if v in values[:i]]
        for index, value in repeated:
            self.report(draft.spot("choices") / index, f"field '{draft.name}': choice '{value}' is listed twice")
        return not repeated

    def _check_section(self, draft: FieldDraft) -> bool:
        section = draft.values.get("section")
        names = [s["name"] for s in self.draft.values.get("sections", [])]
        if section is None or section in names:
            return True
        known = f"; the sections are {quoted_list(names)}" if names else "; the type has no 'sections'"
        self.report(draft.spot("section"), f"field '{draft.name}': unknown section '{section}'"
                                           f"{did_you_mean(section, names)}{known}")
        return False

    # -- values that depend on other fields -------------------------------------------------------------------
    def _check_values(self, draft: FieldDraft, field: Field) -> None:
        if "default" in draft.values and not _fits(field, field.default):
            self.report(draft.spot("default"), f"field '{field.name}': 'default' {field.default!r} is not a "
                                               f"valid {field.type_name} value for this field")
        for key in BOUNDS:
            if key in draft.values and not _bound_fits(field, draft.values[key]):
                self.report(draft.spot(key), f"field '{field.name}': '{key}' {draft.values[key]!r} is not "
                                             f"{_bound_words(field)}")
        for key in CONDITIONS:
            for name, values in draft.values.get(key, {}).items():
                message = self._condition_problem(name, values if isinstance(values, list) else [values])
                if message:
                    self.report(draft.spot(key), f"field '{field.name}': '{key}' {message}")

    def _condition_problem(self, name: str, values: list[Any]) -> str | None:
        if name == "status":
            statuses = [parse_status(item).name for item in self.draft.values.get("statuses", [])]
            wrong = [v for v in values if v not in statuses]
            if wrong:
                return f"names status '{wrong[0]}', which is not a status{did_you_mean(wrong[0], statuses)}"
            return None
        other = self.fields.get(name)
        if other is None:
            names = [f.name for f in self.draft.fields]
            if name in names:
                return None        # that field has its own problem, already reported
            return f"names '{name}', which is not a field{did_you_mean(name, names)}"
        for value in values:
            if other.choices and value not in other.choice_values:
                return (f"'{value}' is not a choice of '{name}'{did_you_mean(value, other.choice_values)}")
            if not other.choices and not _fits(other, value):
                return f"{value!r} is not a value '{name}' can take"
        return None

    # -- the type as a whole --------------------------------------------------------------------------------
    def _record_title(self) -> str:
        chosen = self.draft.values.get("record_title")
        if chosen is None:
            text = self.registry["text"] if "text" in self.registry else None
            return default_record_title(list(self.fields.values()), text)
        if chosen not in self.draft.field_names():
            self.report(self.draft.spot("record_title"), f"'record_title' names '{chosen}', which is not a field"
                                                         f"{did_you_mean(chosen, self.draft.field_names())}")
        return chosen

    def _check_listing(self) -> None:
        listing, spots = self.draft.listing, self.draft.listing_spots
        names = self.draft.field_names()
        columns_ok = (*names, *SYSTEM_FIELDS)
        for index, column in enumerate(listing.get("columns", [])):
            if column not in columns_ok:
                self.report(spots["columns"] / index, f"listing: column '{column}' is not a field or system field"
                                                      f"{did_you_mean(column, columns_ok)}")
        for index, facet in enumerate(listing.get("facets", [])):
            problem = self._facet_problem(facet, names)
            if problem:
                self.report(spots["facets"] / index, f"listing: facet '{facet}' {problem}")
        sort = listing.get("sort")
        if sort is not None and sort.lstrip("-") not in columns_ok:
            self.report(spots["sort"], f"listing: sort '{sort}' is not a field or system field"
                                       f"{did_you_mean(sort.lstrip('-'), columns_ok)}")

    def _facet_problem(self, facet: str, names: list[str]) -> str | None:
        if facet == "status" or facet not in names:
            return None if facet == "status" else f"is not a field{did_you_mean(facet, [*names, 'status'])}"
        field = self.fields.get(facet)
        if field is None or field.kind.facetable:
            return None
        facetable = [t.name for t in self.registry if t.facetable]
        return f"is a {field.type_name} field, which cannot be a facet (facets can be {', '.join(facetable)} " \
               f"fields or status)"


def _counts_items(field: Field) -> bool:
    """``min``/``max`` of a list-valued type count its items; of any other type they bound its value."""
    return _unbounded(field).kind.json_schema(_unbounded(field)).get("type") == "array"


def _unbounded(field: Field) -> Field:
    return dataclasses.replace(field, minimum=None, maximum=None)


def _bound_fits(field: Field, bound: Any) -> bool:
    if _counts_items(field):
        return isinstance(bound, int) and not isinstance(bound, bool) and bound >= 0
    plain = _unbounded(field)
    return Draft202012Validator(plain.kind.json_schema(plain), format_checker=FORMATS).is_valid(bound)


def _bound_words(field: Field) -> str:
    if _counts_items(field):
        return "a number of items (a whole number, 0 or more)"
    return f"a valid {field.type_name} value"


def _fits(field: Field, value: Any) -> bool:
    """Would ``value`` be a valid stored value of ``field``?"""
    return field.kind.problem(field, value) is None
