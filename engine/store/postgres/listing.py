"""Browse queries in SQL: filters, the open/closed switch, search, sort, paging, totals and facet counts.

The query is the same data the embedded store answers (``engine.store.query``), and so are the answers:
``clauses`` turns it into named SQL constraints, a page is one ordered, limited select, and facet counts
AND every constraint but the facet's own. The counts of a whole pool (every live record, or the bin) are
kept by the database as it is written (``listing_tables``); others cost a pass over the matching rows, so
they, and which records each page shows, are remembered in the process under the repository's revision,
which every write of any server moves on (``remembered``): a repeated page counts nothing again.
"""
from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Iterable

from engine.store.base import Page, Query
from engine.store.postgres import clauses, search_ranked, search_topk, shown
from engine.store.postgres.clauses import Sql
from engine.store.postgres.remembered import Remembered, one, remembered
from engine.store.query import SEARCH, SYSTEM_FILTERS

if TYPE_CHECKING:
    from engine.store.postgres.store import PostgresStore

#: Past this many rows, a page of a list of at most ``WHOLE`` records is cut from its whole order.
DEEP, WHOLE = 100, 20_000
#: A page cut from the whole order whose documents are read reads those of this many pages after it too.
AHEAD = 3
#: The counts the write path keeps for a whole pool (``listing_tables``).
_COUNTED = "SELECT name, key, count FROM facet_counts WHERE repo = %s AND deleted = %s"


def page(store: "PostgresStore", query: Query) -> Page:
    per_page, number = max(1, query.per_page), max(1, query.page)
    skip, searched = (number - 1) * per_page, query.searched
    kept, asked = remembered(store), _asked(query)
    with store.db.reading() as conn:
        sql = _Sql(conn, store, query)
        total = kept.remember(("total", asked), lambda: _total(conn, store, query, sql), weight=one)
        rows = _page_rows(conn, store, (asked, query.sort, skip, per_page), sql, kept, total) if total else []
        records = tuple(store.read_record(doc, reference) for reference, doc, _ in rows)
        if searched is None:
            return Page(records, total, number, per_page)
        from engine.store.postgres import search
        suggested = None if total else kept.remember(     # (kept in a tuple: no suggestion is an answer too)
            ("suggestion", asked), lambda: (search.suggestion(conn, store, searched),), weight=one)[0]
        return Page(records, total, number, per_page,
                    snippets=search.snippets(conn, store, searched, records),
                    scores={reference: score for reference, _, score in rows}, suggestion=suggested)


def facets(store: "PostgresStore", query: Query, names: Iterable[str]) -> dict[str, list[tuple[str, int]]]:
    """Counts per facet, most frequent first (ties by key, as ``engine.store.query`` orders them)."""
    names = tuple(names)
    kept = remembered(store)
    with store.db.reading() as conn:
        sql = _Sql(conn, store, query)
        counted = kept.remember(("facets", names, _asked(query)),
                                lambda: _facets(conn, store, query, _counted(conn, query, sql), names),
                                weight=lambda counts: sum(map(len, counts.values())))
    return {name: list(counts) for name, counts in counted.items()}       # the caller's own copy


class _Sql:
    """A query's SQL, made when first needed: an answer remembered needs none, not even the search's."""

    def __init__(self, conn, store: "PostgresStore", query: Query):
        self.conn, self.store, self.query = conn, store, query

    @cached_property
    def plan(self):
        """What the search reads, with the weights it scores by (``search_scoring.Plan``); None for none."""
        if self.query.searched is None:
            return None
        from engine.store.postgres import search_scoring
        return search_scoring.plan(self.conn, self.store.repo, self.query.searched)

    @cached_property
    def found(self) -> Sql | None:
        """The select of (number, score) of what the search finds (``search``); None for no search."""
        if self.query.searched is None:
            return None
        from engine.store.postgres import search
        return search.found_sql(self.conn, self.store.rtype, self.store.repo, self.query.searched, self.plan)

    @cached_property
    def numbers(self) -> Sql | None:
        """The select of the numbers the search finds, for the constraints: unscored where no score is
        needed to know them (``search_scoring.found_numbers``), else ``found``."""
        if self.query.searched is None:
            return None
        from engine.store.postgres import search_scoring
        return search_scoring.found_numbers(self.store.rtype, self.store.repo, self.query.searched,
                                            self.plan) or self.found

    @cached_property
    def common(self):
        """The search split at its commonest word (``search_ranked``), where that holds; else None."""
        if self.query.searched is None:
            return None
        return search_ranked.common(self.plan, self.query.searched)

    @cached_property
    def named(self) -> dict[str, Sql]:
        return clauses.constraints(self.store.rtype, self.store.repo, self.query, self.numbers)


