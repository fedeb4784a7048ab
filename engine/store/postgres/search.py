"""The ranked search in SQL: term tables kept by the write path, scored as ``engine.search.ranking`` does.

What the rest of the backend calls:
- ``index_records`` (the write path, in its transaction) and ``rebuild`` (a reindex, a bulk fill), which keep
  the site's own analysed terms and BM25F weights (``search_index``);
- ``found_sql``: the select of (number, score) of what a search finds, for the listing to join
  (``search_scoring``);
- ``snippets`` and ``suggestion``: a page's "why it matched" and "Did you mean", by the very code the
  embedded store uses (``engine.search.snippets``, ``engine.search.suggest``), given the records' text and the
  database's term and word counts.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Iterator, Sequence

from engine.search.fields import searched_fields
from engine.search.parse import SearchQuery
from engine.search.snippets import Snippet, passage_snippet
from engine.search.suggest import SHORTEST, allowed, suggest
from engine.search.weights import record_passages
from engine.store.base import Record
from engine.store.postgres.search_index import index_records, rebuild
from engine.store.postgres.search_scoring import found_sql

if TYPE_CHECKING:
    from engine.store.postgres.store import PostgresStore

__all__ = ["found_sql", "index_records", "rebuild", "snippets", "suggestion"]


def snippets(conn, store: "PostgresStore", searched: SearchQuery, records: Sequence[Record]
             ) -> Mapping[str, Snippet]:
    """The snippets of a page's records, each made when first asked for (a trust-wide search asks every
    repository for a page of candidates and shows a few of them)."""
    return Snippets(store, searched, records)


class Snippets(Mapping):
    """Reference -> snippet of the records of a page that have one. A snippet needs the record's text only:
    its values, which the page holds, and its files' text, read when a record with files is first asked for
    (on a connection of its own: the page's is given back before the page is drawn)."""

    def __init__(self, store: "PostgresStore", searched: SearchQuery, records: Sequence[Record]):
        self.store, self.searched = store, searched
        self.fields = searched_fields(store.rtype)
        self.records = {record.reference: record for record in records}
        self.made: dict[str, Snippet | None] = {}

    def __getitem__(self, reference: str) -> Snippet:
        if reference not in self.made:
            self.made[reference] = self._make(self.records[reference])
        found = self.made[reference]
        if found is None:
            raise KeyError(reference)
        return found

    def __iter__(self) -> Iterator[str]:
        return (reference for reference in self.records if reference in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def _make(self, record: Record) -> Snippet | None:
        ids = [one for field in self.fields if field.files for one in _ids(record.values.get(field.name))]
        texts = self._file_texts(ids) if ids else {}
        passages = record_passages(self.fields, texts.get)(record.values)
        return passage_snippet(self.fields, passages, self.searched, self.store.rtype.record_title)

    def _file_texts(self, ids: list[str]) -> dict[str, tuple[str, str]]:
        with self.store.db.reading() as conn:
            rows = conn.execute("SELECT id, filename, text FROM attachments WHERE repo = %s AND id = ANY(%s) "
                                "AND text <> ''", (self.store.repo, ids)).fetchall()
        return {attachment_id: (filename, text) for attachment_id, filename, text in rows}


def _ids(value) -> list[str]:
    """A file field's attachment ids: one or a list (as ``engine.search.weights.record_passages`` reads it)."""
    if value is None:
        return []
    return [one for one in (value if isinstance(value, list) else [value]) if isinstance(one, str)]


def suggestion(conn, store: "PostgresStore", searched: SearchQuery) -> str | None:
    """"Did you mean": ``engine.search.suggest`` with the repository's dictionary and vocabulary."""
    repo = store.repo
    words = sorted({term.terms[0] for clause in searched.clauses for term in clause.alternatives
                    if not term.is_phrase})
    held = {row[0] for row in conn.execute("SELECT term FROM search_dictionary WHERE repo = %s AND term = ANY(%s)",
                                           (repo, words))} if words else set()

    def nearby(word: str) -> dict[str, int]:
        """Live records' words of a length within the letters a suggestion may differ by."""
        rows = conn.execute("SELECT word, records FROM search_words WHERE repo = %s AND records > 0 "
                            "AND length(word) BETWEEN %s AND %s",
                            (repo, max(SHORTEST - 1, len(word) - allowed(word)), len(word) + allowed(word)))
        return dict(rows.fetchall())
    return suggest(searched, held.__contains__, nearby)
