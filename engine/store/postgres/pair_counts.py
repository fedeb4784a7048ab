"""The total and facet counts of a page filtered by one value (division is Surgery), or by the open/closed
switch, read from the counts the write path keeps (``pair_tables``) rather than counted from the rows.

The facets counted under a filter are those pages show (``paired``: the listing's facets, and status for
the open/closed switch), named in the repository's row when its store opens (``bring_up_to_date``, which
counts them afresh when the type's facets changed). A kept count is exact when the page's constraints are
its pool and one filter by keys (``AnyKey``) on a field whose keys the pairs hold (a facetable field, or a
system filter), the facets asked are paired, and the records with any of the filter's keys are the sum of
those with each: one key, or a field whose values hold one key at most (the field type's ``single_key``; a
record has one status, one creator and one year). Any other page is counted from its rows (``listing``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Mapping

from engine.fields.conditions import AnyKey
from engine.schema.model import RepositoryType
from engine.store.base import Query
from engine.store.index import STATUS
from engine.store.postgres import clauses
from engine.store.postgres.clauses import Sql
from engine.store.query import POOL, STATE, SYSTEM_FILTERS

if TYPE_CHECKING:
    from engine.store.postgres.store import PostgresStore

_PAIRED = ("SELECT name, key, sum(count)::bigint FROM facet_pair_counts WHERE repo = %s AND deleted = %s "
           "AND filter = %s AND filter_key = ANY(%s) AND name = ANY(%s) GROUP BY 1, 2 HAVING sum(count) > 0")


@dataclass(frozen=True)
class OneFilter:
    """The one filter of a page whose counts are kept: its name among the pairs, its keys, and whether it is
    the open/closed switch (a filter on status the status facet does not leave out)."""
    name: str
    keys: tuple[str, ...]
    switch: bool = False


#: The pairs of every repository counted afresh from its rows, for the names ``paired`` gives.
_RECOUNT = ("INSERT INTO facet_pair_counts (repo, deleted, filter, filter_key, name, key, count) "
            "SELECT r.repo, r.deleted, p.filter, p.filter_key, p.name, p.key, count(*) FROM records AS r "
            "CROSS JOIN LATERAL facet_pairs(r.keys, r.facets, %(paired)s::text[]) AS p WHERE r.repo = %(repo)s "
            "GROUP BY 1, 2, 3, 4, 5, 6")


def paired(rtype: RepositoryType) -> tuple[str, ...]:
    """The facets whose counts are kept under each filter: the listing's, and status (the open/closed switch
    filters by it), in name order."""
    names = {STATUS, *(name for name in rtype.listing.facets
                       if name in SYSTEM_FILTERS or (name in rtype.field_map and rtype.field(name).kind.facetable))}
    return tuple(sorted(names))


def bring_up_to_date(store: "PostgresStore") -> bool:
    """Name the repository's paired facets in its row, counting the pairs afresh when they are not those it
    names (a new repository, its type's facets changed, or a database upgraded from before they were
    named); whether they were. Under the repository's lock, so a server starting at the same time waits and
    finds the work done."""
    wanted = list(paired(store.rtype))
    ask = "SELECT paired FROM repositories WHERE id = %s"
    with store.db.reading() as conn:
        if conn.execute(ask, (store.repo,)).fetchone()[0] == wanted:
            return False
    with store.write() as write:
        if write.conn.execute(ask, (store.repo,)).fetchone()[0] == wanted:
            return False
        write.execute("UPDATE repositories SET paired = %s WHERE id = %s", (wanted, store.repo))
        write.execute("DELETE FROM facet_pair_counts WHERE repo = %s", (store.repo,))
        write.execute(_RECOUNT, {"paired": wanted, "repo": store.repo})
    return True


def name_paired(conn, rtype: RepositoryType, repo: int) -> None:
    """Name the paired facets of a repository about to be filled (in bulk), so that its rows count only
    those as they go in."""
    conn.execute("UPDATE repositories SET paired = %s WHERE id = %s", (list(paired(rtype)), repo))


def one_filter(rtype: RepositoryType, query: Query, named: Mapping[str, Sql],
               facets: Iterable[str] = ()) -> OneFilter | None:
    """The filter of constraints ``named`` (a query's, or some of them) if they are the pool and one filter
    whose counts are kept, and those of ``facets`` too; None for any others."""
    others = [name for name in named if name != POOL]
    if POOL not in named or len(others) != 1:
        return None
    if others[0] == STATE:
        name, wanted = STATUS, clauses.switched(rtype, query.state or "")
    elif others[0] in query.filters:
        name, wanted = others[0], tuple(query.filters[others[0]])
    else:
        return None                     # a search
    if not set(facets) <= set(paired(rtype)):
        return None
    kind = rtype.field(name).kind if name in rtype.field_map and name not in SYSTEM_FILTERS else None
    conditions = clauses.conditions(rtype, name, wanted)
    if (kind is not None and not kind.facetable) or not all(isinstance(one, AnyKey) for one in conditions):
        return None
    keys = tuple(dict.fromkeys(key for one in conditions for key in one.keys))
    if len(keys) > 1 and kind is not None and not kind.single_key:
        return None
    return OneFilter(name, keys, switch=others[0] == STATE)


def total(conn, repo: int, deleted: bool, one: OneFilter) -> int:
    found = conn.execute(_PAIRED, [repo, deleted, one.name, list(one.keys), [""]]).fetchone()
    return found[2] if found else 0


def tally(conn, repo: int, deleted: bool, one: OneFilter, names: list[str]) -> list[tuple[str, str, int]]:
    """(facet, key, count) of the facets ``names`` under the filter: from its pairs, but for the status
    facet under the switch, which is the kept count of each status the switch selects."""
    rows = conn.execute(_PAIRED, [repo, deleted, one.name, list(one.keys), names]).fetchall()
    if one.switch and STATUS in names:
        rows += conn.execute("SELECT name, key, count FROM facet_counts WHERE repo = %s AND deleted = %s "
                             "AND name = %s AND key = ANY(%s) AND count > 0",
                             [repo, deleted, STATUS, list(one.keys)]).fetchall()
    return rows
