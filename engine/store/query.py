"""Answering browse queries from a ``RecordIndex``: free text, filters, open/closed, sort, paging, facets.

Every per-type decision is the field type's (``search_text``, ``matches``, ``facet_keys``, ``sort_key``); this
module only decides how often to ask. A query becomes named sets of references (one per filter, one for the
search, one for the state), intersected; facet counts intersect all but their own field's set. Filter and
search-term sets are remembered for the life of the snapshot, since paging and facet links repeat them.
"""
from __future__ import annotations

from itertools import chain
from typing import Any, Callable, Iterable, Mapping

from engine.store.base import Page, Query
from engine.store.index import STATUS, RecordIndex, Refs

#: How many filter and search-term answers a snapshot remembers before starting afresh.
MEMO_LIMIT = 256
POOL, SEARCH, STATE = "", " q", " state"        # constraint names that no field can have
#: System fields a filter or facet matches by equal value; every other name must be a field of the type.
SYSTEM_FILTERS = frozenset({STATUS, "created_by"})


def page(index: RecordIndex, query: Query) -> Page:
    constraints = _constraints(index, query)
    matching = _intersect(constraints)
    per_page, number = max(1, query.per_page), max(1, query.page)
    sort = query.sort or index.rtype.listing.sort
    start = (number - 1) * per_page
    if number <= 2:                             # the first pages: stop walking the order once they are full
        wanted = _ordered(index, sort, matching, start, per_page)
    else:                                       # deeper: the whole ordered list once per query, then slices
        ordered = _remembered(index, ("ordered", sort, _asked(query)),
                              lambda: _ordered(index, sort, matching, 0, len(matching)))
        wanted = ordered[start:start + per_page]
    return Page(tuple(index.record(ref) for ref in wanted), len(matching), number, per_page)


def facets(index: RecordIndex, query: Query, names: Iterable[str]) -> dict[str, list[tuple[str, int]]]:
    """Counts per facet; remembered per query (less its sort and page), as every page of a browse asks."""
    names = tuple(names)
    counted = _remembered(index, ("facets", names, _asked(query)), lambda: _facets(index, query, names))
    return {name: list(counts) for name, counts in counted.items()}      # the caller's own copy


def _asked(query: Query) -> str:
    """What a query selects, whatever its sort and page: the key of what is remembered for it."""
    return repr((query.q.casefold().split(), query.state, query.deleted, sorted(query.filters.items())))


def _facets(index: RecordIndex, query: Query, names: tuple[str, ...]) -> dict[str, list[tuple[str, int]]]:
    constraints = _constraints(index, query)
    everything = _intersect(constraints)
    return {name: _count(index, name, _intersect(constraints, leave_out=name) if name in constraints
                         else everything)
            for name in names}


def _constraints(index: RecordIndex, query: Query) -> dict[str, Refs]:
    """Named sets that a matching record belongs to, every one of them. Filters keep their field's name
    so facet counts can leave their own field out."""
    constraints: dict[str, Refs] = {POOL: index.binned if query.deleted else index.live}
    if query.q.strip():
        constraints[SEARCH] = _search(index, query.q)
    if query.state in ("open", "closed"):
        rtype = index.rtype
        constraints[STATE] = _filter(index, STATUS, rtype.open_statuses if query.state == "open"
                                     else rtype.closed_statuses)
    for name, wanted in query.filters.items():
        if wanted:
            constraints[name] = _filter(index, name, tuple(wanted))
    return constraints


def _filter(index: RecordIndex, name: str, wanted: tuple[Any, ...]) -> Refs:
    """Records whose value matches any of ``wanted`` (an unknown field matches nothing)."""
    def compute() -> Refs:
        if name not in SYSTEM_FILTERS and name not in index.rtype.field_map:
            return set()
        accepts = _matcher(index, name)
        found: Refs = set()
        for value, refs in index.groups(name).values():
            if any(accepts(value, one) for one in wanted):
                found |= refs
        return found
    return _remembered(index, ("filter", name, wanted), compute)


def _matcher(index: RecordIndex, name: str) -> Callable[[Any, Any], bool]:
    if name in SYSTEM_FILTERS:
        return lambda value, wanted: value == wanted
    field = index.rtype.field(name)
    return lambda value, wanted: field.kind.matches(field, value, wanted)


def _search(index: RecordIndex, q: str) -> Refs:
    """Records whose search text holds every term (each a substring, in any case). Terms already looked up
    narrow the others: a new term is then only looked for among the records that are still candidates."""
    remembered = {term: index.memo.get(("term", term)) for term in q.casefold().split()}
    known = [found for found in remembered.values() if found is not None]
    candidates = _intersect(dict(enumerate(known))) if known else None
    for term, found in remembered.items():
        if found is not None:
            continue
        if candidates is not None and len(candidates) < len(index.records) // 4:
            texts = index.texts()
            candidates = {ref for ref in candidates if term in texts[ref]}
        else:
            found = _term(index, term)
            candidates = found if candidates is None else candidates & found
    return candidates if candidates is not None else set()


def _term(index: RecordIndex, term: str) -> Refs:
    return _remembered(index, ("term", term),
                       lambda: {ref for ref, text in index.texts().items() if term in text})


def _remembered(index: RecordIndex, key: tuple, compute: Callable[[], Any]) -> Any:
    try:
        found = index.memo.get(key)
    except TypeError:               # a filter value that cannot be hashed: just compute it
        return compute()
    if found is None:
        if len(index.memo) >= MEMO_LIMIT:
            index.memo.clear()
        found = index.memo[key] = compute()
    return found


def _count(index: RecordIndex, name: str, matching: Refs) -> list[tuple[str, int]]:
    if name not in SYSTEM_FILTERS and name not in index.rtype.field_map:
        return []
    if matching is index.live:      # no other filter: the same counts for every page, remember them
        counts = _remembered(index, ("live counts", name), lambda: _tally(index, name, matching))
    else:
        counts = _tally(index, name, matching)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0].casefold()))


def _tally(index: RecordIndex, name: str, matching: Refs) -> dict[str, int]:
    keys_of = _facet_keys(index, name)
    counts: dict[str, int] = {}
    for value, refs in index.groups(name).values():
        found = len(refs & matching)
        if found:
            for key in keys_of(value):
                counts[key] = counts.get(key, 0) + found
    return counts


def _facet_keys(index: RecordIndex, name: str) -> Callable[[Any], Iterable[str]]:
    if name in SYSTEM_FILTERS:
        return lambda value: (value,)
    field = index.rtype.field(name)
    return lambda value: dict.fromkeys(field.kind.facet_keys(field, value))


def _ordered(index: RecordIndex, sort: str, matching: Refs, skip: int, take: int) -> list[str]:
    filled, empty = index.order(sort.lstrip("-"))
    sequence = chain(reversed(filled) if sort.startswith("-") else filled, empty)
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


def _intersect(constraints: Mapping[Any, Refs], leave_out: str | None = None) -> Refs:
    """The records in every set; the result may be one of the sets itself, so never change it."""
    chosen = sorted((refs for name, refs in constraints.items() if name != leave_out), key=len)
    if len(chosen) == 1:
        return chosen[0]
    return chosen[0].intersection(*chosen[1:])
