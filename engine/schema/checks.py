"""Meaning checks on a resolved repository type draft, then its freezing into a ``RepositoryType``.

The meta-schema has already vouched for the shape of every key it left usable; these checks need the whole
type or the field-type registry: names that must exist, keys a field's type accepts, values a condition can
take, renames that must lead somewhere. What the meta-schema set aside (``FieldDraft.unusable``,
``TypeDraft.unusable``) was reported there, so nothing that depends on it is reported again.
"""
from __future__ import annotations

from typing import Any, Collection, Iterator

from engine.fields.base import FieldType, FieldTypeRegistry
from engine.schema.bounds import bound_fits, bound_words, comparison_problem, counts_items, fits
from engine.schema.build import build_field, build_type, default_record_title, listed, parse_choice, parse_status
from engine.schema.conditions import COMBINATORS, Term, parse_condition
from engine.schema.draft import FieldDraft, TypeDraft
from engine.schema.model import RESERVED_NAMES, SYSTEM_FIELDS, Field, RepositoryType
from engine.schema.problems import Problems, Spot, did_you_mean, quoted_list
from engine.schema.workflow_checks import WorkflowChecks

#: Keys every field accepts whatever its type (``FieldType.options`` lists the rest); ``after`` places it;
#: ``supersedes`` is checked with the workflow (engine.schema.workflow_checks), as it names the type itself.
COMMON_KEYS = frozenset({"name", "type", "label", "help", "required", "required_when", "show_when", "default",
                         "section", "searchable", "search_weight", "after", "renamed_from", "retired",
                         "supersedes"})
CONDITIONS = ("required_when", "show_when")
BOUNDS = ("min", "max")
COMPARISONS = ("greater_than", "less_than", "at_least", "at_most")
#: Keys that decide which values a field takes; a lost bound only makes it take more, so it is left out.
VALUE_KEYS = frozenset({"type", "choices", "multiple"})


