"""What a repository's rows derive, made again when its type changes: a field renamed, a choice renamed or
its values read another way, a field made searchable. The embedded store builds its index from the records
as today's type reads them each time it opens; the database keeps what it derived (``derived``: filter keys,
facet keys, sort codes; ``search_index``: terms and weights), so a row written under an earlier type would
be filtered, counted, sorted and searched by what that type said until it was saved again. Instead, when a
store opens under a type that differs from the one its rows were derived under, every row is derived again
from its document as it reads today (renames applied), and the search terms too when what is searched, or
how a value reads, changed: in one transaction under the repository's lock, so that a server starting at
the same time waits and finds the work done. Nothing stored is rewritten: a record's document changes only
when someone saves it (or ``repo-engine migrate`` is run).

Which type the rows were derived under is kept beside the repository row (schema version 7): the type's
revision, and a signature of what the search reads.
"""
from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from engine.errors import DataDamaged
from engine.evolution.renames import renames_of
from engine.schema.model import RepositoryType
from engine.search.fields import searched_fields
from engine.store.postgres import search
from engine.store.postgres.writing import DERIVED_COLUMNS, derived_columns

if TYPE_CHECKING:
    from engine.store.postgres.store import PostgresStore

DERIVED_UNDER = """
ALTER TABLE repositories ADD COLUMN derived_under text NOT NULL DEFAULT '';
ALTER TABLE repositories ADD COLUMN searched_under text NOT NULL DEFAULT '';
"""
#: Rows derived again per statement.
BATCH = 1000


def signatures(rtype: RepositoryType) -> tuple[str, str]:
    """(The type's revision, a signature of what its search reads: each searched field's name, type, weight
    and choices, and the renames a document is read through)."""
    renames = renames_of(rtype)
    searched = [(one.name, one.field.type_name, one.weight, one.field.choices) for one in searched_fields(rtype)]
    read = (dict(renames.fields), {name: dict(table) for name, table in renames.choices.items()}) if renames else ()
    return rtype.revision, hashlib.sha256(repr((searched, read)).encode()).hexdigest()[:16]


_MARK = "UPDATE repositories SET derived_under = %s, searched_under = %s WHERE id = %s"


def mark(conn, rtype: RepositoryType, repo: int) -> None:
    """Say the repository's rows are derived under ``rtype`` (a bulk fill derives them so)."""
    conn.execute(_MARK, (*signatures(rtype), repo))


def bring_up_to_date(store: "PostgresStore") -> bool:
    """Derive the repository's rows again if they were derived under another type; whether they were."""
    wanted = signatures(store.rtype)
    with store.db.connection() as conn:
        kept = conn.execute("SELECT derived_under, searched_under FROM repositories WHERE id = %s",
                            (store.repo,)).fetchone()
    if tuple(kept) == wanted:
        return False
    with store.write() as write:            # the repository's lock: one server does it, the others find it done
        kept = write.conn.execute("SELECT derived_under, searched_under FROM repositories WHERE id = %s",
                                  (store.repo,)).fetchone()
        if kept[0] != wanted[0]:
            _derive_rows(store, write)
        if kept[1] != wanted[1] and write.conn.execute(     # else the first write indexes the repository
                "SELECT EXISTS (SELECT FROM search_repositories WHERE repo = %s)", (store.repo,)).fetchone()[0]:
            search.rebuild(write.conn, store.rtype, store.repo)
        if tuple(kept) != wanted:           # a write: the revision moves on, and every cache with it
            write.execute(_MARK, (*wanted, store.repo))
    return True


def _derive_rows(store: "PostgresStore", write) -> None:
    """Every row's derived columns from its document as today's type reads it. A row whose document cannot
    be read keeps what it had: reading it says it is damaged, wherever it is asked for."""
    after = 0
    assignments = ", ".join(f"{name} = v.{name}" for name in DERIVED_COLUMNS)
    while True:
        rows = write.conn.execute("SELECT number, reference, doc FROM records WHERE repo = %s AND number > %s "
                                  "ORDER BY number LIMIT %s", (store.repo, after, BATCH)).fetchall()
        if not rows:
            return
        after = rows[-1][0]
        made = []
        for number, reference, doc in rows:
            try:
                made.append((number, *derived_columns(store.rtype, store.readable(doc, reference))))
            except DataDamaged:
                continue
        if made:
            values = ", ".join(["(%s::bigint" + ", %s::jsonb" * len(DERIVED_COLUMNS) + ")"] * len(made))
            write.conn.execute(f"UPDATE records AS r SET {assignments} FROM (VALUES {values}) "
                               f"AS v (number, {', '.join(DERIVED_COLUMNS)}) "
                               "WHERE r.repo = %s AND r.number = v.number",
                               [*(one for row in made for one in row), store.repo])
