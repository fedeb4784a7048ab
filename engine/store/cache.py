"""The in-process copy of one repository file: parsed once, refreshed only when the file has changed.

A ``Snapshot`` is one version of the file, parsed into TinyDB's layout (table -> document id -> document),
with the record documents by reference; ``Record`` objects are made only for records someone looks at. Its
data is never changed: a write builds the next snapshot from the previous one plus the changed documents,
so a reader holding a snapshot never sees half a write. Each snapshot also keeps the JSON text of its
documents (see ``encoding.py``), so a write re-encodes only the documents it changed. ``FileCache`` keeps
the latest snapshot of a file, catching up with other processes' writes through the journal
(``journal.py``) or, failing that, by reading the file again.
"""
from __future__ import annotations

import itertools
import json
import threading
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any, Iterator

from engine.store.base import Record
from engine.store.documents import reference_number, stamp, to_record
from engine.store.durable import Signature, read_file, remove_stale_temps, replace_file, signature
from engine.store.encoding import Changes, Encoded, Tables, parse
from engine.store.journal import Journal

RECORDS, HISTORY, ATTACHMENTS, META = "records", "history", "attachments", "meta"
REQUESTS = "requests"       # the idempotency keys of recent creates (see Store.insert_many)
TABLES = (RECORDS, HISTORY, ATTACHMENTS, META, REQUESTS)
META_ID = "1"
_SERIALS = itertools.count(1)     # every snapshot made in this process gets the next number


class Snapshot:
    """One parsed version of a repository file. Its data is read-only; only caches are filled on first use."""

    def __init__(self, tables: Tables, docs: dict[str, dict[str, Any]], encoded: Encoded,
                 made: dict[str, Record] | None = None):
        self.tables = tables
        self.docs = docs                        # reference -> stored record document, deleted ones included
        self._made = made or {}                 # Record objects made so far, by reference
        self.encoded = encoded                  # the JSON text of the documents, as far as known
        self.derived: dict[str, Any] = {}       # indexes built by readers on first use (see index.py)
        # An earlier snapshot with indexes and the records changed since, so this one's indexes can be
        # patched rather than rebuilt (see descend_from); at most one such ancestor is kept alive.
        self.parent: Snapshot | None = None
        self.changed: tuple[str, ...] = ()
        self.serial = next(_SERIALS)            # names this version of the data for caches of what it shows

    @classmethod
    def empty(cls) -> "Snapshot":
        return cls({name: {} for name in TABLES}, {}, Encoded())

    @classmethod
    def parse(cls, raw: bytes, *, with_text: bool = False) -> "Snapshot":
        """A snapshot of a file's bytes. ``with_text`` keeps each document's text too, which a writer about
        to rewrite the file wants; a reader does not, and ``json.loads`` alone is faster."""
        tables, encoded = None, Encoded()
        if with_text:
            try:
                tables, encoded = parse(raw)
            except (ValueError, IndexError):    # not laid out as TinyDB writes: read it the plain way
                pass
        if tables is None:
            tables = json.loads(raw) if raw.strip() else {}
        for name in TABLES:
            tables.setdefault(name, {})
        return cls(tables, {doc["reference"]: doc for doc in tables[RECORDS].values()}, encoded)

    def record(self, reference: str) -> Record | None:
        """The record as a ``Record``, made on first use (most records are never shown)."""
        made = self._made.get(reference)
        if made is None:
            doc = self.docs.get(reference)
            if doc is None:
                return None
            made = self._made[reference] = to_record(doc)
        return made

    @property
    def meta(self) -> dict[str, Any]:
        return self.tables[META].get(META_ID, {})

    def doc(self, reference: str) -> dict[str, Any] | None:
        number = reference_number(reference)
        return None if number is None else self.tables[RECORDS].get(str(number))

    @cached_property
    def versions_by_reference(self) -> dict[str, list[dict[str, Any]]]:
        """History documents grouped per record, oldest first."""
        grouped: dict[str, list[dict[str, Any]]] = {}
        for doc in self.tables[HISTORY].values():
            grouped.setdefault(doc["reference"], []).append(doc)
        for versions in grouped.values():
            versions.sort(key=lambda doc: doc["version"])
        return grouped

    @cached_property
    def attachments_by_reference(self) -> dict[str, list[dict[str, Any]]]:
        grouped: dict[str, list[dict[str, Any]]] = {}
        for doc in self.tables[ATTACHMENTS].values():
            grouped.setdefault(doc["reference"], []).append(doc)
        return grouped

    def request(self, key: str, since: datetime) -> dict[str, Any] | None:
        """The latest create made under idempotency ``key`` at or after ``since``."""
        made = self.requests_by_key.get(key)
        return made if made is not None and made["at"] >= stamp(since) else None

    @cached_property
    def requests_by_key(self) -> dict[str, dict[str, Any]]:
        return {doc["key"]: doc for doc in self.tables[REQUESTS].values()}

    @cached_property
    def attachments_by_id(self) -> dict[str, dict[str, Any]]:
        return {doc["id"]: doc for doc in self.tables[ATTACHMENTS].values()}

    def next_id(self, table: str) -> str:
        docs = self.tables[table]
        # Ids only ever grow and dicts keep insertion order, so the last key is the largest.
        return str(int(next(reversed(docs))) + 1) if docs else "1"

    def apply(self, changes: Changes) -> "Snapshot":
        """The next snapshot: this one with the changed documents put in (documents are never removed)."""
        tables = dict(self.tables)
        for table, docs in changes.items():
            tables[table] = {**tables.get(table, {}), **docs}
        changed = tuple(doc["reference"] for doc in changes.get(RECORDS, {}).values())
        docs = {**self.docs, **{doc["reference"]: doc for doc in changes.get(RECORDS, {}).values()}}
        made = dict(self._made)
        for reference in changed:
            made.pop(reference, None)
        following = Snapshot(tables, docs, self.encoded.following(self.tables, changes), made)
        following.descend_from(self, changed)
        return following

    def descend_from(self, earlier: "Snapshot", changed: tuple[str, ...]) -> None:
        """Remember the nearest earlier snapshot that has indexes, and every record changed since, so the
        indexes can be patched; past a quarter of the records, building them afresh is as quick."""
        if earlier.derived:
            anchor, since = earlier, changed
        else:
            anchor, since = earlier.parent, earlier.changed + changed
        earlier.parent = None
        if anchor is not None and len(since) <= len(self.docs) // 4:
            self.parent, self.changed = anchor, since

    def follow(self, previous: "Snapshot") -> None:
        """After reading a file another process wrote: note which records differ from ``previous`` so that
        its indexes are patched, not rebuilt, when most records are unchanged (the usual case: one save)."""
        if not previous.docs or any(reference not in self.docs for reference in previous.docs):
            return
        changed = tuple(ref for ref, doc in self.docs.items() if previous.docs.get(ref) != doc)
        self.descend_from(previous, changed)
        stale = set(changed)
        self._made = {ref: made for ref, made in previous._made.items() if ref not in stale}

    def chunks(self) -> Iterator[bytes]:
        """The whole file in TinyDB's JSON layout."""
        return self.encoded.chunks(self.tables)


