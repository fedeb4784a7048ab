"""Small tables kept whole in the database: one row of ``documents`` each (``accounts``, ``alerts``,
``drafts:<instance>/<repository>``, ...), the twin of ``engine.store.wholefile.WholeFile`` for a site whose
application servers share one database.

A change is one transaction: the row is read ``FOR UPDATE`` (so every server's changes to one table take turns,
as the file lock makes them do on one machine), changed, and written back with its revision one higher. A read
asks for the body only when the revision differs from the one this process last read, so an unchanged table
costs one small query and no parsing, and within a web request none (the request reads every revision once,
``database.moment``). The body is kept as ``jsonb`` and read back as its JSON text, so the very ``Layout``
that reads a file reads the row.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Generic, Iterator, TypeVar

from engine.errors import DataDamaged, StoreError
from engine.store.postgres.database import Database, DatabaseUnavailable, moved_on
from engine.store.wholefile import Layout

T = TypeVar("T")
#: How long a change waits for another server's change of the same table before giving up.
LOCK_TIMEOUT_S = 30.0


def _busy() -> Exception:
    return StoreError("This is being saved by someone else; nothing was changed. Try again in a moment.")


class DatabaseDocument(Generic[T]):
    """The document ``name`` of ``db``, read and written with ``layout``; ``busy`` makes the error raised when
    another change holds it for longer than ``timeout`` seconds."""

    def __init__(self, db: Database, name: str, layout: Layout[T], *, busy: Callable[[], Exception] = _busy,
                 timeout: float = LOCK_TIMEOUT_S):
        self.db = db
        self.name = name
        self.where = f"database document {name!r}"
        self.layout = layout
        self._busy = busy
        self._timeout = timeout
        self._read: tuple[int, dict[str, T]] = (0, {})      # revision 0: nothing kept yet

    def current(self) -> dict[str, T]:
        """The table as last committed; within a moment (a web request) as the moment saw its revision, so a
        table read unchanged costs no query of its own."""
        seen, items = self._read
        if self.db.document_revision(self.name) == seen:       # (0 for both: nothing kept yet)
            return items
        with self._connection(reading=True) as conn:
            row = conn.execute("SELECT revision, CASE WHEN revision = %s THEN NULL ELSE body::text END "
                               "FROM documents WHERE name = %s", (seen, self.name)).fetchone()
        if row is None or row[0] == 0:
            return {}
        if row[0] != seen:
            items = self._parse(row[1])
            self._read = (row[0], items)
        return items

    def verify(self) -> list[DataDamaged]:
        with self._connection() as conn:
            row = conn.execute("SELECT revision, body::text FROM documents WHERE name = %s", (self.name,)).fetchone()
        try:
            self._parse(row[1] if row and row[0] else None)
        except DataDamaged as damage:
            return [damage]
        return []

    @contextmanager
    def changing(self) -> Iterator[dict[str, T]]:
        with self._connection() as conn:
            revision, before = self._locked(conn)
            items = self.layout.copy(before)
            yield items
            if items != before:
                revision += 1
                conn.execute("UPDATE documents SET revision = %s, body = %s::jsonb WHERE name = %s",
                             (revision, self.layout.body(items).decode("utf-8"), self.name))
                moved_on()
        self._read = (revision, dict(items))

    def _locked(self, conn) -> tuple[int, dict[str, T]]:
        """The row, made if missing (revision 0, so that there is a row to lock), locked until the
        transaction ends, and what it holds."""
        conn.execute("SELECT set_config('lock_timeout', %s, true)", (f"{int(self._timeout * 1000)}ms",))
        conn.execute("INSERT INTO documents (name, revision, body) VALUES (%s, 0, 'null') "
                     "ON CONFLICT (name) DO NOTHING", (self.name,))
        revision, text = conn.execute("SELECT revision, body::text FROM documents WHERE name = %s FOR UPDATE",
                                      (self.name,)).fetchone()
        if revision == self._read[0] and revision:
            return revision, self._read[1]
        return revision, self._parse(text if revision else None)

    def _parse(self, text: str | None) -> dict[str, T]:
        return self.layout.parse(self.where, None if text is None else text.encode("utf-8"))

    @contextmanager
    def _connection(self, reading: bool = False):
        """A transaction (or a connection for ``reading``); a lock waited on too long is ``busy``, a database
        out of reach said as such."""
        import psycopg
        try:
            with (self.db.reading() if reading else self.db.connection()) as conn:
                yield conn
        except psycopg.errors.LockNotAvailable:
            raise self._busy() from None
        except psycopg.OperationalError as error:
            raise DatabaseUnavailable(f"The database could not be reached: {error}") from error


def first_kept(db: Database, name: str, value: str) -> str:
    """The text kept as document ``name``: ``value`` when nobody kept one before, else the one first kept
    (every server starting at once agrees on one; the secret key of the site is kept this way)."""
    import json
    with db.connection() as conn:
        conn.execute("INSERT INTO documents (name, revision, body) VALUES (%s, 1, %s::jsonb) "
                     "ON CONFLICT (name) DO NOTHING", (name, json.dumps({"value": value})))
        body = conn.execute("SELECT body FROM documents WHERE name = %s", (name,)).fetchone()[0]
    return body["value"]
