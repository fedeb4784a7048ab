"""``PostgresStore``: the records of one repository of one instance, in the site's PostgreSQL database.

Each record is one row of ``records`` whose ``doc`` is the very document the embedded store keeps, and each
save one row of ``history``, so both backends read and rebuild records with the same functions
(``documents``, ``history``) and make the same documents on write (``saving``). Every write is one
transaction (``writing.Write``): the record, its versions, its files, the records a workflow action moves,
the notices, the idempotency key, the reference counter and the revision commit together or not at all, and
once ``insert`` or ``update`` returns it is in the database for every server to read. Reads see today's
names (``engine.evolution.renames``) as the embedded store does, and a row whose document cannot be read
is refused with ``DataDamaged``, never read as an empty record.
"""
from __future__ import annotations

import uuid
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from typing import Any, BinaryIO, Callable, Iterable, Iterator, Mapping, Sequence

from engine.errors import (AttachmentNotFound, DataDamaged, EditConflict, IdempotencyKeyReused,
                           RecordNotFound)
from engine.evolution.renames import renames_of
from engine.notify.notice import Notice
from engine.schema.model import RepositoryType
from engine.store import saving
from engine.store.base import IDEMPOTENCY_WINDOW, Attachment, Comment, Migration, Move, NewRecord, Record
from engine.store.documents import stamp, storable_values, to_attachment, to_comment, to_record, utc_now
from engine.store.history import diff, version_doc
from engine.store.postgres import pair_counts, rederiving, sort_indexes, upkeep
from engine.store.postgres.database import Database
from engine.store.postgres.files import Files
from engine.store.postgres.outbox import PostgresOutbox
from engine.store.postgres.reading import Reading
from engine.store.postgres.writing import COUNTER, Write, jsonb

Doc = dict[str, Any]


