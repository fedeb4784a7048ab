"""A browse query as SQL over the ``records`` table (alias ``r``): the constraints a matching record meets,
named as ``engine.store.query`` names them (so facet counts can leave their own field's out), and the
ORDER BY of a sort.

Field types decide what matches (``FieldType.filter_condition``, over the terms ``derived`` keeps); this
module compiles each kind of condition once, whatever the type, and the system fields from their columns.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping

from psycopg.types.json import Jsonb

from engine.fields.conditions import AnyKey, Condition, Contains, Within, key_condition
from engine.schema.model import RepositoryType
from engine.store.base import Query
from engine.store.index import STATUS
from engine.store.postgres import sort_indexes
from engine.store.postgres.derived import PEOPLE
from engine.store.query import POOL, SEARCH, STATE, SYSTEM_FILTERS

Sql = tuple[str, list[Any]]     # a fragment with %s placeholders, and its parameters
NOTHING: Sql = ("false", [])


def constraints(rtype: RepositoryType, repo: int, query: Query, found: Sql | None = None) -> dict[str, Sql]:
    """Every condition a record of ``query`` meets, by name; ``found`` selects the numbers a search finds."""
    named: dict[str, Sql] = {POOL: pool(repo, bool(query.deleted))}
    if found is not None:
        named[SEARCH] = (f"r.number IN (SELECT found.number FROM ({found[0]}) AS found)", list(found[1]))
    if query.state in ("open", "closed"):
        named[STATE] = filter_sql(rtype, STATUS, switched(rtype, query.state))
    for name, wanted in query.filters.items():
        if wanted:
            named[name] = filter_sql(rtype, name, tuple(wanted))
    return named


def pool(repo: int, deleted: bool) -> Sql:
    """The live records of the repository, or its deleted ones (the bin)."""
    return "r.repo = %s AND r.deleted = %s", [repo, deleted]


def only_pool(named: Mapping[str, Sql], repo: int, deleted: bool) -> bool:
    """Do the constraints select the whole pool (whose counts ``listing_tables`` keeps)?"""
    return dict(named) == {POOL: pool(repo, deleted)}


def where(named: Mapping[str, Sql], leave_out: tuple[str, ...] = ()) -> Sql:
    """The constraints AND-ed, but those named in ``leave_out``."""
    chosen = [sql for name, sql in named.items() if name not in leave_out]
    return " AND ".join(f"({text})" for text, _ in chosen), [param for _, params in chosen for param in params]


def switched(rtype: RepositoryType, state: str) -> tuple[str, ...]:
    """The statuses the open/closed switch selects (``state`` is "open" or "closed")."""
    return rtype.open_statuses if state == "open" else rtype.closed_statuses


def conditions(rtype: RepositoryType, name: str, wanted: tuple[Any, ...]) -> list[Condition]:
    """What a filter on ``name`` by any of ``wanted`` asks of the terms (none: an unknown name)."""
    if name in SYSTEM_FILTERS:
        return [key_condition(one) for one in wanted]
    if name in rtype.field_map:
        field = rtype.field(name)
        return [field.kind.filter_condition(field, one) for one in wanted]
    return []


def filter_sql(rtype: RepositoryType, name: str, wanted: tuple[Any, ...]) -> Sql:
    """Records whose ``name`` matches any of ``wanted`` (an unknown name matches nothing)."""
    return _any([_COMPILERS[type(condition)](name, condition) for condition in conditions(rtype, name, wanted)])


def _any(parts: list[Sql]) -> Sql:
    parts = [part for part in parts if part != NOTHING] or [NOTHING]
    return " OR ".join(f"({text})" for text, _ in parts), [param for _, params in parts for param in params]


def _any_key(name: str, condition: AnyKey) -> Sql:
    """One containment per key: each is answered from the GIN index on ``keys``, then OR-ed as bitmaps."""
    return _any([("r.keys @> %s", [Jsonb({name: [key]})]) for key in condition.keys])


def _contains(name: str, condition: Contains) -> Sql:
    return "strpos(coalesce(r.texts ->> %s, ''), %s) > 0", [name, condition.text]


def _within(name: str, condition: Within) -> Sql:
    """JSONB numbers compare as numerics, exactly, whether whole or not."""
    parts: list[Sql] = [("r.points ? %s", [name])]
    if condition.low is not None:
        parts.append(("r.points -> %s >= %s", [name, Jsonb(condition.low)]))
    if condition.high is not None:
        parts.append(("r.points -> %s <= %s", [name, Jsonb(condition.high)]))
    return " AND ".join(text for text, _ in parts), [param for _, params in parts for param in params]


_COMPILERS: dict[type, Callable[[str, Any], Sql]] = {AnyKey: _any_key, Contains: _contains, Within: _within}

#: System fields sorted by a column of their own (``SYSTEM_SORT_KEYS`` of ``engine.store.index``: a stamp's
#: text sorts as its time, a reference by its number).
_COLUMNS = {"reference": "r.number", "created": "r.created", "updated": "r.updated", "version": "r.version"}


def order_by(rtype: RepositoryType, sort: str) -> Sql:
    """ORDER BY (without the words) for ``sort`` as ``RecordIndex.order`` and ``query._ordered`` have it:
    ascending by key then number; descending is the same list reversed (ties by number descending too);
    records without a value last in both, by number; a name that is nothing sorts by reference."""
    name, direction = sort.lstrip("-"), "DESC" if sort.startswith("-") else "ASC"
    if name in _COLUMNS:
        return f"{_COLUMNS[name]} {direction}, r.number {direction}", []
    if name == STATUS:
        names = list(rtype.status_names)
        return (f"coalesce(array_position(%s::text[], r.status), %s) {direction}, r.number {direction}",
                [names, len(names) + 1])
    if not _by_code(rtype, name):
        return "r.number ASC", []
    code = _code(name)
    if direction == "ASC":
        return f"{code} ASC NULLS LAST, r.number ASC", []
    return f"{code} DESC NULLS LAST, CASE WHEN {code} IS NULL THEN r.number END ASC, r.number DESC", []


def page_of(rtype: RepositoryType, sort: str, columns: str, chosen: Sql, skip: int, take: int) -> Sql:
    """SELECT ``columns`` of the ``take`` rows after the first ``skip`` that ``chosen`` (a ``where``) selects,
    in ``order_by``'s order. Sorted by a field, descending, it is two selects one after the other, each in
    its index's order (``sort_indexes``): the rows with a value, walked backwards, then those without, by
    number ascending (one ORDER BY of that order would sort every row first; the second part's ORDER BY
    names the code, always empty there, so the index's order is seen to be the one asked for). Each part
    has the limit of the whole too, or it is planned as if all its rows were read."""
    text, params = chosen
    name = sort.lstrip("-")
    if not (sort.startswith("-") and _by_code(rtype, name)):
        order, order_params = order_by(rtype, sort)
        return (f"SELECT {columns} FROM records r WHERE {text} ORDER BY {order} LIMIT %s OFFSET %s",
                [*params, *order_params, take, skip])
    code = _code(name)
    return (f"(SELECT {columns} FROM records r WHERE ({text}) AND {code} IS NOT NULL "
            f"ORDER BY {code} DESC, r.number DESC LIMIT %s) UNION ALL "
            f"(SELECT {columns} FROM records r WHERE ({text}) AND {code} IS NULL ORDER BY {code}, r.number LIMIT %s) "
            "LIMIT %s OFFSET %s", [*params, skip + take, *params, skip + take, take, skip])


def _by_code(rtype: RepositoryType, name: str) -> bool:
    """Is ``name`` sorted by its derived sort code (a field, or a person's name)?"""
    return name not in _COLUMNS and name != STATUS and (name in PEOPLE or name in rtype.field_map)


def _code(name: str) -> str:
    """The sort code as its index has it, the name a literal (a parameter would not match the index), and
    any ``%`` doubled: the text is run with parameters."""
    return sort_indexes.code(name, "r").as_string().replace("%", "%%")
