"""The embedded outbox: notices kept in the ``outbox`` table of a repository's files, and the site's own outbox.

Each delivery is one document (``Notice.as_doc()`` plus ``state``, ``attempts``, ``next_at``,
``claimed_until``, ``holder``, ``error`` and ``sent_at``), written through ``RepositoryFiles.commit`` like
any save: a notice queued with a record's change is in that change's log line (see ``outbox_docs``), and a
sender's claim is one more line. Claims are made under the repository's write lock from the latest data
(``current()`` catches up with every other process's saves first), so no two senders, in this process or
another, ever hold the same delivery until its lease has run out.

Times are stored as ``documents.stamp`` strings (UTC, fixed width), so they compare as text in time order.
Sent deliveries are kept, compaction included: a reminder's or digest's ``key`` must stay known for as long
as the job that queues it may ask again (dropping a sent reminder would let an overdue one be queued anew),
and one small document per notice is little beside a record's history.
"""
from __future__ import annotations

import json
import logging
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any, Callable, ContextManager, Iterable, Iterator, Mapping, Sequence

from engine.config import Paths
from engine.errors import StoreError
from engine.notify.notice import FAILED, PENDING, SENDING, SENT, Delivery, Notice
from engine.store.base import Outbox
from engine.store.disk import RepositoryFiles
from engine.store.documents import stamp
from engine.store.snapshot import OUTBOX, Snapshot

Doc = dict[str, Any]
log = logging.getLogger("engine.store")
#: What a delivery document holds beside its notice, as a newly queued one has it.
FRESH = {"state": PENDING, "attempts": 0, "next_at": "", "claimed_until": "", "holder": "", "error": "",
         "sent_at": ""}


def outbox_docs(snapshot: Snapshot, notices: Sequence[Notice], first_id: int | None = None) -> dict[str, Doc]:
    """The outbox documents that queue ``notices`` in a save made from ``snapshot``: ids from ``first_id``
    (the table's next one by default); a notice whose ``key`` (or ``id``: the same notice again) is in the
    outbox already, or earlier in ``notices``, is left out. Each is read back through JSON now, so what is
    in memory is what the log holds."""
    if not notices:
        return {}       # most saves: the outbox's groupings are not even built
    number = first_id if first_id is not None else int(snapshot.next_id(OUTBOX))
    keys, ids = snapshot.grouped("notice_keys"), snapshot.grouped("notices")
    taken: set[str] = set()
    docs: dict[str, Doc] = {}
    for notice in notices:
        if (notice.key and (notice.key in keys or notice.key in taken)) or notice.id in ids or notice.id in taken:
            continue
        taken.update((notice.key, notice.id))
        docs[str(number)] = delivery_doc(notice)
        number += 1
    return docs


def delivery_doc(notice: Notice) -> Doc:
    """A newly queued delivery of ``notice``, read back through JSON, so what is in memory is what is stored."""
    return json.loads(json.dumps({**notice.as_doc(), **FRESH}, allow_nan=False))


# -- what becomes of a delivery: the same in every backend ----------------------------------------------------
def claimed(doc: Doc, holder: str, until: str) -> Doc:
    return {**doc, "state": SENDING, "holder": holder, "claimed_until": until}


def sent(doc: Doc, now: datetime) -> Doc:
    return {**doc, "state": SENT, "sent_at": stamp(now), "claimed_until": "", "error": ""}


def tried(doc: Doc, error: str, retry_at: datetime | None) -> Doc:
    """A failed try: pending again from ``retry_at``, or given up when None."""
    after = {**doc, "attempts": doc["attempts"] + 1, "error": error, "claimed_until": ""}
    if retry_at is None:
        return {**after, "state": FAILED, "next_at": ""}
    return {**after, "state": PENDING, "next_at": stamp(retry_at)}


def resent(doc: Doc) -> Doc | None:
    """Pending again, now; None for a delivery a sender holds now, which is not taken from it."""
    if doc["state"] == SENDING:
        return None
    return {**doc, "state": PENDING, "next_at": "", "claimed_until": "", "holder": ""}


def to_delivery(doc: Mapping[str, Any]) -> Delivery:
    return Delivery(Notice.from_doc(doc), state=doc["state"], attempts=doc["attempts"], next_at=doc["next_at"],
                    claimed_until=doc["claimed_until"], holder=doc["holder"], error=doc["error"],
                    sent_at=doc["sent_at"])


