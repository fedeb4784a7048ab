"""Reading a repository in PostgreSQL: records in today's names, their history, counts, the discussion
beside them, and the revision every server's caches are kept under. A row whose document cannot be read is
refused with ``DataDamaged``, never read as an empty record."""
from __future__ import annotations

from typing import Any, Hashable, Iterator, Mapping

from engine.errors import DataDamaged, RecordNotFound
from engine.evolution.renames import Renames
from engine.schema.model import RepositoryType
from engine.store.base import Comment, Page, Query, Record, Store, Version
from engine.store.documents import field_values, to_comment, to_record
from engine.store.history import rebuild
from engine.store.postgres import listing
from engine.store.postgres.database import Database, in_moment
from engine.store.postgres.remembered import Forgetful, Remembered, one, remembered

Doc = dict[str, Any]
#: How many records one query of ``iter_all`` fetches.
BATCH = 500


class Reading(Store):
    """What ``PostgresStore`` reads, from the rows of repository ``repo`` of ``db``."""
    rtype: RepositoryType
    db: Database
    repo: int
    instance: str
    renames: Renames | None

    def read_record(self, doc: Any, reference: str) -> Record:
        """A stored record document (of the row of ``reference``) as a ``Record`` in today's names: what the
        listing builds its pages' records with. ``DataDamaged`` when it cannot be read."""
        record = self._checked(doc, reference)
        renamed = doc if self.renames is None else self.renames.values(doc)
        return record if renamed is doc else to_record(renamed)

    def readable(self, doc: Any, reference: str) -> Doc:
        """The stored record document of the row of ``reference`` as today's type reads it; ``DataDamaged``
        when it is not one."""
        self._checked(doc, reference)
        return dict(self.renames.values(doc)) if self.renames is not None else doc

    def _checked(self, doc: Any, reference: str) -> Record:
        """The stored document as it was written, if it is a record's, and the one of ``reference``."""
        try:
            record = to_record(doc)
            if record.reference != reference:
                raise ValueError(f"its document names {doc['reference']}")
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise self.damaged(f"record {reference}", f"cannot be read ({type(error).__name__}: {error}).") \
                from error
        return record

    def damaged(self, what: str, fault: str) -> DataDamaged:
        return DataDamaged(f"{self.instance}/{self.rtype.name} {what} (in the database)", fault,
                           "Restore the row from the database's backup, or correct it by hand, then run "
                           "`repo-engine check` again.")

    def _find(self, conn, reference: str) -> tuple[int, Doc] | None:
        row = conn.execute("SELECT number, doc FROM records WHERE repo = %s AND reference = %s",
                           (self.repo, reference)).fetchone()
        return (row[0], self.readable(row[1], reference)) if row is not None else None

    def _with_rows(self, reference: str, table: str, order: str, renamed,
                   opened: tuple[int, Doc] | None = None) -> tuple[Doc, list[Doc]]:
        """The record (deleted or not) and the documents of its rows in ``table`` (history, attachments) in
        ``order``, each in today's names (``renamed(renames)``: how one is renamed). Given the record's row
        as its page read it (``opened``), the rows that go with it; else both in one statement, so that the
        versions rebuilt from the record are those of the same moment."""
        rows_of = f"SELECT coalesce(jsonb_agg(t.doc ORDER BY t.{order}), '[]') FROM {table} t WHERE t.repo = %s"
        with self.db.reading() as conn:
            if opened is not None:
                doc = opened[1]
                rows, = conn.execute(f"{rows_of} AND t.number = %s", (self.repo, opened[0])).fetchone()
            else:
                found = conn.execute(f"SELECT r.doc, ({rows_of} AND t.number = r.number) FROM records r "
                                     "WHERE r.repo = %s AND r.reference = %s",
                                     (self.repo, self.repo, reference)).fetchone()
                if found is None:
                    raise RecordNotFound(reference)
                doc, rows = self.readable(found[0], reference), found[1]
        return doc, rows if self.renames is None else list(map(renamed(self.renames), rows))

    def _doc(self, conn, reference: str, include_deleted: bool) -> tuple[int, Doc]:
        return self._live(self._find(conn, reference), reference, include_deleted)

    @staticmethod
    def _live(found: tuple[int, Doc] | None, reference: str, include_deleted: bool) -> tuple[int, Doc]:
        if found is None or (found[1].get("deleted") and not include_deleted):
            raise RecordNotFound(reference)
        return found

    def _opened_row(self, reference: str, include_deleted: bool) -> tuple[int, Doc]:
        """The row of a record people open (its page), remembered as ``_opened`` says (the embedded store
        holds every record); a write reads its rows afresh, under the repository's lock."""
        def read() -> tuple[tuple[int, Doc] | None]:
            with self.db.reading() as conn:
                return (self._find(conn, reference),)
        found, = self._opened().remember(("row", reference), read, weight=one)
        return self._live(found, reference, include_deleted)

    def _opened(self) -> Remembered:
        """What is remembered of the records people open (a row, its files, its discussion): within a web
        request, under the revision the request read; outside one, nothing (the revision would cost a query
        of its own, as much as what it would save)."""
        return remembered(self, "records") if in_moment() else Forgetful(None)

    def get(self, reference: str, *, include_deleted: bool = False) -> Record:
        return to_record(self._opened_row(reference, include_deleted)[1])

    def history(self, reference: str) -> list[Version]:
        doc, entries = self._with_rows(reference, "history", "id", lambda renames: renames.change)
        try:
            return rebuild(doc, entries, tuple(self.rtype.field_map))
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise self.damaged(f"history of {reference}", f"cannot be read ({type(error).__name__}).") from error

    def query(self, query: Query) -> Page:
        return listing.page(self, query)

    def facets(self, query: Query, names: tuple[str, ...]) -> dict[str, list[tuple[str, int]]]:
        return listing.facets(self, query, names)

    def count(self) -> int:
        """How many live records: as the write path keeps it counted (``listing_tables``), not by a scan."""
        with self.db.reading() as conn:
            row = conn.execute("SELECT count FROM facet_counts WHERE repo = %s AND NOT deleted AND name = '' "
                               "AND key = ''", (self.repo,)).fetchone()
        return row[0] if row else 0

    def iter_all(self, query: Query | None = None) -> Iterator[Record]:
        """Without a query, every live record in reference order, read a batch at a time."""
        if query is not None:
            yield from super().iter_all(query)
            return
        for reference, doc in self._rows(deleted=False):
            yield to_record(doc)

    def stored_values(self) -> Iterator[tuple[str, Mapping[str, Any]]]:
        for deleted in (False, True):
            for reference, doc in self._rows(deleted=deleted):
                yield reference, field_values(doc)

    def _rows(self, *, deleted: bool) -> Iterator[tuple[str, Doc]]:
        after = 0
        while True:
            with self.db.reading() as conn:
                rows = conn.execute("SELECT number, reference, doc FROM records WHERE repo = %s AND deleted = %s "
                                    "AND number > %s ORDER BY number LIMIT %s",
                                    (self.repo, deleted, after, BATCH)).fetchall()
            for _number, reference, doc in rows:
                yield reference, self.readable(doc, reference)
            if len(rows) < BATCH:
                return
            after = rows[-1][0]

    def revision(self) -> Hashable:
        return self.repo, self.db.revision(self.repo)

    # -- the discussion beside a record, and who watches it ---------------------------------------------------
    # A record page asks for both at every view: they are remembered under the revision, as the listing's
    # answers are (a comment or a watch is a write, which moves the revision on).
    def comments(self, reference: str) -> list[Comment]:
        def read() -> tuple[Comment, ...]:
            with self.db.reading() as conn:
                rows = conn.execute("SELECT c.doc FROM comments c JOIN records r ON r.repo = c.repo AND "
                                    "r.number = c.number WHERE c.repo = %s AND r.reference = %s ORDER BY c.seq",
                                    (self.repo, reference))
                return tuple(to_comment(doc) for doc, in rows)
        return list(self._opened().remember(("comments", reference), read))

    def watchers(self, reference: str) -> frozenset[str]:
        def read() -> frozenset[str]:
            with self.db.reading() as conn:
                rows = conn.execute("SELECT w.username FROM watchers w JOIN records r ON r.repo = w.repo "
                                    "AND r.number = w.number WHERE w.repo = %s AND r.reference = %s",
                                    (self.repo, reference))
                return frozenset(username for username, in rows)
        return self._opened().remember(("watchers", reference), read)

    def watched_by(self, username: str) -> list[str]:
        with self.db.reading() as conn:
            rows = conn.execute("SELECT r.reference FROM watchers w JOIN records r ON r.repo = w.repo "
                                "AND r.number = w.number WHERE w.repo = %s AND w.username = %s "
                                "ORDER BY r.number, r.reference", (self.repo, username))
            return [reference for reference, in rows]

