"""One version of a repository's data in memory: made once, then each save makes the next from it.

A ``Snapshot`` holds the tables in TinyDB's layout (table -> document id -> document) as persistent maps
(``tables.py``), so the next version shares every document a save did not change, and a reader holding a
snapshot never sees half a save. ``Record`` objects are made only for records someone looks at. Groupings
(versions and files per record, files by id, idempotency keys) are built on first use and then carried from
snapshot to snapshot by the save, never rebuilt per save.

Two views of the tables: ``tables`` as stored (what the files hold and a compaction writes) and ``read`` as
readers see them, which differs only when the repository type renamed a field or a choice: then ``reading``
(table -> how a document of it reads today, see ``engine.evolution.renames``) is applied to each document
once, as it is loaded or saved, and the documents it leaves alone are shared by both views. Every reader
(records, their index, versions, files) uses ``read``; with no ``reading`` the two are the same objects.
"""
from __future__ import annotations

import itertools
import json
from datetime import datetime
from typing import Any, Callable, Iterator, Mapping

import immutables

from engine.store.base import Record
from engine.store.documents import stamp, to_record
from engine.store.tables import ByReference, Doc, Table

RECORDS, HISTORY, ATTACHMENTS, META = "records", "history", "attachments", "meta"
REQUESTS = "requests"       # the idempotency keys of recent creates (see Store.insert_many)
OUTBOX = "outbox"           # one document per notice queued and how sending it went (see outbox.py)
COMMENTS, WATCHERS = "comments", "watchers"     # the discussion beside records; who watches which
#: Every table of a repository's files. A file written before a table existed reads it as empty.
TABLES = (RECORDS, HISTORY, ATTACHMENTS, META, REQUESTS, OUTBOX, COMMENTS, WATCHERS)
#: Outbox states in which a delivery may still be taken by a sender (``engine.notify.notice``).
OPEN_STATES = ("pending", "sending")
META_ID = "1"
Changes = Mapping[str, Mapping[str, Doc]]
Reading = Mapping[str, Callable[[Doc], Doc]]
_SERIALS = itertools.count(1)     # every snapshot made in this process gets the next number


class Grouping:
    """Documents of one table by a key: all of them in write order (``many``), or the latest one."""

    def __init__(self, table: str, key: Callable[[Doc], Any], many: bool, order: Callable[[Doc], Any] | None = None):
        self.table, self.key, self.many, self.order = table, key, many, order

    def build(self, table: Table) -> immutables.Map:
        return self.extend(immutables.Map(), table.values())

    def extend(self, grouped: immutables.Map, docs: Any) -> immutables.Map:
        with grouped.mutate() as changing:
            for doc in docs:
                key = self.key(doc)
                if self.many:
                    together = (*changing.get(key, ()), doc)
                    if self.order is not None and len(together) > 1 and \
                            self.order(together[-2]) > self.order(doc):
                        together = tuple(sorted(together, key=self.order))
                    changing[key] = together
                else:
                    changing[key] = doc
            return changing.finish()


    def carry(self, grouped: immutables.Map, before: Table, after: Table, docs: Mapping[str, Doc]
              ) -> immutables.Map | None:
        """The grouping after a save that put ``docs`` in the table (None: build it again on first use)."""
        if any(doc_id in before for doc_id in docs):    # replaced: only a migration does that, rarely
            return None
        return self.extend(grouped, [after[doc_id] for doc_id in docs])


class Keyed:
    """The id of a table's document by a key (with ``member``: the set of its values over the documents of
    each key), over the documents ``keep`` accepts. Documents of these tables are replaced as things happen (a delivery sent,
    a watch stopped), so a save moves each changed document between keys rather than dropping the whole
    grouping, which would cost a scan of the table per save."""

    def __init__(self, table: str, key: Callable[[Doc], Any], keep: Callable[[Doc], bool] | None = None,
                 member: Callable[[str, Doc], Any] | None = None):
        self.table, self.key, self.keep, self.member = table, key, keep, member

    def build(self, table: Table) -> immutables.Map:
        return self.carry(immutables.Map(), Table(), table, dict(table.unordered_items()))

    def carry(self, grouped: immutables.Map, before: Table, after: Table, docs: Mapping[str, Doc]
              ) -> immutables.Map:
        with grouped.mutate() as changing:
            for doc_id in docs:
                old, new = before.get(doc_id), after[doc_id]
                if old is not None:
                    self._drop(changing, doc_id, old)
                if self.keep is None or self.keep(new):
                    self._add(changing, doc_id, new)
            return changing.finish()

    def _add(self, changing: Any, doc_id: str, doc: Doc) -> None:
        key = self.key(doc)
        if key is None:
            return
        if self.member is None:
            changing[key] = doc_id
        else:
            changing[key] = changing.get(key, frozenset()) | {self.member(doc_id, doc)}

    def _drop(self, changing: Any, doc_id: str, doc: Doc) -> None:
        key = self.key(doc)
        held = changing.get(key) if key is not None else None
        if held is None:
            return
        if self.member is None:
            if held == doc_id:
                del changing[key]
        else:
            rest = held - {self.member(doc_id, doc)}
            if rest:
                changing[key] = rest
            else:
                del changing[key]


