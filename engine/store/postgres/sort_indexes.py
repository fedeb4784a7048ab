"""Indexes for the fields a browse page is sorted by: one per field name, on ``(repo, deleted, sort code,
number)``, so that a first page sorted by a field reads only its own rows (walked backwards when descending).

Which fields a repository type's pages are likely sorted by is in its listing: the default sort and the
columns (a column's heading sorts by it). The system columns have indexes of their own (``listing_tables``);
the people sort by a derived code, as fields do. Field names are the YAML's, so an index is shared by every
repository whose type has a field of that name, and is named by a hash of the name, never by the name itself.

The indexes are not schema steps: the fields come from the types, known only when a store opens. The first
store of a type to open makes what is missing, ``CREATE INDEX CONCURRENTLY`` (writes go on meanwhile), which
cannot run in a transaction, so on a connection of its own (a table of a few records is indexed at once, in
a transaction); a build interrupted (a server killed) leaves an INVALID index, which is dropped and built
again. Of two servers starting together, the one that gets the advisory lock builds and the other goes on
without waiting (its pages are only slower until the build ends): a server waiting for the lock would hold
a snapshot, which the builder's ``CONCURRENTLY`` waits for in turn.
"""
from __future__ import annotations

import hashlib
import logging
from typing import TYPE_CHECKING

from psycopg import sql

from engine.schema.model import RepositoryType
from engine.store.postgres.derived import PEOPLE

if TYPE_CHECKING:
    from engine.store.postgres.database import Database

log = logging.getLogger("engine.store")
#: The advisory lock (with the schema's hash as second key) a server holds while it builds sort indexes.
BUILD_LOCK = 0x534F_5254        # "SORT"
#: Up to this many records, an index is built in a moment, so it is built in the transaction (holding writes
#: back for that moment) rather than CONCURRENTLY, which waits for every transaction under way in the database.
SMALL = 10_000
_SMALL = "SELECT count(*) FROM (SELECT FROM records LIMIT %s) AS few"


def sorted_fields(rtype: RepositoryType) -> tuple[str, ...]:
    """The fields (and people) a page of ``rtype`` is likely sorted by, each once, in the listing's order."""
    names = (rtype.listing.sort.lstrip("-"), *rtype.listing.columns)
    return tuple(dict.fromkeys(name for name in names if name in rtype.field_map or name in PEOPLE))


def code(name: str, alias: str = "") -> sql.Composed:
    """A field's sort code as the index has it: the name inlined, so that the planner matches the index."""
    return sql.SQL('({}sorts ->> {}) COLLATE "C"').format(sql.SQL(f"{alias}." if alias else ""), sql.Literal(name))


def index_name(name: str) -> str:
    """The index of one field name: a hash, since a name may hold anything an identifier cannot."""
    return f"records_sort_{hashlib.sha256(name.encode()).hexdigest()[:16]}"


def ensure(db: "Database", rtype: RepositoryType) -> list[str]:
    """Build the sort indexes of ``rtype`` that are missing or INVALID; the field names built (none: all were
    there, or another server is building them). A build that fails is said in the log, and the store opens
    all the same: its pages sorted by those fields are only slower."""
    import psycopg
    wanted = sorted_fields(rtype)
    try:
        with db.connection() as conn:       # one look at the catalogue: all that every later start costs
            missing = _state(conn, wanted) if wanted else {}
            if not missing:
                return []
            if conn.execute(_SMALL, (SMALL,)).fetchone()[0] < SMALL:
                return _build_all(conn, wanted, concurrently=False)
        with psycopg.connect(db.url, autocommit=True) as conn:     # closed, it lets the lock go
            return _build_all(conn, wanted, concurrently=True)
    except psycopg.Error as error:
        log.warning("The sort indexes of %s could not be built: %s", rtype.name, " ".join(str(error).split()))
        return []



def _build_all(conn, wanted: tuple[str, ...], concurrently: bool) -> list[str]:
    """Build what is missing under the lock, unless another server holds it: then it is building them. The lock
    is only ever tried, never waited for, since a server waiting for it in a transaction (its snapshot
    taken) is what the builder's CONCURRENTLY waits for in turn."""
    lock = "pg_try_advisory_lock" if concurrently else "pg_try_advisory_xact_lock"
    if not conn.execute(f"SELECT {lock}(%s, hashtext(current_schema()))", (BUILD_LOCK,)).fetchone()[0]:
        return []
    missing = _state(conn, wanted)
    for name, valid in missing.items():
        _build(conn, name, leftover=valid is False, concurrently=concurrently)
    return list(missing)


def _state(conn, wanted: tuple[str, ...]) -> dict[str, bool | None]:
    """The fields whose index is missing (None) or INVALID (False), in ``wanted``'s order."""
    names = [index_name(name) for name in wanted]
    valid = dict(conn.execute("SELECT c.relname, i.indisvalid FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid "
                              "WHERE c.relnamespace = current_schema()::regnamespace AND c.relname = ANY(%s)",
                              (names,)).fetchall())
    return {name: valid.get(index) for name, index in zip(wanted, names) if valid.get(index) is not True}


def _build(conn, name: str, leftover: bool, concurrently: bool) -> None:
    index, how = sql.Identifier(index_name(name)), sql.SQL("CONCURRENTLY " if concurrently else "")
    if leftover:
        log.info("Dropping the sort index of %r an interrupted build left unusable", name)
        conn.execute(sql.SQL("DROP INDEX {}IF EXISTS {}").format(how, index))
    log.info("Building the sort index of %r", name)
    conn.execute(sql.SQL("CREATE INDEX {}IF NOT EXISTS {} ON records (repo, deleted, {}, number)")
                 .format(how, index, code(name)))
