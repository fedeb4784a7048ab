"""Filling the tables fast: every row of a repository sent with ``COPY``, for a site moved into the database
(``repo-engine migrate-data``) and for the benchmark's millions of records.

Rows are made from the embedded store's documents, which the tables keep whole in ``doc``; the columns beside
it are read from the document as the write path fills them, and a record's derived columns are made by
``derived.derive``. Nothing here commits: the caller's transaction holds every row, and the search terms are
built once the records and their files are in (``finish``). ``COPY`` takes the rows as text, so documents
are sent as their JSON and timestamps as their stored ISO strings.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator, Mapping

from engine.schema.model import RepositoryType
from engine.store.documents import reference_number
from engine.store.postgres.writing import dumps as _json

Doc = Mapping[str, Any]
Row = tuple[Any, ...]
#: Attached files are stored in chunks of this many bytes (``attachment_content``).
CONTENT_CHUNK = 1024 * 1024


def _number(doc: Doc) -> int:
    return reference_number(doc["reference"])


def copy_rows(conn, table: str, columns: tuple[str, ...], rows: Iterable[Row]) -> int:
    """``COPY`` the rows into ``table``; how many there were."""
    count = 0
    with conn.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    return count


RECORD_COLUMNS = ("repo", "number", "reference", "status", "created", "created_by", "updated", "updated_by",
                  "version", "deleted", "type_revision", "doc", "keys", "facets", "points", "texts", "sorts")
DERIVED = RECORD_COLUMNS[-5:]


def record_rows(rtype: RepositoryType, repo: int, docs: Iterable[Doc]) -> Iterator[Row]:
    from engine.store.postgres.derived import derive
    for doc in docs:
        derived = derive(rtype, doc)
        yield (repo, _number(doc), doc["reference"], doc["status"], doc["created"], doc["created_by"],
               doc["updated"], doc["updated_by"], doc["version"], bool(doc.get("deleted")),
               doc.get("type_revision") or "", _json(doc), *(_json(derived[name]) for name in DERIVED))


def history_rows(repo: int, docs: Iterable[Doc]) -> Iterator[Row]:
    for doc in docs:
        yield repo, _number(doc), doc["version"], _json(doc)


def request_rows(repo: int, docs: Iterable[Doc]) -> Iterator[Row]:
    for doc in docs:
        yield repo, doc["key"], doc["at"], doc["fingerprint"], doc["reference"]


def comment_rows(repo: int, docs: Iterable[Doc]) -> Iterator[Row]:
    for doc in docs:
        yield doc["id"], repo, _number(doc), _json(doc)


def watcher_rows(repo: int, docs: Iterable[Doc]) -> Iterator[Row]:
    for doc in docs:
        if doc.get("watching", True):
            yield repo, _number(doc), doc["username"]


def outbox_rows(repo: int | None, docs: Iterable[Doc]) -> Iterator[Row]:
    for doc in docs:
        yield (repo, doc["id"], doc.get("key") or "", doc["state"], doc.get("next_at") or "",
               doc.get("claimed_until") or "", _json(doc))


#: Table -> (its columns, the rows of a repository's documents). Records need their type: see ``load_records``.
LOADERS: dict[str, tuple[tuple[str, ...], Callable[[Any, Iterable[Doc]], Iterator[Row]]]] = {
    "history": (("repo", "number", "version", "doc"), history_rows),
    "requests": (("repo", "key", "at", "fingerprint", "reference"), request_rows),
    "comments": (("id", "repo", "number", "doc"), comment_rows),
    "watchers": (("repo", "number", "username"), watcher_rows),
    "outbox": (("repo", "id", "key", "state", "next_at", "claimed_until", "doc"), outbox_rows),
}


def load_records(conn, rtype: RepositoryType, repo: int, docs: Iterable[Doc]) -> int:
    from engine.store.postgres.pair_counts import name_paired
    name_paired(conn, rtype, repo)
    return copy_rows(conn, "records", RECORD_COLUMNS, record_rows(rtype, repo, docs))


def load(conn, table: str, repo: int | None, docs: Iterable[Doc]) -> int:
    """The documents of one of ``LOADERS``' tables, in the order given (their sequence numbers follow it)."""
    columns, rows = LOADERS[table]
    return copy_rows(conn, table, columns, rows(repo, docs))


ATTACHMENT_COLUMNS = ("id", "repo", "number", "field", "filename", "content_type", "size", "sha256", "uploaded",
                      "uploaded_by", "doc", "text")


def load_attachments(conn, repo: int, docs: Iterable[Doc], texts: Mapping[str, str]) -> int:
    """Attachment rows (without their content: ``load_content``), each with its extracted text if any."""
    rows = ((doc["id"], repo, _number(doc), doc["field"], doc["filename"], doc["content_type"], doc["size"],
             doc["sha256"], doc["uploaded"], doc["uploaded_by"], _json(doc), texts.get(doc["id"]))
            for doc in docs)
    return copy_rows(conn, "attachments", ATTACHMENT_COLUMNS, rows)


def load_content(conn, file_id: str, chunks: Iterable[bytes]) -> int:
    """An attached file's bytes, in chunks of ``CONTENT_CHUNK``; how many chunks."""
    return copy_rows(conn, "attachment_content", ("id", "chunk", "data"),
                     ((file_id, number, piece) for number, piece in enumerate(_rechunked(chunks))))


def _rechunked(chunks: Iterable[bytes]) -> Iterator[bytes]:
    held = b""
    for chunk in chunks:
        held += chunk
        while len(held) >= CONTENT_CHUNK:
            yield held[:CONTENT_CHUNK]
            held = held[CONTENT_CHUNK:]
    if held:
        yield held


def new_repository(conn, instance: str, name: str, next_reference: int = 1, meta: Doc | None = None) -> int:
    """The row of a repository the copy fills (refused if there is one: see the move's emptiness check)."""
    return conn.execute("INSERT INTO repositories (instance, repository, next_reference, meta) "
                        "VALUES (%s, %s, %s, %s::jsonb) RETURNING id",
                        (instance, name, next_reference, _json(dict(meta or {})))).fetchone()[0]


def finish(conn, rtype: RepositoryType, repo: int) -> None:
    """After a repository's rows are in (its records and their files): its search terms, built from those
    rows in one go, the fields' usual lengths learnt from them as a repository filled in bulk needs."""
    from engine.store.postgres import rederiving, search
    search.rebuild(conn, rtype, repo)
    rederiving.mark(conn, rtype, repo)


def analyze(conn) -> None:
    """The planner's statistics of the tables just filled, which a table filled by ``COPY`` in a
    transaction has none of until autovacuum comes round: without them the first queries plan badly."""
    for table in ("records", "history", "attachments", "comments", "watchers", "outbox", "facet_counts",
                  "facet_pair_counts", "search_repositories", "search_records", "search_terms", "search_pairs",
                  "search_dictionary", "search_words"):
        conn.execute(f"ANALYZE {table}")