GROUPINGS: dict[str, Grouping | Keyed] = {
    "versions": Grouping(HISTORY, lambda doc: doc["reference"], True, lambda doc: doc["version"]),
    "files": Grouping(ATTACHMENTS, lambda doc: doc["reference"], True),
    "file_ids": Grouping(ATTACHMENTS, lambda doc: doc["id"], False),
    "requests": Grouping(REQUESTS, lambda doc: doc["key"], False),
    "comments": Grouping(COMMENTS, lambda doc: doc["reference"], True),
    # The outbox by notice id, by key (when it has one), and the deliveries a sender may still take.
    "notices": Keyed(OUTBOX, lambda doc: doc["id"]),
    "notice_keys": Keyed(OUTBOX, lambda doc: doc.get("key") or None),
    "open_notices": Keyed(OUTBOX, lambda doc: doc["id"], keep=lambda doc: doc["state"] in OPEN_STATES),
    # Watches: (reference, username) -> document id, and who watches a record / what a person watches.
    "watch_ids": Keyed(WATCHERS, lambda doc: (doc["reference"], doc["username"])),
    "watchers": Keyed(WATCHERS, lambda doc: doc["reference"], keep=lambda doc: doc.get("watching", True),
                      member=lambda doc_id, doc: doc["username"]),
    "watching": Keyed(WATCHERS, lambda doc: doc["username"], keep=lambda doc: doc.get("watching", True),
                      member=lambda doc_id, doc: doc["reference"]),
}