def _counted(conn, query: Query, sql: _Sql) -> dict[str, Sql]:
    """The constraints to count a query's records by: a search for a word every record of the pool holds
    keeps them all, so it is left out, and the counts the write path keeps answer."""
    if sql.common is not None and search_ranked.everywhere(conn, sql.common, bool(query.deleted)):
        return {name: one for name, one in sql.named.items() if name != SEARCH}
    return sql.named


def _total(conn, store: "PostgresStore", query: Query, sql: _Sql) -> int:
    """How many records the query selects; a search whose common word finds most of them counts that word's
    records from its index (``search_ranked``) instead of every record found."""
    named = _counted(conn, query, sql)
    if sql.common is None or SEARCH not in named:
        return _count(conn, store, query, named)
    live_pool = clauses.only_pool({name: one for name, one in sql.named.items() if name != SEARCH}, store.repo,
                                  False)
    return search_ranked.total(conn, sql.common, clauses.where(sql.named, leave_out=(SEARCH,)), live_pool)


def _count(conn, store: "PostgresStore", query: Query, named: dict[str, Sql]) -> int:
    if clauses.only_pool(named, store.repo, bool(query.deleted)):     # kept counted (``listing_tables``)
        counted = conn.execute(f"{_COUNTED} AND name = ''", [store.repo, bool(query.deleted)]).fetchone()
        return counted[2] if counted else 0
    from engine.store.postgres import pair_counts
    one = pair_counts.one_filter(store.rtype, query, named)
    if one is not None:                                             # kept counted (``pair_tables``)
        return pair_counts.total(conn, store.repo, bool(query.deleted), one)
    text, params = clauses.where(named)
    return conn.execute(f"SELECT count(*) FROM records r WHERE {text}", params).fetchone()[0]


def _page_rows(conn, store: "PostgresStore", asked: tuple, sql: _Sql, kept: Remembered, total: int
               ) -> list[tuple[str, dict, float | None]]:
    """The page's rows (``asked``: what is asked, the sort, how many to skip and take). Which records they
    are, in order, is remembered; their documents are kept apart, within a bound for the whole process
    (``shown``), and read by number when they are not. A page deep in a list that is not too long is cut
    from the list's whole order, remembered once: reading past thousands of rows for each page costs a sort
    of them all each time, and people (and crawlers) page through a list one page after another: so the
    documents of the next few pages of that order are read with the page's own, when those are read."""
    fetched: dict[int, tuple[str, dict]] = {}
    skip, take = asked[2:]
    ahead: list[int] = []

    def order() -> list[tuple[int, float | None]]:
        rows = _rows(conn, store, sql, skip, take)
        fetched.update(shown.kept(store, kept.revision, [row[:3] for row in rows]))
        return [(number, score) for number, _, _, score in rows]
    if skip >= DEEP and total <= WHOLE and sql.query.searched is None:
        whole = kept.remember(("order", *asked[:2]), lambda: _whole_order(conn, store, sql, total))
        numbers = whole[skip:skip + take]
        ahead = [number for number, _ in whole[skip + take:skip + take * (1 + AHEAD)]]
    else:
        numbers = kept.remember(("rows", *asked), order)
    missing = [number for number, _ in numbers if number not in fetched]
    if missing:
        fetched.update(shown.documents(conn, store, kept.revision, missing, ahead))
    return [(*fetched[number], score) for number, score in numbers]


def _whole_order(conn, store: "PostgresStore", sql: _Sql, total: int) -> list[tuple[int, None]]:
    """The numbers of every record a browse query selects, in its order."""
    rows = conn.execute(*clauses.page_of(store.rtype, sql.query.sort or store.rtype.listing.sort, "r.number",
                                         clauses.where(sql.named), 0, total)).fetchall()
    return [(number, None) for number, in rows]


