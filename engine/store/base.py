"""The store interface: what every backend (TinyDB, PostgreSQL) provides, and the values it passes around.

A ``Store`` holds the records of one repository of one instance. It persists and queries; it does not
validate field values against the schema (``engine.records`` does that before calling it), but it does
refuse values that cannot be stored, stamps the system fields and keeps every earlier version.
"""
from __future__ import annotations

import abc
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, BinaryIO, Callable, Hashable, Iterable, Iterator, Mapping, Sequence

from engine.notify.notice import Delivery, Notice
from engine.search.parse import SearchQuery, parse
from engine.search.snippets import Snippet


@dataclass(frozen=True)
class Record:
    """One record: system fields plus the values of its fields (JSON-native, dates as ISO strings)."""
    reference: str
    status: str
    created: datetime
    created_by: str
    updated: datetime
    updated_by: str
    version: int
    values: Mapping[str, Any]
    deleted: bool = False
    type_revision: str = ""     # the ``RepositoryType.revision`` it was last written under ("": before stamps)

    def __getitem__(self, name: str) -> Any:
        """System fields and field values by name, as listing columns name them."""
        if name in SYSTEM_ATTRS:
            return getattr(self, name)
        return self.values.get(name)

    def get(self, name: str, default: Any = None) -> Any:
        value = self[name]
        return default if value is None else value


SYSTEM_ATTRS = frozenset({"reference", "status", "created", "created_by", "updated", "updated_by", "version"})


@dataclass(frozen=True)
class Change:
    """One field changed between two versions ('status' included)."""
    name: str
    old: Any
    new: Any


@dataclass(frozen=True)
class Version:
    """A record as it was after one save, with who saved it and what that save changed."""
    record: Record
    changes: tuple[Change, ...]
    note: str = ""      # 'created', 'edited', 'deleted', 'restored', a workflow action's name ('Approve')
    comment: str = ""   # what the person wrote with a workflow action


@dataclass(frozen=True)
class Comment:
    """One comment in the discussion beside a record."""
    id: str
    reference: str
    text: str
    by: str
    at: datetime


@dataclass(frozen=True)
class Move:
    """A status change of another record of the same repository made in the same write as an update (the
    records a new guideline supersedes move to Superseded when it is approved); ``note`` is its history's."""
    reference: str
    status: str
    note: str


@dataclass(frozen=True)
class Query:
    """What a browse page (or API list, or export) asks for.

    ``filters`` maps a field name (or 'status', 'created_by' for one person's records, ``YEAR`` of
    ``engine.store.index`` for the year a record was created) to parsed wanted values: the same field's
    values are OR-ed, different fields AND-ed. ``state`` is 'open', 'closed' or None (the type's open/closed statuses).

    ``q`` is the search as typed; ``search`` the same read once by ``engine.search.parse`` with the site's
    thesaurus (every backend answers that, never ``q``). With a search and no ``sort``, the most relevant
    records come first.
    """
    q: str = ""
    search: SearchQuery | None = None
    filters: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    state: str | None = None
    sort: str | None = None         # field or system field name, '-' prefix for descending; None: relevance
                                    # for a search, else the listing's default
    page: int = 1
    per_page: int = 25
    deleted: bool = False           # True: only soft-deleted records (the admin's bin)

    def __post_init__(self) -> None:
        # A caller that gives only ``q`` (a script, a test) gets it read once, here, without a thesaurus.
        if self.search is None and self.q.strip():
            object.__setattr__(self, "search", parse(self.q))

    @property
    def searched(self) -> SearchQuery | None:
        """What the store searches for; None for no search (an empty one included)."""
        return self.search or None

    @property
    def ranked(self) -> bool:
        """Are the records in order of relevance (a search, and no sort asked for)?"""
        return self.sort is None and self.searched is not None


