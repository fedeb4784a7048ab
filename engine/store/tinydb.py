"""The embedded backend: one folder per repository, safe for several processes, read from memory.

Layout, under the instance's data folder: ``<repository>/records.json`` (tables ``records``, ``history``,
``attachments``, ``meta``, ``requests``, ``outbox``, ``comments`` and ``watchers``, readable by plain
``tinydb.TinyDB``) brought up to date by compaction, ``records.log`` (every save since, one fsync'd line
each), ``manifest.json``, the lock files and ``<repository>/attachments/<id>``. Every write takes the lock,
catches up with other processes' saves and appends one line to the log (see ``disk.py``): a record's new
version, the other records a workflow action moves, its notices (``outbox.py``) and a comment are that one
line. Reads are served from the in-memory snapshot (``snapshot.py``), which is brought up to date from the
log, never by parsing the whole file again.

A type that renamed a field or a choice is read through its renames (``engine.evolution.renames``): the
snapshot applies them as documents are loaded and replayed, so every reader sees today's names; each save
writes today's names and stamps the record with the type's revision, and ``migrate`` rewrites the rest.
"""
from __future__ import annotations

import logging
import uuid
import weakref
from collections import Counter
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterable, Iterator, Mapping, Sequence

from engine.errors import (AttachmentNotFound, EditConflict, IdempotencyKeyReused, RecordNotFound,
                           DataDamaged, StoreError)
from engine.evolution.renames import renames_of
from engine.schema.model import RepositoryType
from engine.store import attachments as files
from engine.store import query as queries
from engine.notify.notice import Notice
from engine.store.base import (IDEMPOTENCY_WINDOW, Attachment, Comment, Migration, Move, NewRecord, Page, Query,
                               Record, Store, Version)
from engine.store.disk import RepositoryFiles, next_reference
from engine.store.outbox import EmbeddedOutbox, outbox_docs
from engine.store.snapshot import (ATTACHMENTS, COMMENTS, HISTORY, META, META_ID, OUTBOX, RECORDS, REQUESTS,
                                   WATCHERS, Snapshot)
from engine.store.documents import (attachment_doc, field_values, reference_number, stamp, storable_values,
                                    to_attachment, to_comment, to_record, utc_now)
from engine.store.history import diff, rebuild, version_doc
from engine.store.index import RecordIndex
from engine.store.migration import rewrites
from engine.store.saving import (SavedChanges, about, adding_file, dropping_file, file_ids, free_number,
                                 moves_record, new_doc, numbers, stamped, writes_nothing)

Doc = dict[str, Any]
log = logging.getLogger("engine.store")
#: Counts the times attached files' text was extracted afresh (``extract_missing_texts``): an index built
#: before a change of it is built again rather than carried forward.
TEXTS = "texts_extracted"
#: How many documents one save of a migration rewrites: each save holds the write lock only briefly.
MIGRATION_BATCH = 500


