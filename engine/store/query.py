"""Browse queries over the records held in memory: free text, filters, open/closed, sort, paging, facet counts.

Every per-type decision is the field type's (``search_text``, ``matches``, ``facet_keys``, ``sort_key``); this
module only decides how often to ask. Indexes are built on a snapshot the first time a query needs them and
live as long as the snapshot: records grouped by distinct value per field (a filter or a facet asks the type
once per distinct value, not once per record), the search text of each record, and the sorted order per
sort key. Filters become sets of references, combined with set operations.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

from engine.schema.model import RepositoryType
from engine.store.base import Page, Query, Record
from engine.store.documents import reference_number

STATUS = "status"
#: How many free-text searches a snapshot remembers (paging through results repeats the same one).
SEARCH_MEMO = 32

Refs = set[str]
ValueGroups = dict[Any, tuple[Any, Refs]]


def frozen(value: Any) -> Any:
    """A hashable stand-in for a stored value, to group records holding equal values."""
    if isinstance(value, list):
        return tuple(frozen(item) for item in value)
    if isinstance(value, dict):
        return tuple(sorted((key, frozen(item)) for key, item in value.items()))
    return value


class RecordIndex:
    """The indexes of one snapshot's records for one repository type; built lazily, never changed after."""

    def __init__(self, rtype: RepositoryType, records: Mapping[str, Record]):
        self.rtype = rtype
        self.records = records
        self.live = {ref for ref, record in records.items() if not record.deleted}
        self.binned = set(records) - self.live
        self._groups: dict[str, ValueGroups] = {}
        self._orders: dict[str, tuple[list[str], list[str]]] = {}
        self._search_text: dict[str, str] | None = None
        self._searches: dict[str, Refs] = {}

    # -- answering ------------------------------------------------------------------------------------------
    def page(self, query: Query) -> Page:
        matching = self.matching(query)
        per_page = max(1, query.per_page)
        page = max(1, query.page)
        wanted = self._ordered(query.sort or self.rtype.listing.sort, matching, (page - 1) * per_page, per_page)
        return Page(tuple(self.records[ref] for ref in wanted), len(matching), page, per_page)

    def facets(self, query: Query, names: Iterable[str]) -> dict[str, list[tuple[str, int]]]:
        constraints = self._constraints(query)
        counted = {}
        for name in names:
            matching = _intersect(constraints, leave_out=name)
            counted[name] = self._count(name, matching)
        return counted

    def matching(self, query: Query) -> Refs:
        return _intersect(self._constraints(query))

    # -- constraints ----------------------------------------------------------------------------------------
    def _constraints(self, query: Query) -> dict[str, Refs]:
        """Named sets that a matching record belongs to, every one of them. Filters keep their field's name
        so facet counts can leave their own field out."""
        constraints: dict[str, Refs] = {"": self.binned if query.deleted else self.live}
        if query.q.strip():
            constraints[" q"] = self._search(query.q)
        if query.state in ("open", "closed"):
            statuses = self.rtype.open_statuses if query.state == "open" else self.rtype.closed_statuses
            constraints[" state"] = self._filter(STATUS, statuses)
        for name, wanted in query.filters.items():
            if wanted:
                constraints[name] = self._filter(name, tuple(wanted))
        return constraints

    def _filter(self, name: str, wanted: tuple[Any, ...]) -> Refs:
        """Records whose value matches any of ``wanted`` (an unknown field matches nothing)."""
        if name != STATUS and name not in self.rtype.field_map:
            return set()
        accepts = self._matcher(name)
        found: Refs = set()
        for value, refs in self._values(name).values():
            if any(accepts(value, one) for one in wanted):
                found |= refs
        return found

    def _matcher(self, name: str) -> Callable[[Any, Any], bool]:
        if name == STATUS:
            return lambda value, wanted: value == wanted
        field = self.rtype.field(name)
        return lambda value, wanted: field.kind.matches(field, value, wanted)

    def _search(self, q: str) -> Refs:
        terms = q.casefold().split()
        key = " ".join(terms)
        found = self._searches.get(key)
        if found is None:
            texts = self._texts()
            found = {ref for ref, text in texts.items() if all(term in text for term in terms)}
            if len(self._searches) >= SEARCH_MEMO:
                self._searches.clear()
            self._searches[key] = found
        return found

    def _texts(self) -> dict[str, str]:
        if self._search_text is None:
            fields = [field for field in self.rtype.fields if field.searchable]
            self._search_text = {
                ref: "\n".join([ref, *(field.kind.search_text(field, record.values[field.name])
                                       for field in fields if record.values.get(field.name) is not None)]
                               ).casefold()
                for ref, record in self.records.items()
            }
        return self._search_text

    # -- grouping and counting ----------------------------------------------------------------------------
    def _values(self, name: str) -> ValueGroups:
        groups = self._groups.get(name)
        if groups is None:
            groups = {}
            for ref, record in self.records.items():
                value = record[name]
                key = frozen(value)
                if key not in groups:
                    groups[key] = (value, set())
                groups[key][1].add(ref)
            self._groups[name] = groups
        return groups

    def _count(self, name: str, matching: Refs) -> list[tuple[str, int]]:
        if name != STATUS and name not in self.rtype.field_map:
            return []
        keys_of = self._facet_keys(name)
        counts: dict[str, int] = {}
        for value, refs in self._values(name).values():
            found = len(refs & matching)
            if found:
                for key in keys_of(value):
                    counts[key] = counts.get(key, 0) + found
        return sorted(counts.items(), key=lambda item: (-item[1], item[0].casefold()))

    def _facet_keys(self, name: str) -> Callable[[Any], Iterable[str]]:
        if name == STATUS:
            return lambda value: (value,)
        field = self.rtype.field(name)
        return lambda value: dict.fromkeys(field.kind.facet_keys(field, value))

    # -- order ----------------------------------------------------------------------------------------------
    def _ordered(self, sort: str, matching: Refs, skip: int, take: int) -> list[str]:
        name = sort.lstrip("-")
        filled, empty = self._order(name)
        sequence = [*reversed(filled), *empty] if sort.startswith("-") else [*filled, *empty]
        if len(matching) == len(sequence):      # everything matches: no need to test membership
            return sequence[skip:skip + take]
        picked: list[str] = []
        for ref in sequence:
            if ref in matching:
                if skip:
                    skip -= 1
                    continue
                picked.append(ref)
                if len(picked) == take:
                    break
        return picked

    def _order(self, name: str) -> tuple[list[str], list[str]]:
        """References with a value in ascending order (ties by reference), and those without one."""
        order = self._orders.get(name)
        if order is None:
            key_of, is_empty = self._sort_key(name)
            filled, empty = [], []
            for ref, record in self.records.items():
                (empty if is_empty(record[name]) else filled).append(ref)
            filled.sort(key=lambda ref: (key_of(self.records[ref][name]), reference_number(ref) or 0))
            order = self._orders[name] = (filled, empty)
        return order

    def _sort_key(self, name: str) -> tuple[Callable[[Any], Any], Callable[[Any], bool]]:
        if name in SYSTEM_SORT_KEYS:
            return SYSTEM_SORT_KEYS[name](self.rtype), lambda value: value is None
        if name not in self.rtype.field_map:
            return SYSTEM_SORT_KEYS["reference"](self.rtype), lambda value: value is None
        field = self.rtype.field(name)
        return (lambda value: field.kind.sort_key(field, value)), (lambda value: field.kind.is_empty(value))


def _status_position(rtype: RepositoryType) -> Callable[[Any], Any]:
    positions = {status: index for index, status in enumerate(rtype.status_names)}
    return lambda value: positions.get(value, len(positions))


SYSTEM_SORT_KEYS: dict[str, Callable[[RepositoryType], Callable[[Any], Any]]] = {
    "reference": lambda rtype: lambda value: reference_number(value) or 0,
    "status": _status_position,
    "created": lambda rtype: lambda value: value,
    "updated": lambda rtype: lambda value: value,
    "version": lambda rtype: lambda value: value,
    "created_by": lambda rtype: lambda value: str(value).casefold(),
    "updated_by": lambda rtype: lambda value: str(value).casefold(),
}


def _intersect(constraints: Mapping[str, Refs], leave_out: str | None = None) -> Refs:
    chosen = sorted((refs for name, refs in constraints.items() if name != leave_out), key=len)
    result = set(chosen[0])
    for refs in chosen[1:]:
        result &= refs
    return result