@dataclass(frozen=True)
class Page:
    """One page of a query's records. For a search: each shown record's ``snippets`` (why it matched) and
    ``scores`` (how well: comparable within one repository), and a ``suggestion`` when nothing matched."""
    records: tuple[Record, ...]
    total: int
    page: int
    per_page: int
    snippets: Mapping[str, Snippet] = field(default_factory=dict)
    scores: Mapping[str, float] = field(default_factory=dict)
    suggestion: str | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class Attachment:
    """A stored file's metadata. ``id`` names it in URLs and in the record's file-field value."""
    id: str
    reference: str
    field: str
    filename: str           # the user's name, kept only as metadata
    content_type: str
    size: int
    sha256: str
    uploaded: datetime
    uploaded_by: str


@dataclass(frozen=True)
class Idempotency:
    """A client's key for one create (the API's ``Idempotency-Key``, scoped to the client by the caller) and
    a fingerprint of what it asked to create. A create repeated with the same key within
    ``IDEMPOTENCY_WINDOW`` returns the record first created; with other values it is refused."""
    key: str
    fingerprint: str


#: How long a store remembers an idempotency key.
IDEMPOTENCY_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class NewRecord:
    """One record for ``Store.insert_many``: its values and, for imported records, what the source said.

    ``created``/``created_by`` keep the dates and people of a record brought from another system (the
    importing user and the time of the write otherwise); ``reference`` asks for a given reference, which
    must be free (see ``Store.reference_free``)."""
    values: Mapping[str, Any]
    status: str | None = None
    created: datetime | None = None
    created_by: str | None = None
    reference: str | None = None
    attachments: Sequence[Attachment] = ()
    idempotency: Idempotency | None = None
    notices: Sequence[Notice] = ()      # written to the outbox in the same write, given the new reference


@dataclass(frozen=True)
class Migration:
    """What ``Store.migrate`` rewrote: records and history entries brought to today's names and values (or
    only stamped with today's revision), and each rename that took effect, with how many documents held it
    (``"lessons_learned -> lessons"``, ``"methodology: 'Six Sigma' -> 'Lean Six Sigma'"``)."""
    records: int = 0
    versions: int = 0
    renames: Mapping[str, int] = field(default_factory=dict)

    @property
    def rewrote(self) -> bool:
        return bool(self.records or self.versions)


@dataclass(frozen=True)
class Upload:
    """A file arriving with a submission, before it is stored."""
    filename: str
    stream: BinaryIO
    content_type: str | None = None