class TinyDBStore(SavedChanges, Store):
    """The records of ``rtype`` kept under ``folder`` (the instance's data folder)."""

    def __init__(self, rtype: RepositoryType, folder: Path):
        self.rtype = rtype
        self.folder = Path(folder) / rtype.name
        self.files = self.folder / "attachments"
        self.renames = renames_of(rtype)
        reading = self.renames.readers(RECORDS, HISTORY, ATTACHMENTS) if self.renames is not None else None
        self._disk = RepositoryFiles(self.folder, upkeep=self._sweep_staged, reading=reading)
        self.path = self._disk.path
        self._lock = self._disk.lock
        self._labels = {field.name: field.label for field in rtype.fields}
        self._outbox = EmbeddedOutbox(self._disk, self._writing)

    @property
    def outbox(self) -> EmbeddedOutbox:
        return self._outbox

    # -- writing records ------------------------------------------------------------------------------------
    @contextmanager
    def _writing(self, *, then_compact: bool = True) -> Iterator[None]:
        """Hold the write lock for one save; afterwards compact if the log has grown enough (unless the
        caller compacts once its saves are done). The save is acknowledged either way: a compaction that
        fails (a full disk) is logged and tried again later."""
        with self._lock.held():
            yield
        if then_compact and self._disk.compaction_due():
            self.compact(quietly=True)

    def compact(self, *, quietly: bool = False) -> bool:
        try:
            return self._disk.compact()
        except (OSError, StoreError) as error:
            if not quietly:
                raise
            log.warning("Compaction of %s failed, to be tried again: %s", self.folder, error)
            return False

    def insert_many(self, records: Sequence[NewRecord], *, user: str, now: datetime | None = None
                    ) -> list[Record]:
        cleaned = [storable_values(new.values, self._labels) for new in records]
        when = stamp(now or utc_now())
        with self._writing():
            snapshot = self._disk.current()
            earlier = [self._created_before(snapshot, new) for new in records]
            making = [(new, values) for new, values, made in zip(records, cleaned, earlier) if made is None]
            numbers = self._numbers(snapshot, [new for new, _ in making])
            changes: dict[str, dict[str, Doc]] = {RECORDS: {}, HISTORY: {}, ATTACHMENTS: {}, REQUESTS: {}}
            notices: list[Notice] = []
            history, files = int(snapshot.next_id(HISTORY)), int(snapshot.next_id(ATTACHMENTS))
            asked = int(snapshot.next_id(REQUESTS))
            # Documents go in by ascending number: the last record key stays the highest (see _next_number).
            for number, (new, values) in sorted(zip(numbers, making), key=lambda item: item[0]):
                doc = self._new_doc(number, new, values, user, when)
                changes[RECORDS][str(number)] = doc
                changes[HISTORY][str(history)] = version_doc(doc, "created", {})
                history += 1
                for attachment in new.attachments:
                    changes[ATTACHMENTS][str(files)] = attachment_doc(attachment, doc["reference"])
                    files += 1
                if new.idempotency is not None:
                    changes[REQUESTS][str(asked)] = {"key": new.idempotency.key, "at": when,
                                                     "fingerprint": new.idempotency.fingerprint,
                                                     "reference": doc["reference"]}
                    asked += 1
                notices.extend(replace(notice, reference=doc["reference"]) for notice in new.notices)
            changes[OUTBOX] = outbox_docs(snapshot, notices)
            if numbers:
                changes[META] = {META_ID: {**snapshot.meta, "next_reference": max(numbers) + 1}}
                self._disk.commit(snapshot, {table: docs for table, docs in changes.items() if docs})
        created = iter(to_record(changes[RECORDS][str(number)]) for number in numbers)
        return [made if made is not None else next(created) for made in earlier]

    def _created_before(self, snapshot: Snapshot, new: NewRecord) -> Record | None:
        """The record an earlier create with ``new``'s idempotency key made, as it is now (None: none did).
        The same key with other values is refused."""
        asked = new.idempotency
        earlier = snapshot.request(asked.key, utc_now() - IDEMPOTENCY_WINDOW) if asked is not None else None
        if earlier is None:
            return None
        if earlier["fingerprint"] != asked.fingerprint:
            raise IdempotencyKeyReused(earlier["reference"])
        return snapshot.record(earlier["reference"])

    def created_with(self, key: str) -> str | None:
        earlier = self._disk.current().request(key, utc_now() - IDEMPOTENCY_WINDOW)
        return earlier["reference"] if earlier is not None else None

    def _new_doc(self, number: int, new: NewRecord, values: Doc, user: str, when: str) -> Doc:
        return new_doc(self.rtype, number, new, values, user, when)

    def _numbers(self, snapshot: Snapshot, records: Sequence[NewRecord]) -> list[int]:
        return numbers(self.rtype.reference_prefix, self._next_number(snapshot), records)

    def reference_free(self, reference: str) -> bool:
        first = self._next_number(self._disk.current())
        return free_number(self.rtype.reference_prefix, reference, first) is not None

    def _save(self, reference: str, change: Callable[[Doc], Doc], *, user: str, note: str,
              expected_version: int | None = None, include_deleted: bool = False,
              attachments: Sequence[Attachment] = (), comment: str = "", notices: Sequence[Notice] = (),
              moves: Sequence[Move] = ()) -> Record:
        """The one read-modify-write of an existing record: check the version, apply, keep the old one, and
        in the same save make the ``moves`` and queue the ``notices``. The record is read as today's type
        reads it, so what is written is in today's names, and stamped so. A save that changes nothing (no
        value, no file, no comment) writes nothing at all: no version, no moves, no notices."""
        with self._writing():
            snapshot = self._disk.current()
            doc = self._doc(snapshot, reference, include_deleted)
            if expected_version is not None and doc["version"] != expected_version:
                raise EditConflict(reference, expected_version, to_record(doc))
            new = change(doc)
            changes = diff(doc, new)
            if writes_nothing(changes, attachments, comment):
                return to_record(doc)
            when, history = stamp(utc_now()), int(snapshot.next_id(HISTORY))
            self._stamped(doc, new, user, when)
            records = {reference: new}
            versions = {str(history): version_doc(new, note, changes, comment)}
            self._moved(snapshot, moves, records, versions, user, when)
            self._disk.commit(snapshot, {
                RECORDS: {str(reference_number(ref)): moved for ref, moved in records.items()},
                HISTORY: versions,
                ATTACHMENTS: self._attachment_docs(snapshot, attachments, reference),
                OUTBOX: outbox_docs(snapshot, about(notices, reference)),
            })
        return to_record(new)

    def _stamped(self, old: Doc, new: Doc, user: str, when: str) -> Doc:
        return stamped(self.rtype, old, new, user, when)

    def _moved(self, snapshot: Snapshot, moves: Sequence[Move], records: dict[str, Doc], versions: dict[str, Doc],
               user: str, when: str) -> None:
        """Add to a save's ``records`` (by reference) and ``versions`` the status change of each move, in
        order; a move naming a record that is absent, deleted, already in that status, or the one being
        saved, is skipped."""
        following = max(map(int, versions)) + 1
        saving = next(iter(records))
        for move in moves:
            doc = records.get(move.reference) or snapshot.doc(move.reference)
            if not moves_record(move, doc, saving):
                continue
            new = self._stamped(doc, {**doc, "status": move.status}, user, when)
            records[move.reference] = new
            versions[str(following)] = version_doc(new, move.note, diff(doc, new))
            following += 1

    @staticmethod
    def _next_number(snapshot: Snapshot) -> int:
        """The counter only moves forward; the highest stored number guards a hand-edited counter."""
        return next_reference(snapshot)

    @staticmethod
    def _doc(snapshot: Snapshot, reference: str, include_deleted: bool) -> Doc:
        doc = snapshot.doc(reference)
        if doc is None or doc["reference"] != reference or (doc.get("deleted") and not include_deleted):
            raise RecordNotFound(reference)
        return doc

    # -- the discussion beside a record, and who watches it ---------------------------------------------------
    def add_comment(self, reference: str, text: str, *, user: str, notices: Sequence[Notice] = ()) -> Comment:
        with self._writing():
            snapshot = self._disk.current()
            self._doc(snapshot, reference, include_deleted=False)
            doc = {"id": uuid.uuid4().hex, "reference": reference, "text": text, "by": user,
                   "at": stamp(utc_now())}
            self._disk.commit(snapshot, {COMMENTS: {snapshot.next_id(COMMENTS): doc},
                                         OUTBOX: outbox_docs(snapshot, about(notices, reference))})
        return to_comment(doc)

    def comments(self, reference: str) -> list[Comment]:
        return [to_comment(doc) for doc in self._disk.current().grouped("comments").get(reference, ())]

    def set_watching(self, reference: str, username: str, watching: bool) -> bool:
        """Only a live record can be watched; a watch of a deleted one can still be stopped."""
        with self._writing():
            snapshot = self._disk.current()
            doc_id = snapshot.grouped("watch_ids").get((reference, username))
            held = snapshot.read[WATCHERS][doc_id] if doc_id is not None else None
            if (held is not None and held.get("watching", True)) == watching:
                return False
            if watching:
                self._doc(snapshot, reference, include_deleted=False)
            doc = {"reference": reference, "username": username, "watching": watching}
            self._disk.commit(snapshot, {WATCHERS: {doc_id or snapshot.next_id(WATCHERS): doc}})
        return True

    def watchers(self, reference: str) -> frozenset[str]:
        return frozenset(self._disk.current().grouped("watchers").get(reference, ()))

    def watched_by(self, username: str) -> list[str]:
        references = self._disk.current().grouped("watching").get(username, ())
        return sorted(references, key=lambda reference: (reference_number(reference) or 0, reference))

    # -- reading records ------------------------------------------------------------------------------------
    def get(self, reference: str, *, include_deleted: bool = False) -> Record:
        record = self._disk.current().record(reference)
        if record is None or (record.deleted and not include_deleted):
            raise RecordNotFound(reference)
        return record

    def history(self, reference: str) -> list[Version]:
        snapshot = self._disk.current()
        doc = self._doc(snapshot, reference, include_deleted=True)
        return rebuild(doc, snapshot.versions_by_reference.get(reference, []), tuple(self.rtype.field_map))

    def query(self, query: Query) -> Page:
        snapshot = self._disk.current()     # held while the page is made: its index reads records from it
        return queries.page(self._index(snapshot), query)

    def facets(self, query: Query, names: tuple[str, ...]) -> dict[str, list[tuple[str, int]]]:
        snapshot = self._disk.current()
        return queries.facets(self._index(snapshot), query, names)

    def count(self) -> int:
        return len(self._index().live)

    def stored_values(self) -> Iterator[tuple[str, Mapping[str, Any]]]:
        for reference, doc in self._disk.current().docs.items():
            yield reference, field_values(doc)

    def prepare_search(self) -> None:
        self._index().search()

    def revision(self) -> int:
        return self._disk.current().serial       # a new snapshot for every change seen, ours or another's

    def _index(self, snapshot: Snapshot | None = None) -> RecordIndex:
        snapshot = snapshot or self._disk.current()
        index = snapshot.derived.get("index")
        if index is None:
            parent = snapshot.parent
            earlier = parent.derived.get("index") if parent is not None else None
            record = _records_of(snapshot)
            if earlier is not None and parent.meta.get(TEXTS) == snapshot.meta.get(TEXTS):
                index = earlier.derive(snapshot.docs, record, snapshot.changed)
            else:
                index = RecordIndex(self.rtype, snapshot.docs, record, self._file_text)
            snapshot.derived["index"] = index
            snapshot.parent = None
        return index

    # -- attachments ----------------------------------------------------------------------------------------
    def stage_attachment(self, field: str, filename: str, stream: BinaryIO, *, user: str) -> Attachment:
        stored = files.store_upload(self.files, self.rtype.field(field), filename, stream)
        return Attachment(id=stored.id, reference="", field=field, filename=stored.filename,
                          content_type=stored.content_type, size=stored.size, sha256=stored.sha256,
                          uploaded=utc_now(), uploaded_by=user)

    def discard_staged(self, attachments: Iterable[Attachment]) -> None:
        registered = self._disk.current().tables[ATTACHMENTS]
        known = {doc["id"] for doc in registered.values()}
        for attachment in attachments:
            if attachment.id not in known:
                files.remove_file(self.files / attachment.id)

    def save_attachment(self, reference: str, field: str, filename: str, stream: BinaryIO, *,
                        user: str, content_type: str | None = None) -> Attachment:
        staged = self.stage_attachment(field, filename, stream, user=user)
        try:
            self._save(reference, adding_file(field, staged.id), user=user, note="edited", attachments=[staged])
        except BaseException:
            self.discard_staged([staged])
            raise
        return _with_reference(staged, reference)

    def attachments(self, reference: str) -> list[Attachment]:
        snapshot = self._disk.current()
        doc = self._doc(snapshot, reference, include_deleted=True)
        return [to_attachment(meta) for meta in snapshot.attachments_by_reference.get(reference, [])
                if meta["id"] in file_ids(doc.get(meta["field"]))]

    def open_attachment(self, reference: str, attachment_id: str) -> tuple[Attachment, BinaryIO]:
        for attachment in self.attachments(reference):
            if attachment.id == attachment_id:
                return attachment, open(self.files / attachment.id, "rb")
        raise AttachmentNotFound(f"{reference} has no file {attachment_id}.")

    def delete_attachment(self, reference: str, attachment_id: str, *, user: str) -> None:
        found = [a for a in self.attachments(reference) if a.id == attachment_id]
        if not found:
            raise AttachmentNotFound(f"{reference} has no file {attachment_id}.")
        self._save(reference, dropping_file(found[0].field, attachment_id), user=user, note="edited")

    def attachment_text(self, attachment_id: str) -> str | None:
        # read_text refuses anything but a hex id, so no id can name a path outside the folder.
        return files.read_text(self.files, attachment_id)

    def _file_text(self, attachment_id: str) -> tuple[str, str] | None:
        """An attached file's name and text, for the search index (None when it has no text)."""
        doc = self._disk.current().attachments_by_id.get(attachment_id)
        text = self.attachment_text(attachment_id) if doc is not None else None
        return (doc["filename"], text) if text else None

    def extract_missing_texts(self, progress: Callable[[int], object] | None = None) -> int:
        written = 0
        for doc in self._disk.current().tables[ATTACHMENTS].values():
            written += files.ensure_text(self.files, doc["id"], doc["filename"])
            if progress is not None:
                progress(1)
        if written:     # no record changed, yet every process's search must read the files' text again
            with self._writing():
                snapshot = self._disk.current()
                meta = {**snapshot.meta, TEXTS: snapshot.meta.get(TEXTS, 0) + 1}
                self._disk.commit(snapshot, {META: {META_ID: meta}})
        return written

    # -- migration ------------------------------------------------------------------------------------------
    def migrate(self) -> Migration:
        """Each table's documents that do not read as they are stored are found without the lock, then
        rewritten in saves of ``MIGRATION_BATCH``, each made from the latest data under the lock: a save made
        meanwhile, here or by another process, is never written over, and nothing else waits for long."""
        found: Counter[str] = Counter()
        rewritten = {table: self._migrate_table(table, found) for table in (RECORDS, HISTORY, ATTACHMENTS)}
        if any(rewritten.values()):
            self.compact(quietly=True)      # records.json in today's names too, for whoever reads it alone
        return Migration(rewritten[RECORDS], rewritten[HISTORY], dict(found))

    def _migrate_table(self, table: str, found: Counter[str]) -> int:
        revision = self.rtype.revision
        due = [doc_id for doc_id, _ in rewrites(self._disk.current(), table, revision)]
        rewritten = 0
        for start in range(0, len(due), MIGRATION_BATCH):
            with self._writing(then_compact=False):        # compacted once, at the end
                snapshot = self._disk.current()
                docs = dict(rewrites(snapshot, table, revision, due[start:start + MIGRATION_BATCH]))
                if not docs:
                    continue
                self._disk.commit(snapshot, {table: docs})
            rewritten += len(docs)
            if table == RECORDS and self.renames is not None:
                stored = snapshot.tables[table]     # as it was before this save
                found.update(name for doc_id in docs for name in self.renames.found_in(stored[doc_id]))
        return rewritten

    # -- upkeep -------------------------------------------------------------------------------------------------
    def verify(self) -> list[DataDamaged]:
        return self._disk.verify()

    def has_held_data(self) -> bool:
        return self._disk.has_held_data()

    def sweep(self) -> int:
        """Remove files staged by uploads that never became part of a record (a process killed mid-save)."""
        return self._sweep_staged(self._disk.current())

    def _sweep_staged(self, snapshot: Snapshot) -> int:
        referenced = {doc["id"] for doc in snapshot.tables[ATTACHMENTS].unordered()}
        return files.sweep_unreferenced(self.files, referenced)

    def close(self) -> None:
        """At shutdown, bring the compacted file up to date (quick to open next time); never raises."""
        try:
            if self._disk.has_unsaved_log():
                self.compact(quietly=True)
        except StoreError:
            pass

    def _attachment_docs(self, snapshot: Snapshot, attachments: Sequence[Attachment], reference: str
                         ) -> dict[str, Doc]:
        first = int(snapshot.next_id(ATTACHMENTS))
        return {str(first + offset): attachment_doc(attachment, reference)
                for offset, attachment in enumerate(attachments)}


def _records_of(snapshot: Snapshot) -> Callable[[str], Record | None]:
    """``snapshot.record`` without holding the snapshot: its index is kept in the snapshot, and a cycle of
    the two would outlive both until a full garbage collection, which a worker holding millions of
    long-lived objects seldom runs (each save another process made left a whole index behind)."""
    held = weakref.ref(snapshot)

    def record(reference: str) -> Record | None:
        alive = held()
        return alive.record(reference) if alive is not None else None
    return record


def _with_reference(attachment: Attachment, reference: str) -> Attachment:
    return replace(attachment, reference=reference)
