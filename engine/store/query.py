"""Answering browse queries from a ``RecordIndex``: search, filters, open/closed, sort, paging, facets.

Every per-type decision is the field type's (``search_text``, ``matches``, ``facet_keys``, ``sort_key``); this
module only decides how often to ask. A query becomes named sets of references (one per filter, one for the
search, one for the state), intersected; facet counts intersect all but their own field's set. A search
ranks as ``engine.search.ranking`` scores it, unless a sort is asked for. Filter sets and search scores are
remembered for the life of the snapshot, since paging and facet links repeat them.
"""
from __future__ import annotations

from collections.abc import Mapping
from itertools import chain
from typing import Any, Callable, Iterable

from engine.search import ranking
from engine.search.parse import SearchQuery
from engine.search.snippets import snippet
from engine.search.suggest import suggestion
from engine.store.base import Page, Query
from engine.store.documents import format_reference
from engine.store.index import STATUS, YEAR, RecordIndex, Refs

#: How many filter and search-term answers a snapshot remembers before starting afresh.
POOL, SEARCH, STATE = "", " q", " state"        # constraint names that no field can have
NO_SNIPPET = ()                                 # remembered for a record that matched outside its passages
SNIPPETS, SNIPPET_LIMIT = "snippets", 4096
#: System fields a filter or facet matches by equal value; every other name must be a field of the type.
SYSTEM_FILTERS = frozenset({STATUS, "created_by", YEAR})


def page(index: RecordIndex, query: Query) -> Page:
    matching = _remembered(index, ("matching", _asked(query)), lambda: _intersect(_constraints(index, query)))
    per_page, number = max(1, query.per_page), max(1, query.page)
    start = (number - 1) * per_page
    searched = query.searched
    if query.ranked:
        wanted = _ranked(index, query, matching, start, per_page)
    else:
        wanted = _sorted(index, query, matching, start, per_page)
    if searched is None:
        return Page(tuple(index.record(ref) for ref in wanted), len(matching), number, per_page)
    scores = _scores(index, searched)
    return Page(tuple(index.record(ref) for ref in wanted), len(matching), number, per_page,
                snippets=Snippets(index, searched, wanted),
                scores={ref: scores[ref] for ref in wanted if ref in scores},
                suggestion=suggestion(index.search(), searched) if not matching else None)


class Snippets(Mapping):
    """A page's snippets, each made when first asked for and remembered with the snapshot: a trust-wide
    search asks every repository for a page of candidates and shows a few of them."""

    def __init__(self, index: RecordIndex, searched: SearchQuery, refs: list[str]):
        self.index, self.searched, self.refs = index, searched, refs

    def __getitem__(self, ref: str):
        if ref not in self.refs:
            raise KeyError(ref)
        index, searched = self.index, self.searched
        made = index.memo.setdefault(SNIPPETS, {})      # one entry of the memo, however many snippets
        if len(made) >= SNIPPET_LIMIT:
            made.clear()
        found = made.get((ref, searched))
        if found is None:
            found = made[(ref, searched)] = snippet(index.search(), ref, searched, index.rtype.record_title) \
                or NO_SNIPPET
        if found is NO_SNIPPET:
            raise KeyError(ref)
        return found

    def __iter__(self):
        return (ref for ref in self.refs if ref in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _sorted(index: RecordIndex, query: Query, matching: Refs, start: int, per_page: int) -> list[str]:
    sort = query.sort or index.rtype.listing.sort
    if start < 2 * per_page:                    # the first pages: stop walking the order once they are full
        return _ordered(index, sort, matching, start, per_page)
    ordered = _remembered(index, ("ordered", sort, _asked(query)),      # deeper: the whole list once, sliced
                          lambda: _ordered(index, sort, matching, 0, len(matching)))
    return ordered[start:start + per_page]


def _ranked(index: RecordIndex, query: Query, matching: Refs, start: int, per_page: int) -> list[str]:
    """The most relevant first; equal scores newest first."""
    scores = _scores(index, query.searched)

    def rank() -> list[str]:
        """Newest first, then by score: the sort is stable, so equal scores stay newest first."""
        newest_first = [ref for ref in reversed(index.in_order) if ref in matching]
        return sorted(newest_first, key=scores.__getitem__, reverse=True)
    # The whole order once per query (a search is opened again and again: paging, facets, going back).
    ordered = _remembered(index, ("ranked", _asked(query)), rank)
    return ordered[start:start + per_page]


def facets(index: RecordIndex, query: Query, names: Iterable[str]) -> dict[str, list[tuple[str, int]]]:
    """Counts per facet; remembered per query (less its sort and page), as every page of a browse asks."""
    names = tuple(names)
    counted = _remembered(index, ("facets", names, _asked(query)), lambda: _facets(index, query, names))
    return {name: list(counts) for name, counts in counted.items()}      # the caller's own copy


def _asked(query: Query) -> str:
    """What a query selects, whatever its sort and page: the key of what is remembered for it."""
    return repr((query.searched, query.state, query.deleted, sorted(query.filters.items())))


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
    searched = query.searched
    if searched is not None:
        constraints[SEARCH] = _remembered(index, ("found", searched), lambda: set(_scores(index, searched)))
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


def _scores(index: RecordIndex, searched: SearchQuery) -> dict[str, float]:
    """Reference -> relevance of every record the search finds; a reference typed as the search comes top."""
    def compute() -> dict[str, float]:
        found = dict(ranking.scores(index.search(), searched))
        prefix = index.rtype.reference_prefix
        top = max(found.values(), default=0.0) + 1.0
        for asked, number in searched.references:
            reference = format_reference(prefix, number)
            if asked == prefix.casefold() and reference in index.records:
                found[reference] = top
        return found
    return _remembered(index, ("scores", searched), compute)


def _remembered(index: RecordIndex, key: tuple, compute: Callable[[], Any]) -> Any:
    return index.memo.remember(key, compute)        # a filter value that cannot be hashed is not kept


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
