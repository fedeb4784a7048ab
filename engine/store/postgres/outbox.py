"""The outbox in PostgreSQL: one row per delivery, in the ``outbox`` table, for a repository or (``repo`` None)
the site itself.

A row keeps the delivery document exactly as the embedded outbox keeps it (``engine.store.outbox``: the
notice, its state, attempts, times), with the state and times beside it as columns for the claim's index;
what becomes of a delivery (claimed, sent, tried, sent again) is decided by the same functions as there.
A notice queued with a record's change is written by that change's transaction (``queue_rows``). A claim takes
due rows with ``FOR UPDATE SKIP LOCKED``: two senders, on one server or several, never hold the same delivery,
and neither waits for the rows the other is taking.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

from psycopg.types.json import Jsonb

from engine.notify.notice import PENDING, SENDING, Delivery, Notice
from engine.store.documents import stamp
from engine.store.outbox import ChangedDeliveries, claimed, delivery_doc, to_delivery

if TYPE_CHECKING:
    from engine.store.postgres.database import Database

Doc = dict[str, Any]
log = logging.getLogger("engine.store")
#: The rows of one outbox: the site's own has no repository (0 never names one: ids start at 1).
SCOPE = "coalesce(repo, 0) = %s"
#: Due, as ``engine.store.outbox.is_due`` says: pending and its time come, or held past its lease.
DUE = ("(state = %(pending)s AND (next_at = '' OR next_at <= %(moment)s)) "
       "OR (state = %(sending)s AND claimed_until < %(moment)s)")


def queue_rows(conn, repo: int | None, notices: Sequence[Notice]) -> int:
    """Queue ``notices`` in the transaction of ``conn``: one whose ``key`` or ``id`` is in this outbox
    already (or earlier in ``notices``) is skipped, by the table's unique indexes. How many were queued."""
    queued = 0
    for notice in notices:
        doc = delivery_doc(notice)
        queued += conn.execute(
            "INSERT INTO outbox (repo, id, key, state, next_at, claimed_until, doc) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            (repo, doc["id"], doc.get("key") or "", doc["state"], doc["next_at"], doc["claimed_until"],
             Jsonb(doc))).rowcount
    return queued


class PostgresOutbox(ChangedDeliveries):
    """The deliveries of repository ``repo`` (an id of ``Database.repository``), or of the site when None."""

    def __init__(self, db: "Database", repo: int | None):
        self.db = db
        self.repo = repo
        self._scope = repo or 0

    def queue(self, notices: Sequence[Notice]) -> int:
        if not notices:
            return 0
        with self.db.connection() as conn:
            return queue_rows(conn, self.repo, notices)

    def has_key(self, key: str) -> bool:
        if not key:
            return False
        with self.db.connection() as conn:
            return conn.execute(f"SELECT 1 FROM outbox WHERE {SCOPE} AND key = %s",
                                (self._scope, key)).fetchone() is not None

    def claim(self, *, holder: str, now: datetime, lease: timedelta, limit: int = 50) -> list[Delivery]:
        """The oldest due deliveries first, as the embedded outbox takes them."""
        until = stamp(now + lease)
        with self.db.connection() as conn:
            rows = conn.execute(
                f"SELECT seq, doc FROM outbox WHERE coalesce(repo, 0) = %(scope)s AND ({DUE}) "
                "ORDER BY seq LIMIT %(limit)s FOR UPDATE SKIP LOCKED",
                {"scope": self._scope, "pending": PENDING, "sending": SENDING, "moment": stamp(now),
                 "limit": max(limit, 0)}).fetchall()
            taken = [(seq, claimed(doc, holder, until)) for seq, doc in rows]
            for seq, doc in taken:
                self._write(conn, seq, doc)
        return [to_delivery(doc) for _, doc in taken]

    def deliveries(self, states: Iterable[str] | None = None) -> list[Delivery]:
        wanted = sorted(set(states)) if states is not None else None
        chosen = " AND state = ANY(%s)" if wanted is not None else ""
        with self.db.connection() as conn:
            rows = conn.execute(f"SELECT doc FROM outbox WHERE {SCOPE}{chosen} ORDER BY seq DESC",
                                (self._scope, wanted) if wanted is not None else (self._scope,)).fetchall()
        return [to_delivery(doc) for doc, in rows]

    def close(self) -> None:
        """Nothing of its own to release: the pool is the process's."""

    def _change(self, notice_id: str, change: Callable[[Doc], Doc | None]) -> bool:
        """One write of one delivery, its row locked while it changes; False when there is none by that id (or
        ``change`` declines)."""
        with self.db.connection() as conn:
            row = conn.execute(f"SELECT seq, doc FROM outbox WHERE {SCOPE} AND id = %s FOR UPDATE",
                               (self._scope, notice_id)).fetchone()
            if row is None:
                log.warning("The outbox of repository %s has no notice %s", self.repo or "of the site", notice_id)
                return False
            new = change(row[1])
            if new is None:
                return False
            self._write(conn, row[0], new)
        return True

    @staticmethod
    def _write(conn, seq: int, doc: Doc) -> None:
        conn.execute("UPDATE outbox SET state = %s, next_at = %s, claimed_until = %s, doc = %s WHERE seq = %s",
                     (doc["state"], doc["next_at"], doc["claimed_until"], Jsonb(doc), seq))