class Store(abc.ABC):
    """The records of one repository in one instance."""

    def insert(self, values: Mapping[str, Any], *, user: str, status: str | None = None,
               now: datetime | None = None, attachments: Sequence[Attachment] = ()) -> Record:
        """Allocate the next reference (never reused), stamp system fields, write durably, return the record.
        ``attachments`` (from ``stage_attachment``) are registered to the record in the same write: one
        record is an import of one (``insert_many``), so both take one path."""
        new = NewRecord(values, status=status, created=now, attachments=attachments)
        return self.insert_many([new], user=user, now=now)[0]

    @abc.abstractmethod
    def insert_many(self, records: Sequence[NewRecord], *, user: str, now: datetime | None = None
                    ) -> list[Record]:
        """Insert every record in ONE durable write, all or nothing (an import of thousands of rows must not
        rewrite the file per row). Records asking for a reference get it, the others the next free ones;
        the counter then continues after the highest, so references are never reused. ``ValidationFailed``
        (nothing written) when a value cannot be stored or an asked-for reference is not free.
        A record carrying an ``idempotency`` key already used within ``IDEMPOTENCY_WINDOW`` is not made again:
        the record first created (as it is now) takes its place in the result, or ``IdempotencyKeyReused``
        is raised (nothing written) if the earlier create had other values."""

    def created_with(self, key: str) -> str | None:
        """The reference created within ``IDEMPOTENCY_WINDOW`` under the idempotency ``key``, if any."""
        return None

    @abc.abstractmethod
    def reference_free(self, reference: str) -> bool:
        """May ``insert_many`` give a new record this reference? Only when it has this repository's prefix
        and its number was never handed out (it is at or past the counter)."""

    @abc.abstractmethod
    def get(self, reference: str, *, include_deleted: bool = False) -> Record:
        """The current version; ``RecordNotFound`` when absent (or deleted, unless asked)."""

    @abc.abstractmethod
    def update(self, reference: str, values: Mapping[str, Any], *, user: str, expected_version: int,
               status: str | None = None, attachments: Sequence[Attachment] = (), note: str = "edited",
               comment: str = "", notices: Sequence[Notice] = (), moves: Sequence[Move] = ()) -> Record:
        """Replace the values (and status if given) when the stored version is still ``expected_version``;
        otherwise raise ``EditConflict`` carrying the current record. Keeps the previous version, and ``note``
        as what the new one was (the history shows it: "edited", "restored version 3", "Approve") with the
        ``comment`` given. ``attachments`` (from ``stage_attachment``) are registered to the record, ``notices``
        queued in the outbox and ``moves`` made (each a new version of that record) in the same write; a move
        naming a record that is not live is skipped."""

    @abc.abstractmethod
    def history(self, reference: str) -> list[Version]:
        """Every version, oldest first, each with the changes that save made."""

    @abc.abstractmethod
    def query(self, query: Query) -> Page:
        """One page of matching records and the total count."""

    @abc.abstractmethod
    def facets(self, query: Query, names: tuple[str, ...]) -> dict[str, list[tuple[str, int]]]:
        """For each named field (or 'status'), the facet keys and their counts among the records matching
        ``query``, most frequent first. Counts use every filter of the query except the field's own, so the
        other values of that facet stay visible and selectable."""

    @abc.abstractmethod
    def count(self) -> int:
        """Number of live (not deleted) records."""

    @abc.abstractmethod
    def delete(self, reference: str, *, user: str) -> Record:
        """Soft delete: hidden from queries and pages, kept with its history and attachments."""

    @abc.abstractmethod
    def restore(self, reference: str, *, user: str) -> Record:
        """Undo a soft delete."""

    # -- the discussion beside a record, who watches it, and the outbox --------------------------------------
    @abc.abstractmethod
    def add_comment(self, reference: str, text: str, *, user: str, notices: Sequence[Notice] = ()) -> Comment:
        """Add a comment to a live record (``RecordNotFound`` otherwise), queueing ``notices`` in the same write.
        The record's version does not change: a comment is beside the record, not part of it."""

    @abc.abstractmethod
    def comments(self, reference: str) -> list[Comment]:
        """The record's comments, oldest first."""

    @abc.abstractmethod
    def set_watching(self, reference: str, username: str, watching: bool) -> bool:
        """Start or stop ``username`` watching a record; whether anything changed."""

    @abc.abstractmethod
    def watchers(self, reference: str) -> frozenset[str]:
        """The usernames watching a record."""

    @abc.abstractmethod
    def watched_by(self, username: str) -> list[str]:
        """The references of the records ``username`` watches."""

    @property
    @abc.abstractmethod
    def outbox(self) -> "Outbox":
        """The notices this repository's writes queued, and how sending them went."""

    # -- attachments --------------------------------------------------------------------------------------
    @abc.abstractmethod
    def stage_attachment(self, field: str, filename: str, stream: BinaryIO, *, user: str) -> Attachment:
        """Check and store a file before its record is written (its ``reference`` is still empty); it becomes
        part of a record only through ``insert``/``update``. ``AttachmentRejected`` for size or type."""

    @abc.abstractmethod
    def discard_staged(self, attachments: Iterable[Attachment]) -> None:
        """Remove staged files whose record write failed or was refused."""

    @abc.abstractmethod
    def save_attachment(self, reference: str, field: str, filename: str, stream: BinaryIO, *,
                        user: str, content_type: str | None = None) -> Attachment:
        """Store a file and add it to the record's file field (a new version); ``AttachmentRejected`` for size
        or type."""

    @abc.abstractmethod
    def attachments(self, reference: str) -> list[Attachment]:
        """The attachments the record's file fields hold now, in upload order."""

    @abc.abstractmethod
    def open_attachment(self, reference: str, attachment_id: str) -> tuple[Attachment, BinaryIO]:
        """Metadata and a readable binary stream; ``AttachmentNotFound`` when absent."""

    @abc.abstractmethod
    def delete_attachment(self, reference: str, attachment_id: str, *, user: str) -> None:
        """Remove a file from the record's file field (a new version; the file stays on disk for history)."""

    def attachment_text(self, attachment_id: str) -> str | None:
        """The text extracted from a stored file when it was uploaded (for search); None when there is none."""
        return None

    def extract_missing_texts(self, progress: Callable[[int], object] | None = None) -> int:
        """Extract the text of every stored file that has none yet (files uploaded before extraction existed),
        calling ``progress(1)`` per attachment when given; how many texts were written. A backend that keeps
        no extracted text has nothing to do."""
        return 0

    def prepare_search(self) -> None:
        """Build whatever search needs now rather than at the first search (a command, or a server warming
        up). A backend whose database keeps its own full-text index has nothing to do."""

    def revision(self) -> Hashable | None:
        """A value that changes whenever any record, attachment or count this store serves changes, writes by
        other processes included; a page rendered from the store can be kept under it. None: this backend
        cannot say cheaply, so nothing is kept."""
        return None

    def iter_all(self, query: Query | None = None) -> Iterator[Record]:
        """Every record ``query`` matches, in its order, whatever its page; by default every live record in
        reference order (exports)."""
        query = query or Query(sort="reference")
        page = 1
        while True:
            result = self.query(replace(query, page=page, per_page=500))
            yield from result.records
            if page >= result.pages:
                return
            page += 1

    def stored_values(self) -> Iterator[tuple[str, Mapping[str, Any]]]:
        """The reference and field values of every record, deleted ones included, as readers see them (after
        renames): what ``repo-engine check`` holds against the type."""
        for deleted in (False, True):
            for record in self.iter_all(Query(sort="reference", deleted=deleted)):
                yield record.reference, record.values

    @abc.abstractmethod
    def migrate(self) -> Migration:
        """Rewrite what is stored to read as it is read: today's field names and choice values in every record
        and history entry, each record stamped with today's type revision. Versions are not changed (nothing a
        person wrote changed) and no save made meanwhile is lost; running it again rewrites nothing."""

    def has_held_data(self) -> bool:
        """Whether this repository has ever held a record, even if none can be read now (``seed`` never
        writes into one that has)."""
        return self.count() > 0

    def verify(self) -> list[Any]:
        """Every fault of the stored data, read afresh (``DataDamaged`` values; empty when sound)."""
        return []

    def compact(self) -> bool:
        """Bring the stored data to its most compact form; False when there was nothing to do."""
        return False

    def sweep(self) -> int:
        """Remove what killed processes left behind (staged uploads); how many files were removed."""
        return 0

    def close(self) -> None:
        """Release files and connections."""