class PostgresStore(saving.SavedChanges, Reading):
    """The records of ``rtype`` in ``instance``, in database ``db``."""

    def __init__(self, rtype: RepositoryType, db: Database, instance: str):
        self.rtype, self.db, self.instance = rtype, db, instance
        self.repo = db.repository(instance, rtype.name)
        sort_indexes.ensure(db, rtype)
        self.renames = renames_of(rtype)
        self._labels = {field.name: field.label for field in rtype.fields}
        self._files = Files(db, self.repo)
        self._outbox = PostgresOutbox(db, self.repo)
        pair_counts.bring_up_to_date(self)
        rederiving.bring_up_to_date(self)

    @property
    def outbox(self) -> PostgresOutbox:
        return self._outbox

    @contextmanager
    def write(self) -> Iterator[Write]:
        """One write: a transaction holding the repository's lock, finished (indexed, revision moved on) when
        the block ends without an error, rolled back otherwise."""
        with self.db.connection() as conn:
            write = Write(self, conn)
            yield write
            write.finish()

    # -- creating records -----------------------------------------------------------------------------------
    def insert_many(self, records: Sequence[NewRecord], *, user: str, now: datetime | None = None
                    ) -> list[Record]:
        cleaned = [storable_values(new.values, self._labels) for new in records]
        if not records:
            return []
        when = stamp(now or utc_now())
        with self.write() as write:
            earlier = [self._created_before(write.conn, new) for new in records]
            making = [(new, values) for new, values, made in zip(records, cleaned, earlier) if made is None]
            numbers = saving.numbers(self.rtype.reference_prefix, write.counter, [new for new, _ in making])
            notices: list[Notice] = []
            created = []
            for number, (new, values) in zip(numbers, making):
                doc = saving.new_doc(self.rtype, number, new, values, user, when)
                write.add_record(number, doc)
                write.add_version(number, version_doc(doc, "created", {}))
                write.register(number, doc["reference"], new.attachments)
                if new.idempotency is not None:
                    write.remember(new.idempotency, doc["reference"], when)
                notices.extend(saving.about(new.notices, doc["reference"]))
                created.append(to_record(doc))
            write.queue(notices)
            if numbers:
                write.advance(max(numbers) + 1)
        made = iter(created)
        return [record if record is not None else next(made) for record in earlier]

    def _created_before(self, conn, new: NewRecord) -> Record | None:
        """The record an earlier create with ``new``'s idempotency key made, as it is now (None: none did).
        The same key with other values is refused."""
        asked = new.idempotency
        earlier = self._request(conn, asked.key) if asked is not None else None
        if earlier is None:
            return None
        fingerprint, reference = earlier
        if fingerprint != asked.fingerprint:
            raise IdempotencyKeyReused(reference)
        return to_record(self._doc(conn, reference, include_deleted=True)[1])

    def _request(self, conn, key: str) -> tuple[str, str] | None:
        return conn.execute("SELECT fingerprint, reference FROM requests WHERE repo = %s AND key = %s AND at >= %s",
                            (self.repo, key, utc_now() - IDEMPOTENCY_WINDOW)).fetchone()

    def created_with(self, key: str) -> str | None:
        with self.db.connection() as conn:
            earlier = self._request(conn, key)
        return earlier[1] if earlier is not None else None

    def reference_free(self, reference: str) -> bool:
        with self.db.connection() as conn:
            first = conn.execute(COUNTER, (self.repo,)).fetchone()[0]
        return saving.free_number(self.rtype.reference_prefix, reference, first) is not None

    # -- changing records -----------------------------------------------------------------------------------
    def _save(self, reference: str, change: Callable[[Doc], Doc], *, user: str, note: str,
              expected_version: int | None = None, include_deleted: bool = False,
              attachments: Sequence[Attachment] = (), comment: str = "", notices: Sequence[Notice] = (),
              moves: Sequence[Move] = ()) -> Record:
        """The one read-modify-write of an existing record, as the embedded store's: check the version,
        apply, keep the old one, and in the same transaction make the ``moves`` and queue the ``notices``. A
        save that changes nothing writes nothing at all."""
        with self.write() as write:
            number, doc = self._doc(write.conn, reference, include_deleted)
            if expected_version is not None and doc["version"] != expected_version:
                raise EditConflict(reference, expected_version, to_record(doc))
            new = change(doc)
            changes = diff(doc, new)
            if saving.writes_nothing(changes, attachments, comment):
                return to_record(doc)
            when = stamp(utc_now())
            saving.stamped(self.rtype, doc, new, user, when)
            if not write.replace_record(number, new, doc["version"]):
                current = self._doc(write.conn, reference, include_deleted=True)[1]
                raise EditConflict(reference, doc["version"], to_record(current))
            write.add_version(number, version_doc(new, note, changes, comment))
            self._moved(write, moves, reference, user, when)
            write.register(number, reference, attachments)
            write.queue(saving.about(notices, reference))
        return to_record(new)

    def _moved(self, write: Write, moves: Sequence[Move], saving_reference: str, user: str, when: str) -> None:
        """The status change of each move, in order, each a new version of that record; a move naming a
        record that is absent, deleted, already in that status, or the one being saved, is skipped."""
        moved: dict[str, tuple[int, Doc]] = {}
        for move in moves:
            found = moved.get(move.reference) or self._find(write.conn, move.reference)
            if not saving.moves_record(move, found[1] if found else None, saving_reference):
                continue
            number, doc = found
            new = saving.stamped(self.rtype, doc, {**doc, "status": move.status}, user, when)
            write.replace_record(number, new, doc["version"])
            write.add_version(number, version_doc(new, move.note, diff(doc, new)))
            moved[move.reference] = (number, new)

    # -- the discussion beside a record, and who watches it ---------------------------------------------------
    def add_comment(self, reference: str, text: str, *, user: str, notices: Sequence[Notice] = ()) -> Comment:
        doc = {"id": uuid.uuid4().hex, "reference": reference, "text": text, "by": user, "at": stamp(utc_now())}
        with self.write() as write:
            number, _ = self._doc(write.conn, reference, include_deleted=False)
            write.execute("INSERT INTO comments (id, repo, number, doc) VALUES (%s, %s, %s, %s)",
                          (doc["id"], self.repo, number, jsonb(doc)))
            write.queue(saving.about(notices, reference))
        return to_comment(doc)

    def set_watching(self, reference: str, username: str, watching: bool) -> bool:
        """Only a live record can be watched; a watch of a deleted one can still be stopped."""
        with self.write() as write:
            found = self._find(write.conn, reference)
            if found is None:
                if watching:
                    raise RecordNotFound(reference)
                return False
            if watching and found[1].get("deleted"):
                raise RecordNotFound(reference)
            sql = ("INSERT INTO watchers (repo, number, username) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING"
                   if watching else "DELETE FROM watchers WHERE repo = %s AND number = %s AND username = %s")
            return write.execute(sql, (self.repo, found[0], username)) > 0

    # -- attachments ----------------------------------------------------------------------------------------
    def stage_attachment(self, field: str, filename: str, stream: BinaryIO, *, user: str) -> Attachment:
        return self._files.stage(self.rtype.field(field), filename, stream, user=user)

    def discard_staged(self, attachments: Iterable[Attachment]) -> None:
        self._files.discard(attachments)

    def save_attachment(self, reference: str, field: str, filename: str, stream: BinaryIO, *,
                        user: str, content_type: str | None = None) -> Attachment:
        staged = self.stage_attachment(field, filename, stream, user=user)
        try:
            self._save(reference, saving.adding_file(field, staged.id), user=user, note="edited",
                       attachments=[staged])
        except BaseException:
            self.discard_staged([staged])
            raise
        return replace(staged, reference=reference)

    def attachments(self, reference: str) -> list[Attachment]:
        """The record's files, remembered with the record (its page lists them) and read with its row as the
        page read it, so that the files listed are those of the record shown."""
        def read() -> tuple[Attachment, ...]:
            doc, metas = self._with_rows(reference, "attachments", "seq", lambda renames: renames.attachment,
                                         self._opened_row(reference, include_deleted=True))
            return tuple(to_attachment(meta) for meta in metas
                         if meta["id"] in saving.file_ids(doc.get(meta["field"])))
        return list(self._opened().remember(("attachments", reference), read))

    def open_attachment(self, reference: str, attachment_id: str) -> tuple[Attachment, BinaryIO]:
        for attachment in self.attachments(reference):
            if attachment.id == attachment_id:
                return attachment, self._files.open(attachment_id)
        raise AttachmentNotFound(f"{reference} has no file {attachment_id}.")

    def delete_attachment(self, reference: str, attachment_id: str, *, user: str) -> None:
        found = [a for a in self.attachments(reference) if a.id == attachment_id]
        if not found:
            raise AttachmentNotFound(f"{reference} has no file {attachment_id}.")
        self._save(reference, saving.dropping_file(found[0].field, attachment_id), user=user, note="edited")

    def attachment_text(self, attachment_id: str) -> str | None:
        return self._files.text(attachment_id)

    def extract_missing_texts(self, progress: Callable[[int], object] | None = None) -> int:
        """The records whose files were given text are indexed again, and every server's pages follow."""
        given = self._files.extract_missing(progress)
        if given:
            with self.write() as write:
                rows = write.conn.execute("SELECT number, reference, doc FROM records WHERE repo = %s "
                                          "AND number = ANY(%s)", (self.repo, sorted(set(given))))
                for number, reference, doc in rows.fetchall():
                    write.reindex(number, self.readable(doc, reference))
        return len(given)

    # -- upkeep ---------------------------------------------------------------------------------------------
    def migrate(self) -> Migration:
        return upkeep.migrate(self)

    def verify(self) -> list[DataDamaged]:
        return upkeep.verify(self)

    def has_held_data(self) -> bool:
        with self.db.connection() as conn:
            return conn.execute("SELECT next_reference > 1 OR EXISTS (SELECT 1 FROM records WHERE repo = r.id) "
                                "FROM repositories r WHERE id = %s", (self.repo,)).fetchone()[0]

    def sweep(self) -> int:
        """Remove files staged by uploads that never became part of a record (a process killed mid-save)."""
        return self._files.sweep()

    def close(self) -> None:
        """Nothing of its own to release: the pool is the process's, shared by every store."""
