"""One write of a repository in PostgreSQL: the rows a save adds or replaces, in the one transaction of that save.

A ``Write`` locks the repository's row before anything else. Every write of the repository, on any server,
takes that lock first, so the writes of one repository are made one at a time, in the order they asked, and
two of them can never wait for each other's rows (no deadlock between an edit and a workflow move). The lock
also guards the reference counter, which only ever moves forward. When the save is done, ``finish`` derives
what filters, facets, sort and search need from every record row written, and moves the repository's
revision on, which is what every server's caches of its pages are kept under.

Every statement waits for the database, and the writes of a repository wait for each other: so what a save
writes without needing an answer (a new record's row, its versions, its search rows, the revision) is held
back (``Batched.later``) and sent together with the commit, in one round trip (psycopg's pipeline mode);
anything asked of the connection before then sends what is held first, so the statements run in the order
they were made. A new record's save is then two round trips under the lock, whatever it writes.
"""
from __future__ import annotations

import json
from contextlib import nullcontext
from functools import partial
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from psycopg.types.json import Json, Jsonb

from engine.errors import AttachmentNotFound
from engine.notify.notice import Notice
from engine.store.base import Attachment, Idempotency
from engine.store.documents import TYPE_REVISION, attachment_doc, parse_stamp
from engine.store.postgres import derived, search
from engine.store.postgres.database import moved_on
from engine.store.postgres.outbox import queue_rows

if TYPE_CHECKING:
    from engine.store.postgres.store import PostgresStore

Doc = dict[str, Any]
#: JSON as the embedded store writes it: NaN and infinities are refused, never stored as text JSON lacks, and
#: text beyond ASCII is escaped, so any string Python holds can be sent. The one form of every document the
#: database keeps, written a row at a time here or by ``COPY`` (``bulk``).
dumps = partial(json.dumps, allow_nan=False, separators=(",", ":"))
#: The system fields a record row keeps as columns beside its document, for indexes.
SYSTEM_COLUMNS = ("reference", "status", "created", "created_by", "updated", "updated_by", "version", "deleted",
                  "type_revision")
DERIVED_COLUMNS = ("keys", "facets", "points", "texts", "sorts")
RECORD_COLUMNS = (*SYSTEM_COLUMNS, "doc", *DERIVED_COLUMNS)
#: The counter, never below a stored number: a counter set back by hand must not hand a number out twice.
_NEXT = "greatest(r.next_reference, coalesce((SELECT max(number) + 1 FROM records WHERE repo = r.id), 1))"
COUNTER = f"SELECT {_NEXT} FROM repositories r WHERE r.id = %s"
#: What a write reads first, taking the repository's lock: the counter, and the search's state (how many
#: records are indexed, the fields' usual lengths), which only writes under this lock change.
_LOCKED = (f"SELECT {_NEXT}, s.records, s.lengths, s.learnt_from FROM repositories r "
           "LEFT JOIN search_repositories s ON s.repo = r.id WHERE r.id = %s FOR UPDATE OF r")


def jsonb(value: Any) -> Jsonb:
    return Jsonb(value, dumps=dumps)


def as_written(doc: Doc) -> Json:
    """A record's document for its ``json`` column (``record_docs``): sent as ``json``, it is kept as this text."""
    return Json(doc, dumps=dumps)


def derived_columns(rtype, doc: Doc) -> tuple[Jsonb, ...]:
    """The values of ``DERIVED_COLUMNS`` for the record document ``doc`` (``derived``), ready to write."""
    made = derived.derive(rtype, doc)
    return tuple(jsonb(made.get(name, {})) for name in DERIVED_COLUMNS)


class Batched:
    """A connection whose statements that need no answer can be held back (``later``) and sent together:
    anything else asked of it (``execute``, a cursor, a commit) sends them first, in order."""

    def __init__(self, conn):
        self.raw = conn
        self._held: list[tuple[str, Sequence[Any] | Mapping[str, Any]]] = []

    def later(self, sql: str, params: Sequence[Any] | Mapping[str, Any]) -> None:
        """Hold a statement back until the next is sent. Its parameters are read then (a ``Jsonb`` is dumped
        when sent): what is handed here is never changed afterwards."""
        self._held.append((sql, params))

    def send(self, *, commit: bool = False) -> None:
        """Send what is held (and the commit) in one round trip."""
        held, self._held = self._held, []
        with self.raw.pipeline() if len(held) + commit > 1 else nullcontext():
            for sql, params in held:
                self.raw.execute(sql, params)
            if commit:
                self.raw.commit()

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()):
        self.send()
        return self.raw.execute(sql, params)

    def __getattr__(self, name: str):
        self.send()
        return getattr(self.raw, name)