class Outbox(abc.ABC):
    """Notices waiting to be sent and what became of them. A notice is queued in the same write as the change
    that caused it (``Store.insert_many``, ``update``, ``add_comment``) or by ``queue``; a sender ``claim``s
    due deliveries (no two senders hold the same one), sends them, then says ``delivered`` or ``failed``."""

    @abc.abstractmethod
    def queue(self, notices: Sequence[Notice]) -> int:
        """Queue notices not tied to a record's write (reminders, digests) in one write; a notice whose ``key``
        is already in the outbox is skipped. How many were queued."""

    @abc.abstractmethod
    def has_key(self, key: str) -> bool:
        """Whether a notice with this ``key`` was ever queued here."""

    @abc.abstractmethod
    def claim(self, *, holder: str, now: datetime, lease: timedelta, limit: int = 50) -> list[Delivery]:
        """Take up to ``limit`` deliveries that are due (pending with ``next_at`` passed, or sending with an
        expired lease) for ``holder`` until ``now + lease``, in one write; each is then held by no one else."""

    @abc.abstractmethod
    def delivered(self, notice_id: str, *, now: datetime) -> None:
        """Mark a claimed delivery sent."""

    @abc.abstractmethod
    def failed(self, notice_id: str, error: str, *, now: datetime, retry_at: datetime | None) -> None:
        """Record a failed try: pending again from ``retry_at``, or given up (FAILED) when None."""

    @abc.abstractmethod
    def resend(self, notice_id: str) -> bool:
        """Make a failed (or sent) delivery pending again, now; whether there was one."""

    @abc.abstractmethod
    def deliveries(self, states: Iterable[str] | None = None) -> list[Delivery]:
        """The deliveries in the given states (every one when None), newest first."""