class TypeChecker:
    """Checks one draft; ``result()`` is the frozen type, or None when a problem was found."""

    def __init__(self, draft: TypeDraft, registry: FieldTypeRegistry, type_names: Collection[str],
                 problems: Problems):
        self.draft, self.registry, self.type_names, self.problems = draft, registry, type_names, problems
        self.ok = True
        self.fields: dict[str, Field] = {}
        self.field_drafts: dict[str, FieldDraft] = {}

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
        self._check_renames()
        for draft in self.draft.fields:
            if draft.name in self.fields and self.field_drafts[draft.name] is draft:
                self._check_values(draft, self.fields[draft.name])
        record_title = self._record_title()
        self._check_listing()
        WorkflowChecks(self.draft, self.fields, self.report).run()
        if not self.ok or self.draft.damaged:
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
        if name is not None:
            if name in seen:
                self.report(draft.spot("name"), f"field '{name}' is defined twice (first at {seen[name].origin})")
                return
            seen[name] = draft
            if name in RESERVED_NAMES:
                self.report(draft.spot("name"), f"field '{name}': '{name}' is a reserved name (used by the browse "
                                                f"page or the record's system fields); choose another")
        self._check_retirement(draft)
        kind = None if "type" in draft.unusable or "type" not in draft.values else self._kind(draft)
        if kind is None:
            return
        checks = [self._check_keys(draft, kind), self._check_choices(draft), self._check_section(draft)]
        if all(checks) and not draft.broken:    # every check runs first, so that each problem is reported
            self.fields[name] = build_field(draft, kind)
            self.field_drafts[name] = draft
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
        for key in sorted(kind.required_options - draft.unusable):
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
        if section is None or section in names or "sections" in self.draft.unusable:
            return True
        known = f"; the sections are {quoted_list(names)}" if names else "; the type has no 'sections'"
        self.report(draft.spot("section"), f"field '{draft.name}': unknown section '{section}'"
                                           f"{did_you_mean(section, names)}{known}")
        return False

    # -- renames: old names must lead to one place ------------------------------------------------------
    def _check_renames(self) -> None:
        current = set(self.draft.field_names())
        claimed: dict[str, str] = {}
        for draft in self.draft.fields:
            if "renamed_from" not in draft.values or "renamed_from" in draft.unusable:
                continue
            for old in listed(draft.values["renamed_from"]):
                problem = _old_name_problem(old, draft.name, current, claimed, "field", "a field of this type")
                if problem:
                    self.report(draft.spot("renamed_from"), f"field '{draft.name}': 'renamed_from' {problem}")
                claimed.setdefault(old, f"field '{draft.name}' (at {draft.spot('renamed_from')})")

    def _check_choice_renames(self, draft: FieldDraft, field: Field) -> None:
        claimed: dict[str, str] = {}
        for index, choice in enumerate(field.choices):
            for old in choice.renamed_from:
                problem = _old_name_problem(old, choice.value, set(field.choice_values), claimed, "choice",
                                            "a choice of this field")
                if problem:
                    self.report(draft.spot("choices") / index / "renamed_from",
                                f"field '{field.name}': choice '{choice.value}': 'renamed_from' {problem}")
                claimed.setdefault(old, f"choice '{choice.value}'")

    # -- values that depend on other fields -------------------------------------------------------------------
    def _check_values(self, draft: FieldDraft, field: Field) -> None:
        self._check_default(draft, field)
        for key in BOUNDS:
            if key in draft.values and not bound_fits(field, draft.values[key]):
                self.report(draft.spot(key), f"field '{field.name}': '{key}' {draft.values[key]!r} is not "
                                             f"{bound_words(field)}")
        for key in CONDITIONS:
            if key in draft.values:
                for spot, message in self._condition_problems(draft.values[key], draft.spot(key)):
                    self.report(spot, f"field '{field.name}': '{key}' {message}")
        self._check_choice_renames(draft, field)

    def _check_default(self, draft: FieldDraft, field: Field) -> None:
        if "default" in draft.values and not field.retired and not fits(field, field.default):
            self.report(draft.spot("default"), f"field '{field.name}': 'default' {field.default!r} is not a "
                                               f"valid {field.type_name} value for this field")

    def _check_retirement(self, draft: FieldDraft) -> None:
        """A retired field or choice is kept for the values stored in it; nothing new may be asked of it."""
        values = draft.values
        if values.get("retired") is True:
            # Only a contradiction written in one place: retiring an inherited field sets its
            # requiredness and default aside (build_field), as change_fields cannot remove a key.
            asked = [key for key in ("required", "required_when") if values.get(key, False) is not False]
            if "default" in values:
                asked.append("default")
            written = [key for key in asked if _side_by_side(draft, key, "retired")]
            for key in written:
                self.report(draft.spot(key), f"field '{draft.name}' is retired, so " + (
                    "no new record fills it in: remove 'default'" if key == "default" else
                    f"it cannot be required: remove '{key}' (or 'retired')"))
            return
        retired = {c.value for c in map(parse_choice, values.get("choices", [])) if c.retired}
        chosen = [value for value in listed(values.get("default", ())) if value in retired]
        if chosen:
            self.report(draft.spot("default"), f"field '{draft.name}': 'default' is choice '{chosen[0]}', which "
                                               "is retired and no longer offered; choose an offered one")

    def _condition_problems(self, raw: dict[str, Any], spot: Spot) -> Iterator[tuple[Spot, str]]:
        """Each term's problem, at the line of the field (or ``all``/``any`` item) it is written on."""
        for name, test in raw.items():
            if _set_aside(spot / name):
                continue        # reported by the meta-schema
            if name in COMBINATORS:
                for index, part in enumerate(test):
                    yield from self._condition_problems(part, spot / name / index)
                continue
            for term in parse_condition({name: test}).terms():
                message = self._term_problem(term)
                if message:
                    yield spot / name, message

    def _term_problem(self, term: Term) -> str | None:
        if term.name == "status":
            return self._status_problem(term)
        other = self.fields.get(term.name)
        if other is None:
            names = self.draft.field_names()
            if term.name in names or "fields" in self.draft.unusable:
                return None        # that field has its own problem, already reported
            return f"names '{term.name}', which is not a field{did_you_mean(term.name, names)}"
        if self.field_drafts[term.name].unusable & VALUE_KEYS or term.op in ("empty", "filled"):
            return None     # what values it takes was set aside, already reported
        if term.op in COMPARISONS:
            return comparison_problem(other, term)
        for value in term.values:
            if other.choices and value not in other.choice_values:
                return f"'{value}' is not a choice of '{term.name}'{did_you_mean(value, other.choice_values)}"
            if not other.choices and not fits(other, [value] if counts_items(other) else value):
                return f"{value!r} is not a value '{term.name}' can take"
        return None

    def _status_problem(self, term: Term) -> str | None:
        if term.op in COMPARISONS:
            return f"compares status with '{term.op}', which works on number and date fields only"
        if "statuses" in self.draft.unusable:
            return None
        statuses = [parse_status(item).name for item in self.draft.values.get("statuses", [])]
        wrong = [v for v in term.values if v not in statuses]
        if wrong:
            return f"names status '{wrong[0]}', which is not a status{did_you_mean(wrong[0], statuses)}"
        return None

    # -- the type as a whole --------------------------------------------------------------------------------
    def _record_title(self) -> str:
        chosen = self.draft.values.get("record_title")
        if chosen is None:
            text = self.registry["text"] if "text" in self.registry else None
            return default_record_title(list(self.fields.values()), text)
        if chosen not in self.draft.field_names() and "fields" not in self.draft.unusable:
            self.report(self.draft.spot("record_title"), f"'record_title' names '{chosen}', which is not a field"
                                                         f"{did_you_mean(chosen, self.draft.field_names())}")
        return chosen

    def _check_listing(self) -> None:
        if "fields" in self.draft.unusable:
            return      # a field was set aside unread: any name might have been it
        listing, spots, unusable = self.draft.listing, self.draft.listing_spots, self.draft.listing_unusable
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
        if sort is not None and sort.lstrip("-") not in columns_ok and "sort" not in unusable:
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


def _old_name_problem(old: str, own: str | None, current: set[str], claimed: dict[str, str], word: str,
                      what: str) -> str | None:
    """Why ``old`` cannot be an old name of the field or choice ``own``: stored values must follow one way."""
    if old == own:
        return f"names the {word} itself"
    if old in current:
        return (f"names '{old}', which is still {what}: an old name must be one no {word} has now "
                f"(remove or rename '{old}' first)")
    if old in claimed:
        return (f"names '{old}', which {claimed[old]} already took over: values stored under one name can "
                f"follow only one {word}")
    return None


def _side_by_side(draft: FieldDraft, key: str, other: str) -> bool:
    """Were both keys written in one mapping (the field, or one change of it)?"""
    one, two = draft.spot(key), draft.spot(other)
    return one.doc is two.doc and one.path[:-1] == two.path[:-1]


def _set_aside(spot: Spot) -> bool:
    """Was something at or below ``spot`` set aside by the meta-schema (a condition's wrong test)? An item
    taken out of a list (``*``) leaves the others to check."""
    size = len(spot.path)
    return any(bad[:size] == spot.path and bad[-1] != "*" for bad in spot.doc.unusable)
