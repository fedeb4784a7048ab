"""What a migration rewrites: each stored document that does not read as it is stored (``rewritten``, for every
backend), and the embedded store's documents that need it (``rewrites``).

A snapshot holds each table as stored and as read (``snapshot.py``); the two differ where the type renamed a
field or a choice. A record is also rewritten when it was last written under another revision of its type,
so that after a migration every record says it follows today's type.
"""
from __future__ import annotations

from typing import Iterator, Sequence

from engine.store.documents import TYPE_REVISION
from engine.store.snapshot import RECORDS, Snapshot
from engine.store.tables import Doc


def rewrites(snapshot: Snapshot, table: str, revision: str, ids: Sequence[str] | None = None
             ) -> Iterator[tuple[str, Doc]]:
    """(id, the document as it should be stored) for each of ``ids`` (None: every document of ``table``)
    stored otherwise."""
    stored, read = snapshot.tables[table], snapshot.read[table]
    for doc_id in (ids if ids is not None else stored):
        old = stored.get(doc_id)
        if old is None:
            continue
        wanted = rewritten(old, read.get(doc_id), revision if table == RECORDS else None)
        if wanted is not None:
            yield doc_id, wanted


def rewritten(old: Doc, read: Doc, revision: str | None) -> Doc | None:
    """What the stored document ``old``, which reads today as ``read``, is to be rewritten as (None: it stays
    as it is); a record is also stamped with today's type ``revision`` (None for other documents). The same
    rule in every backend."""
    wanted = read
    if revision is not None and wanted.get(TYPE_REVISION) != revision:
        wanted = {**wanted, TYPE_REVISION: revision}
    return dict(wanted) if wanted is not old and wanted != old else None
