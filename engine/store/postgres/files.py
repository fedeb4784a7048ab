"""Attached files in PostgreSQL: checked as the embedded store checks them, their content kept in the database.

An upload is received by ``engine.store.attachments.store_upload`` in a temporary folder of its own, so it is
refused or accepted (size, extension, first bytes) and its text extracted exactly as the embedded store does;
then its content goes into ``attachment_content`` in chunks of ``CHUNK`` bytes, its row into ``attachments``
with no record number: staged, until the write of its record takes it (``Write.register``). Every server
reads the same rows, so a file uploaded to one is served by the others. A staged row no record took (its
write failed, its process was killed) is swept once it is ``STALE_AFTER_S`` old.
"""
from __future__ import annotations

import io
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Callable, Iterable, Iterator

from engine.search.extract import extract_text
from engine.store import attachments as checks
from engine.store.base import Attachment
from engine.store.documents import attachment_doc, utc_now
from engine.store.postgres.writing import jsonb

if TYPE_CHECKING:
    from engine.store.postgres.database import Database

CHUNK = checks.CHUNK


@contextmanager
def _scratch() -> Iterator[Path]:
    """A temporary folder of this upload's own, removed with everything in it."""
    with tempfile.TemporaryDirectory(prefix="repo-engine-upload-") as folder:
        yield Path(folder)


class Files:
    """The attached files of repository ``repo`` of ``db``."""

    def __init__(self, db: "Database", repo: int):
        self.db, self.repo = db, repo

    def stage(self, field, filename: str, stream: BinaryIO, *, user: str) -> Attachment:
        """Check and keep an upload for ``field`` (a schema ``Field``); ``AttachmentRejected`` when refused."""
        with _scratch() as folder:
            stored = checks.store_upload(folder, field, filename, stream)
            attachment = Attachment(id=stored.id, reference="", field=field.name, filename=stored.filename,
                                    content_type=stored.content_type, size=stored.size, sha256=stored.sha256,
                                    uploaded=utc_now(), uploaded_by=user)
            with self.db.connection() as conn:
                conn.execute(
                    "INSERT INTO attachments (id, repo, number, field, filename, content_type, size, sha256, "
                    "uploaded, uploaded_by, doc, text) VALUES (%s, %s, NULL, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    (attachment.id, self.repo, attachment.field, attachment.filename, attachment.content_type,
                     attachment.size, attachment.sha256, attachment.uploaded, user,
                     jsonb(attachment_doc(attachment, "")), checks.read_text(folder, stored.id)))
                with open(folder / stored.id, "rb") as content:
                    for chunk, data in enumerate(iter(lambda: content.read(CHUNK), b"")):
                        conn.execute("INSERT INTO attachment_content (id, chunk, data) VALUES (%s, %s, %s)",
                                     (attachment.id, chunk, data))
        return attachment

    def discard(self, attachments: Iterable[Attachment]) -> None:
        """Remove staged files; one a record took is never removed."""
        ids = [attachment.id for attachment in attachments]
        if ids:
            with self.db.connection() as conn:
                conn.execute("DELETE FROM attachments WHERE repo = %s AND id = ANY(%s) AND number IS NULL",
                             (self.repo, ids))

    def sweep(self, older_than: float = checks.STALE_AFTER_S) -> int:
        """Remove staged files no record took within ``older_than`` seconds; how many."""
        with self.db.connection() as conn:
            return conn.execute("DELETE FROM attachments WHERE repo = %s AND number IS NULL "
                                "AND uploaded < now() - make_interval(secs => %s)", (self.repo, older_than)).rowcount

    def open(self, file_id: str) -> BinaryIO:
        return io.BufferedReader(_Content(self.db, file_id), buffer_size=CHUNK)

    def text(self, file_id: str) -> str | None:
        with self.db.connection() as conn:
            row = conn.execute("SELECT text FROM attachments WHERE repo = %s AND id = %s",
                               (self.repo, file_id)).fetchone()
        return row[0] if row is not None and row[0] else None

    def extract_missing(self, progress: Callable[[int], object] | None = None) -> list[int]:
        """Extract the text of every file of a record that has none yet, calling ``progress(1)`` per file;
        for each file given text, the number of its record. A file with no text to give is read again on
        each call: there is nothing to remember that by."""
        with self.db.connection() as conn:
            rows = conn.execute("SELECT id, number, filename, text IS NULL FROM attachments "
                                "WHERE repo = %s AND number IS NOT NULL ORDER BY seq", (self.repo,)).fetchall()
        given: list[int] = []
        for file_id, number, filename, missing in rows:
            if missing and self._extract(file_id, filename):
                given.append(number)
            if progress is not None:
                progress(1)
        return given

    def _extract(self, file_id: str, filename: str) -> bool:
        extension = os.path.splitext(checks.display_name(filename))[1].lower()
        with _scratch() as folder:
            path = folder / file_id
            with self.open(file_id) as content, open(path, "wb") as out:
                while data := content.read(CHUNK):
                    out.write(data)
            text = extract_text(path, extension)
        if not text:
            return False
        with self.db.connection() as conn:
            return bool(conn.execute("UPDATE attachments SET text = %s WHERE repo = %s AND id = %s AND text IS NULL",
                                     (text, self.repo, file_id)).rowcount)


class _Content(io.RawIOBase):
    """A stored file's content, fetched a chunk at a time as it is read, so that serving a large file never
    holds all of it in memory nor a connection of the pool for as long as the download lasts."""

    def __init__(self, db: "Database", file_id: str):
        super().__init__()
        self._db, self._id = db, file_id
        self._chunk = 0
        self._pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if not self._pending:
            self._pending = memoryview(self._fetch())
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size

    def _fetch(self) -> bytes:
        with self._db.connection() as conn:
            row = conn.execute("SELECT data FROM attachment_content WHERE id = %s AND chunk = %s",
                               (self._id, self._chunk)).fetchone()
        if row is None:
            return b""
        self._chunk += 1
        return bytes(row[0])
