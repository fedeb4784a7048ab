"""Upkeep of a repository in PostgreSQL: ``migrate`` (every stored document in today's names, each record
stamped with today's type revision) and ``verify`` (every row whose document cannot be read).

A migration rewrites ``BATCH`` rows per write, each write made from the rows as they are under the
repository's lock (``writing.Write``): a save made meanwhile, on any server, is never written over, and no
save waits long. Record versions do not change, so nobody's open edit form is put in conflict.
"""
from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any, Callable, Iterator

from engine.errors import DataDamaged
from engine.store.base import Migration
from engine.store.history import rebuild
from engine.store.migration import rewritten
from engine.store.postgres.writing import jsonb

if TYPE_CHECKING:
    from engine.store.postgres.store import PostgresStore

Doc = dict[str, Any]
#: How many rows one write of a migration rewrites, and one read of ``verify`` checks.
BATCH = 500
#: What a rewrite of each kind of document sets: an attachment's row names its field beside its document.
SET = {"history": "doc = %s", "attachments": "doc = %s, field = %s"}


def migrate(store: "PostgresStore") -> Migration:
    found: Counter[str] = Counter()
    records = _migrate_records(store, found)
    renames = store.renames
    versions = _migrate_rows(store, "history", "id", renames.change) if renames is not None else 0
    if renames is not None:
        _migrate_rows(store, "attachments", "seq", renames.attachment)
    return Migration(records, versions, dict(found))


def _migrate_records(store: "PostgresStore", found: Counter[str]) -> int:
    """Records in today's names and revision, counting in ``found`` each rename that took effect."""
    rewrote, after = 0, 0
    while True:
        with store.write() as write:
            rows = write.conn.execute("SELECT number, reference, doc FROM records WHERE repo = %s AND number > %s "
                                      "ORDER BY number LIMIT %s FOR UPDATE", (store.repo, after, BATCH)).fetchall()
            for number, reference, doc in rows:
                wanted = rewritten(doc, store.readable(doc, reference), store.rtype.revision)
                if wanted is None:
                    continue
                write.replace_record(number, wanted, doc["version"])
                rewrote += 1
                if store.renames is not None:
                    found.update(store.renames.found_in(doc))
        if len(rows) < BATCH:
            return rewrote
        after = rows[-1][0]


def _migrate_rows(store: "PostgresStore", table: str, order: str, read: Callable[[Doc], Doc]) -> int:
    """The documents of ``table`` (history or attachments, ordered by ``order``) in today's names."""
    rewrote, after = 0, 0
    while True:
        with store.write() as write:
            rows = write.conn.execute(f"SELECT {order}, doc FROM {table} WHERE repo = %s AND {order} > %s "
                                      f"AND number IS NOT NULL ORDER BY {order} LIMIT %s FOR UPDATE",
                                      (store.repo, after, BATCH)).fetchall()
            for key, doc in rows:
                wanted = rewritten(doc, read(doc), None)
                if wanted is None:
                    continue
                extra = (wanted["field"],) if table == "attachments" else ()
                write.execute(f"UPDATE {table} SET {SET[table]} WHERE {order} = %s", (jsonb(wanted), *extra, key))
                rewrote += 1
        if len(rows) < BATCH:
            return rewrote
        after = rows[-1][0]


def verify(store: "PostgresStore") -> list[DataDamaged]:
    """Each record whose document, or whose history, cannot be read, read afresh from the database."""
    faults: list[DataDamaged] = []
    for number, reference, doc, entries in _records_with_history(store):
        try:
            current = store.readable(doc, reference)
            rebuild(current, [store.renames.change(entry) for entry in entries] if store.renames else entries)
        except DataDamaged as fault:
            faults.append(fault)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            faults.append(store.damaged(f"history of {reference}",
                                        f"cannot be read ({type(error).__name__}: {error})."))
    return faults


def _records_with_history(store: "PostgresStore") -> Iterator[tuple[int, str, Any, list[Any]]]:
    after = 0
    while True:
        with store.db.connection() as conn:
            rows = conn.execute("SELECT number, reference, doc FROM records WHERE repo = %s AND number > %s "
                                "ORDER BY number LIMIT %s", (store.repo, after, BATCH)).fetchall()
            numbers = [row[0] for row in rows]
            entries: dict[int, list[Any]] = {number: [] for number in numbers}
            for number, entry in conn.execute("SELECT number, doc FROM history WHERE repo = %s "
                                              "AND number = ANY(%s) ORDER BY id", (store.repo, numbers)):
                entries[number].append(entry)
        for number, reference, doc in rows:
            yield number, reference, doc, entries[number]
        if len(rows) < BATCH:
            return
        after = rows[-1][0]