class FileCache:
    """The latest snapshot of one file, re-read only when the file's signature changes."""

    def __init__(self, path: Path):
        self.path = path
        self.journal = Journal(path.with_suffix(".journal"))
        self._state: tuple[Signature | None, Snapshot] = (None, Snapshot.empty())
        self._reading = threading.Lock()

    def current(self, *, writing: bool = False) -> Snapshot:
        """The snapshot matching the file on disk now (a ``stat`` call when nothing changed). A writer says
        so, to have the documents' text kept when the file must be read again."""
        known, snapshot = self._state
        if signature(self.path) == known:
            return snapshot
        with self._reading:
            known, snapshot = self._state
            now = signature(self.path)
            if now != known:
                self._state = self._catch_up(known, snapshot, now) or self._load(writing, snapshot)
            return self._state[1]

    def _catch_up(self, known: Signature | None, snapshot: Snapshot, now: Signature | None
                  ) -> tuple[Signature, Snapshot] | None:
        """The file as it is ``now``, from the journal of the writes since ``known``; None if it cannot say."""
        if now is None:
            return None
        changes = self.journal.changes_between(known, now)
        return None if changes is None else (now, snapshot.apply(changes))

    def _load(self, with_text: bool, previous: Snapshot) -> tuple[Signature | None, Snapshot]:
        read = read_file(self.path)
        if read is None:
            return None, Snapshot.empty()
        raw, found = read
        loaded = Snapshot.parse(raw, with_text=with_text)
        loaded.follow(previous)
        return found, loaded

    def commit(self, base: Snapshot, changes: Changes) -> Snapshot:
        """Write ``base`` (what ``current(writing=True)`` gave) plus ``changes`` durably, then make it current.
        Call under the write lock; if writing fails nothing changes, on disk or here."""
        known, current = self._state
        following = base.apply(changes)
        remove_stale_temps(self.path)
        written = replace_file(self.path, following.chunks())
        self._state = (written, following)
        if current is base:         # otherwise the version written from is not known: log nothing
            try:
                self.journal.record(known, written, changes)
            except OSError:         # the write itself is done; others will just read the file
                pass
        return following