class Write:
    """The rows of one save of ``store``'s repository, written on ``conn`` (whose transaction is the save)."""

    def __init__(self, store: "PostgresStore", conn):
        self.store, self.conn, self.repo = store, Batched(conn), store.repo
        locked = conn.execute(_LOCKED, (self.repo,)).fetchone()
        self.counter: int = locked[0]
        self._searched = locked[1:] if locked[1] is not None else None      # None: nothing indexed yet
        self._indexed: dict[int, Doc] = {}
        self._fresh: set[int] = set()       # numbers this write made: nothing was indexed under them
        self._next: int | None = None
        self._changed = False

    # -- records and their versions -------------------------------------------------------------------------
    def add_record(self, number: int, doc: Doc) -> None:
        names = ", ".join(("repo", "number", *RECORD_COLUMNS))
        places = ", ".join(["%s"] * (len(RECORD_COLUMNS) + 2))
        self.conn.later(f"INSERT INTO records ({names}) VALUES ({places})",
                        (self.repo, number, *self._columns(doc)))
        self._fresh.add(number)
        self._wrote(number, doc)

    def replace_record(self, number: int, doc: Doc, version: int) -> bool:
        """Replace the row of ``number`` if it is still at ``version``; whether it was."""
        assignments = ", ".join(f"{name} = %s" for name in RECORD_COLUMNS)
        replaced = self.conn.execute(
            f"UPDATE records SET {assignments} WHERE repo = %s AND number = %s AND version = %s",
            (*self._columns(doc), self.repo, number, version)).rowcount
        if replaced:
            self._wrote(number, doc)
        return bool(replaced)

    def add_version(self, number: int, entry: Doc) -> None:
        self.conn.later("INSERT INTO history (repo, number, version, doc) VALUES (%s, %s, %s, %s)",
                        (self.repo, number, entry["version"], jsonb(entry)))
        self._changed = True

    def _columns(self, doc: Doc) -> tuple[Any, ...]:
        system = (doc["reference"], doc["status"], parse_stamp(doc["created"]), doc["created_by"],
                  parse_stamp(doc["updated"]), doc["updated_by"], doc["version"], bool(doc.get("deleted")),
                  doc.get(TYPE_REVISION) or "")
        return (*system, as_written(doc), *derived_columns(self.store.rtype, doc))

    def _wrote(self, number: int, doc: Doc) -> None:
        self._indexed[number] = doc
        self._changed = True

    def reindex(self, number: int, doc: Doc) -> None:
        """Index a record again whose row did not change (its files' text did)."""
        self._wrote(number, doc)

    # -- what is written with them --------------------------------------------------------------------------
    def register(self, number: int, reference: str, attachments: Sequence[Attachment]) -> None:
        """Make staged files part of the record: ``AttachmentNotFound`` (nothing written) for one that is no
        longer staged (discarded, or swept after waiting too long)."""
        for attachment in attachments:
            taken = self.conn.execute(
                "UPDATE attachments SET number = %s, doc = %s WHERE repo = %s AND id = %s AND number IS NULL",
                (number, jsonb(attachment_doc(attachment, reference)), self.repo, attachment.id)).rowcount
            if not taken:
                raise AttachmentNotFound(f"The file {attachment.filename} is no longer waiting to be saved; "
                                         "attach it again.")
            self._changed = True

    def queue(self, notices: Sequence[Notice]) -> None:
        if queue_rows(self.conn, self.repo, notices):
            self._changed = True

    def remember(self, asked: Idempotency, reference: str, at: str) -> None:
        """The create made under an idempotency key (one older than the window is replaced)."""
        self.conn.later(
            "INSERT INTO requests (repo, key, at, fingerprint, reference) VALUES (%s, %s, %s, %s, %s) "
            "ON CONFLICT (repo, key) DO UPDATE SET at = excluded.at, fingerprint = excluded.fingerprint, "
            "reference = excluded.reference", (self.repo, asked.key, parse_stamp(at), asked.fingerprint, reference))

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any]) -> int:
        """Any other row the save writes (a comment, a watch); how many rows it wrote."""
        written = self.conn.execute(sql, params).rowcount
        self._changed = self._changed or written > 0
        return written

    def advance(self, next_reference: int) -> None:
        self._next = max(self._next or 0, next_reference)

    # -- the end of the save --------------------------------------------------------------------------------
    def finish(self) -> None:
        """Index what was written, after its rows and its files' rows, move the revision on, and commit; a
        save that wrote nothing leaves the revision as it was."""
        if self._indexed:
            search.index_records(self.conn, self.store.rtype, self.repo, sorted(self._indexed.items()),
                                 self._fresh, self._searched, self.conn.later)
        if self._changed or self._next is not None:
            moved_on()
            self.conn.later("UPDATE repositories SET revision = revision + 1, "
                            "next_reference = greatest(next_reference, %s) WHERE id = %s",
                            (self._next or 0, self.repo))
        self.conn.send(commit=True)