def _rows(conn, store: "PostgresStore", sql: _Sql, skip: int, take: int
          ) -> list[tuple[int, str, str, float | None]]:
    """The page's numbers, references and documents (their text, for ``shown``) in order, each with its
    search score (None without a search). A ranked search many records match is read best first from its
    words' lists (``search_topk``), else split at its commonest word (``search_ranked``); otherwise a search
    joins what it found, for the scores, instead of testing each row against it."""
    query, rtype, found = sql.query, store.rtype, sql.found
    order, order_params = clauses.order_by(rtype, query.sort or rtype.listing.sort)
    if found is None:       # in an index's order (``sort_indexes``): a first page reads its own rows
        return conn.execute(*clauses.page_of(rtype, query.sort or rtype.listing.sort,
                                             "r.number, r.reference, r.doc::text, NULL", clauses.where(sql.named),
                                             skip, take)).fetchall()
    text, params = clauses.where(sql.named, leave_out=(SEARCH,))
    if query.ranked:        # the most relevant first; equal scores newest first (``query._ranked``)
        best = search_topk.rows(conn, sql.plan, query.searched, (text, params), skip, take)
        if best is not None:
            return best
        if sql.common is not None:
            return search_ranked.rows(conn, sql.common, (text, params), skip, take)
        order, order_params = "found.score DESC, r.number DESC", []
    return conn.execute(
        f"SELECT r.number, r.reference, r.doc::text, found.score FROM records r JOIN ({found[0]}) AS found "
        f"ON found.number = r.number WHERE {text} ORDER BY {order} LIMIT %s OFFSET %s",
        [*found[1], *params, *order_params, take, skip]).fetchall()


def _facets(conn, store: "PostgresStore", query: Query, named: dict[str, Sql], names: tuple[str, ...]
            ) -> dict[str, list[tuple[str, int]]]:
    """One pass for every facet whose field is not filtered, one more for each that is (leaving its own
    filter out)."""
    rtype = store.rtype
    known = [name for name in dict.fromkeys(names) if name in SYSTEM_FILTERS or name in rtype.field_map]
    counts: dict[str, dict[str, int]] = {name: {} for name in known}
    free = tuple(name for name in known if name not in named)
    for group, leave_out in [(free, ())] + [((name,), (name,)) for name in known if name in named]:
        if group:
            _tally(conn, store, query, {name: sql for name, sql in named.items() if name not in leave_out},
                   group, counts)
    return {name: _most_first(counts.get(name, {})) for name in names}


def _tally(conn, store: "PostgresStore", query: Query, named: dict[str, Sql], names: tuple[str, ...],
           counts: dict[str, dict[str, int]]) -> None:
    """Add the facet counts of ``names`` among the rows ``named`` selects: from the derived facet keys,
    as kept counted for a whole pool or under one filter, or in one scan of the rows; for a field whose type
    keeps none (it is not facetable), by asking the type of each distinct stored value, as the embedded
    store does."""
    from engine.store.postgres import pair_counts
    rtype, (text, params) = store.rtype, clauses.where(named)
    derived = [name for name in names if name in SYSTEM_FILTERS or rtype.field(name).kind.facetable]
    one = pair_counts.one_filter(rtype, query, named, derived) if derived else None
    if derived and clauses.only_pool(named, store.repo, bool(query.deleted)):
        rows = conn.execute(f"{_COUNTED} AND name = ANY(%s) AND count > 0",
                            [store.repo, bool(query.deleted), derived]).fetchall()
    elif one is not None:
        rows = pair_counts.tally(conn, store.repo, bool(query.deleted), one, derived)
    elif derived:
        rows = conn.execute(
            "SELECT n.name, k.key, count(*) FROM records r CROSS JOIN unnest(%s::text[]) AS n(name) "
            "CROSS JOIN LATERAL jsonb_array_elements_text(r.facets -> n.name) AS k(key) "
            f"WHERE {text} GROUP BY 1, 2", [derived, *params]).fetchall()
    else:
        rows = []
    for name, key, found in rows:
        counts[name][key] = found
    for name in (name for name in names if name not in derived):
        field = rtype.field(name)
        for value, found in conn.execute(f"SELECT (r.doc -> %s)::jsonb, count(*) FROM records r WHERE {text} "
                                         "GROUP BY 1", [name, *params]):
            for key in dict.fromkeys(field.kind.facet_keys(field, value)):
                counts[name][key] = counts[name].get(key, 0) + found


def _most_first(counts: dict[str, int]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0].casefold(), item[0]))


def _asked(query: Query) -> str:
    """What a query selects, whatever its sort and page: the key of what is remembered for it."""
    return repr((query.searched, query.state, query.deleted, sorted(query.filters.items())))