class Snapshot:
    """One version of a repository's data. Its data is read-only; only caches are filled on first use."""

    def __init__(self, tables: dict[str, Table], made: immutables.Map | None = None,
                 groups: dict[str, immutables.Map] | None = None, reading: Reading | None = None,
                 read: dict[str, Table] | None = None):
        self.tables = tables                    # as stored
        self.reading: Reading = reading or {}
        self.read = read if read is not None else _read(tables, self.reading)     # as readers see them
        self.docs = ByReference(self.read[RECORDS])     # reference -> record document, deleted included
        self._made = made if made is not None else immutables.Map()     # Records made so far
        self._groups = groups or {}
        self.derived: dict[str, Any] = {}       # indexes built by readers on first use (see index.py)
        # An earlier snapshot with indexes and the records changed since, so this one's indexes can be
        # patched rather than rebuilt (see descend_from); at most one such ancestor is kept alive.
        self.parent: Snapshot | None = None
        self.changed: tuple[str, ...] = ()
        self.serial = next(_SERIALS)            # names this version of the data for caches of what it shows

    @classmethod
    def empty(cls, reading: Reading | None = None) -> "Snapshot":
        return cls({name: Table() for name in TABLES}, reading=reading)

    @classmethod
    def of(cls, tables: Mapping[str, Mapping[str, Doc]], reading: Reading | None = None) -> "Snapshot":
        """A snapshot of tables read from a file (checked already, see disk.py)."""
        return cls({name: Table.of(tables.get(name, {})) for name in TABLES}, reading=reading)

    def record(self, reference: str) -> Record | None:
        """The record as a ``Record``, made on first use (most records are never shown)."""
        made = self._made.get(reference)
        if made is None:
            doc = self.docs.get(reference)
            if doc is None:
                return None
            made = to_record(doc)
            self._made = self._made.set(reference, made)
        return made

    @property
    def meta(self) -> dict[str, Any]:
        return self.tables[META].get(META_ID, {})

    def doc(self, reference: str) -> Doc | None:
        return self.docs.get(reference)

    def _grouped(self, name: str) -> immutables.Map:
        grouped = self._groups.get(name)
        if grouped is None:
            grouping = GROUPINGS[name]
            grouped = self._groups[name] = grouping.build(self.read[grouping.table])
        return grouped

    @property
    def versions_by_reference(self) -> Mapping[str, tuple[Doc, ...]]:
        """History documents per record, oldest first."""
        return self._grouped("versions")

    @property
    def attachments_by_reference(self) -> Mapping[str, tuple[Doc, ...]]:
        return self._grouped("files")

    @property
    def attachments_by_id(self) -> Mapping[str, Doc]:
        return self._grouped("file_ids")

    def request(self, key: str, since: datetime) -> Doc | None:
        """The latest create made under idempotency ``key`` at or after ``since``."""
        made = self._grouped("requests").get(key)
        return made if made is not None and made["at"] >= stamp(since) else None

    def grouped(self, name: str) -> Mapping[Any, Any]:
        """One of ``GROUPINGS`` by name, built on first use and then carried from save to save."""
        return self._grouped(name)

    def next_id(self, table: str) -> str:
        return self.tables[table].next_id()

    def apply(self, changes: Changes) -> "Snapshot":
        """The next snapshot: this one with the changed documents put in (documents are never removed)."""
        tables, read = dict(self.tables), dict(self.read)
        for table, docs in changes.items():
            tables[table] = tables.get(table, Table()).put(docs)
            reads = self.reading.get(table)
            read[table] = read.get(table, Table()).put({doc_id: reads(doc) for doc_id, doc in docs.items()}) \
                if reads is not None else tables[table]
        changed = tuple(doc["reference"] for doc in changes.get(RECORDS, {}).values())
        made = self._made
        if changed:
            with made.mutate() as changing:
                for reference in changed:
                    changing.pop(reference, None)
                made = changing.finish()
        groups = {}
        for name, grouped in self._groups.items():
            grouping = GROUPINGS[name]
            docs = changes.get(grouping.table)
            carried = grouping.carry(grouped, self.read[grouping.table], read[grouping.table], docs) \
                if docs else grouped
            if carried is not None:
                groups[name] = carried
        following = Snapshot(tables, made, groups, self.reading, read)
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
        """After reading the files afresh: note which records differ from ``previous`` so that its indexes
        are patched, not rebuilt, when most records are unchanged."""
        if not previous.docs or any(reference not in self.docs for reference in previous.docs):
            return
        changed = tuple(ref for ref, doc in self.docs.items() if previous.docs.get(ref) != doc)
        self.descend_from(previous, changed)
        stale = set(changed)
        kept = {ref: made for ref, made in previous._made.items() if ref not in stale}
        self._made = immutables.Map(kept)

    def chunks(self, extra: Mapping[str, Mapping[str, Doc]] | None = None) -> Iterator[bytes]:
        """The whole data in TinyDB's JSON layout, in pieces of a few hundred documents (a compaction
        writes them as they come, never holding the whole text)."""
        tables: dict[str, Mapping[str, Doc]] = {**self.tables, **(extra or {})}
        yield b"{"
        for position, (name, docs) in enumerate(tables.items()):
            yield (b", " if position else b"") + _encode(name) + b": {"
            batch: list[bytes] = []
            first = True
            for doc_id, doc in docs.items():
                batch.append(_encode(doc_id) + b": " + _encode(doc))
                if len(batch) == 500:
                    yield (b"" if first else b", ") + b", ".join(batch)
                    batch, first = [], False
            if batch:
                yield (b"" if first else b", ") + b", ".join(batch)
            yield b"}"
        yield b"}"


def _read(tables: dict[str, Table], reading: Reading) -> dict[str, Table]:
    """The tables as readers see them: each document through its table's ``reading``; a table none of whose
    documents reads differently is the stored one itself."""
    read = dict(tables)
    for name, reads in reading.items():
        table = tables.get(name)
        if table is None:
            continue
        seen = {doc_id: reads(doc) for doc_id, doc in table.unordered_items()}
        if any(seen[doc_id] is not doc for doc_id, doc in table.unordered_items()):
            read[name] = Table(immutables.Map(seen), table.last)     # quicker than putting each in turn
    return read


def _encode(value: Any) -> bytes:
    return json.dumps(value, allow_nan=False).encode("ascii")