class ChangedDeliveries(Outbox):
    """What becomes of a delivery, on every backend: each one call of the backend's own change of one delivery
    document, ``_change(notice_id, change)`` (the change returns None to leave it as it is)."""

    _change: Callable[[str, Callable[[Doc], "Doc | None"]], bool]

    def delivered(self, notice_id: str, *, now: datetime) -> None:
        self._change(notice_id, lambda doc: sent(doc, now))

    def failed(self, notice_id: str, error: str, *, now: datetime, retry_at: datetime | None) -> None:
        self._change(notice_id, lambda doc: tried(doc, error, retry_at))

    def resend(self, notice_id: str) -> bool:
        """A delivery a sender holds now is not taken from it (False)."""
        return self._change(notice_id, resent)


class EmbeddedOutbox(ChangedDeliveries):
    """The outbox kept in ``files`` (a repository's, or the site's own). ``writing`` holds the write lock
    for one save and compacts afterwards when due (the store's own, so that a store and its outbox share
    one lock and one upkeep); by default the lock of ``files`` with the same quiet compaction."""

    def __init__(self, files: RepositoryFiles, writing: Callable[[], ContextManager[None]] | None = None):
        self._files = files
        self._writing = writing or self._default_writing

    @contextmanager
    def _default_writing(self) -> Iterator[None]:
        with self._files.lock.held():
            yield
        if self._files.compaction_due():
            try:
                self._files.compact()
            except (OSError, StoreError) as error:
                log.warning("Compaction of %s failed, to be tried again: %s", self._files.folder, error)

    # -- queueing -------------------------------------------------------------------------------------------
    def queue(self, notices: Sequence[Notice]) -> int:
        if not notices:
            return 0
        with self._writing():
            snapshot = self._files.current()
            docs = outbox_docs(snapshot, notices)
            if docs:
                self._files.commit(snapshot, {OUTBOX: docs})
        return len(docs)

    def has_key(self, key: str) -> bool:
        return bool(key) and key in self._files.current().grouped("notice_keys")

    # -- sending --------------------------------------------------------------------------------------------
    def claim(self, *, holder: str, now: datetime, lease: timedelta, limit: int = 50) -> list[Delivery]:
        moment, until = stamp(now), stamp(now + lease)
        with self._writing():
            snapshot = self._files.current()
            table = snapshot.read[OUTBOX]
            due = sorted((doc_id for doc_id in snapshot.grouped("open_notices").values()
                          if is_due(table[doc_id], moment)), key=int)[:max(limit, 0)]
            if not due:
                return []
            docs = {doc_id: claimed(table[doc_id], holder, until) for doc_id in due}
            self._files.commit(snapshot, {OUTBOX: docs})
        return [to_delivery(docs[doc_id]) for doc_id in due]

    def _change(self, notice_id: str, change: Callable[[Doc], Doc | None]) -> bool:
        """One save of one delivery; False when there is none by that id (or ``change`` declines)."""
        with self._writing():
            snapshot = self._files.current()
            doc_id = snapshot.grouped("notices").get(notice_id)
            if doc_id is None:
                log.warning("The outbox of %s has no notice %s", self._files.folder, notice_id)
                return False
            new = change(snapshot.read[OUTBOX][doc_id])
            if new is None:
                return False
            self._files.commit(snapshot, {OUTBOX: {doc_id: new}})
        return True

    # -- reading --------------------------------------------------------------------------------------------
    def deliveries(self, states: Iterable[str] | None = None) -> list[Delivery]:
        wanted = frozenset(states) if states is not None else None
        table = self._files.current().read[OUTBOX]
        return [to_delivery(table[doc_id]) for doc_id in reversed(table)
                if wanted is None or table[doc_id]["state"] in wanted]

    def close(self) -> None:
        """Bring the compacted file up to date (the site outbox's own files; a store closes its own)."""
        try:
            if self._files.has_unsaved_log():
                self._files.compact()
        except (OSError, StoreError) as error:
            log.warning("Compaction of %s failed: %s", self._files.folder, error)


def is_due(doc: Mapping[str, Any], moment: str) -> bool:
    """Is the delivery to be claimed at ``moment``: pending and its time come, or held past its lease?"""
    if doc["state"] == PENDING:
        return not doc["next_at"] or doc["next_at"] <= moment
    return doc["state"] == SENDING and doc["claimed_until"] < moment


def site_outbox(paths: Paths) -> Outbox:
    """The outbox of the whole deployment (digests of trust-wide searches): in ``<site data>/outbox/``, or the
    database's rows of no repository (``engine.store.places`` says which)."""
    from engine.store.places import InDatabase, site_place
    place = site_place(paths)
    if isinstance(place, InDatabase):
        from engine.store.postgres.outbox import PostgresOutbox
        return PostgresOutbox(place.db, None)
    return EmbeddedOutbox(RepositoryFiles(place / "outbox"))


__all__ = ["EmbeddedOutbox", "claimed", "delivery_doc", "is_due", "outbox_docs", "resent", "sent", "site_outbox",
           "to_delivery", "tried"]
