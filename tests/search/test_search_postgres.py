"""The search tables of the PostgreSQL backend as the write path keeps them: every write leaves them as
indexing the repository afresh would, deleted records are found in the bin but never offered as "Did you
mean", an attached file's words are searched, and idf in SQL is ``ranking.idf`` to the last bit.

Each behaviour that both backends have is checked on both (``stores``)."""
from __future__ import annotations

import io
from dataclasses import replace

import psycopg
import pytest

from engine.search import ranking
from engine.store.base import NewRecord, Query
from engine.search.fields import searched_fields
from engine.store.postgres import search, search_index
from engine.store.postgres.search_scoring import IDF
from store.storekit import project, qi_project

TABLES = {"search_terms": "term, number, weight", "search_pairs": "pair, number, weight",
          "search_dictionary": "term, records", "search_words": "word, records",
          "search_records": "number, counted, terms, pairs, words",
          "search_repositories": "records, lengths, learnt_from"}


def text_rtype():
    """The QI type with a report field taking plain text, so that a file's words can be searched."""
    rtype = qi_project()
    fields = tuple(replace(one, accept=(".txt",)) if one.name == "report" else one for one in rtype.fields)
    return replace(rtype, fields=fields)


def open_postgres(url: str, rtype):
    from engine.store.postgres.database import database
    from engine.store.postgres.store import PostgresStore
    return PostgresStore(rtype, database(url), "test")


@pytest.fixture(params=("tinydb", "postgresql"))
def stores(request, tmp_path):
    """Opens a store of the given type on this test's own data, on each backend in turn."""
    opened = []

    def open_store(rtype=None):
        rtype = rtype or qi_project()
        if request.param == "tinydb":
            from engine.store.tinydb import TinyDBStore
            store = TinyDBStore(rtype, tmp_path / "data")
        else:
            store = open_postgres(request.getfixturevalue("postgres_url"), rtype)
        opened.append(store)
        return store
    yield open_store
    for store in opened:
        store.close()


def tables(store) -> dict[str, list[tuple]]:
    """Every search row of the store's repository, in a stable order."""
    with store.db.connection() as conn:
        return {table: conn.execute(f"SELECT {columns} FROM {table} WHERE repo = %s ORDER BY 1, 2",
                                    (store.repo,)).fetchall() for table, columns in TABLES.items()}


def test_idf_in_sql_is_ranking_idf_to_the_last_bit(postgres_url):
    cases = [(records, held) for records in (1, 2, 3, 7, 57, 500, 1999, 123_457, 1_000_000)
             for held in sorted({1, 2, 3, records // 3 or 1, records // 2 or 1, records - 1 or 1, records})]
    with psycopg.connect(postgres_url) as conn:
        found = [conn.execute(f"SELECT {IDF} FROM (SELECT %s::bigint AS held) AS h", (records, held)).fetchone()[0]
                 for records, held in cases]
    assert found == [ranking.idf(records, held) for records, held in cases]


def test_every_write_leaves_the_tables_as_indexing_afresh_would(postgres_url, monkeypatch):
    store = open_postgres(postgres_url, qi_project())
    try:
        made = store.insert_many([NewRecord(project(number)) for number in range(1, 13)], user="ann")
        first = store.get(made[2].reference)
        store.update(first.reference, {**first.values, "title": "Pressure ulcers", "keywords": ["skin"]},
                     user="bo", expected_version=first.version)
        store.delete(made[4].reference, user="bo")
        store.delete(made[5].reference, user="bo")
        store.restore(made[5].reference, user="bo")
        store.insert(project(13, summary="Night falls of frail patients."), user="cy")
        kept = tables(store)
        # Afresh, but with the usual lengths as they were learnt (from the first 12), not learnt again.
        lengths = [kept["search_repositories"][0][1].get(one.name, 1.0) for one in searched_fields(store.rtype)]
        monkeypatch.setattr(search_index, "_learn", lambda *args: lengths)
        with store.db.connection() as conn:
            search.rebuild(conn, store.rtype, store.repo)
        afresh = tables(store)
    finally:
        store.close()
    assert kept["search_repositories"] == [(13, kept["search_repositories"][0][1], 12)]
    assert afresh["search_repositories"][0][:2] == kept["search_repositories"][0][:2]
    kept.pop("search_repositories"), afresh.pop("search_repositories")
    assert kept == afresh


def test_a_small_repository_learns_its_usual_lengths_again_as_it_doubles(postgres_url):
    store = open_postgres(postgres_url, qi_project())
    try:
        learnt = []
        for number in range(1, 10):
            store.insert(project(number), user="ann")
            learnt.append(tables(store)["search_repositories"][0][2])
    finally:
        store.close()
    assert learnt == [1, 2, 2, 4, 4, 4, 4, 8, 8]


def test_a_deleted_record_is_found_in_the_bin_and_never_offered_as_did_you_mean(stores):
    store = stores()
    store.insert(project(1, title="Gemba walks in theatres"), user="ann")
    kept = store.insert(project(2, title="Falls huddles"), user="ann")
    store.delete(store.get("QI-0001").reference, user="ann")
    assert store.query(Query(q="gemba")).total == 0
    assert [r.reference for r in store.query(Query(q="gemba", deleted=True)).records] == ["QI-0001"]
    assert store.query(Query(q="gembo")).suggestion is None
    assert store.query(Query(q="hudles")).suggestion == "huddles"
    store.restore("QI-0001", user="ann")
    assert store.query(Query(q="gembo")).suggestion == "gemba"
    assert kept.reference == "QI-0002"


def test_an_attached_files_words_are_searched_and_the_snippet_names_the_file(stores):
    store = stores(text_rtype())
    store.insert(project(1, title="Lean review of day surgery lists"), user="ann")
    store.insert(project(2, title="Theatre start times"), user="ann")
    text = b"Project charter\nWe will run weekly gemba walks with the theatre coordinators.\n"
    store.save_attachment("QI-0001", "report", "Charter.txt", io.BytesIO(text), user="ann")
    page = store.query(Query(q="gemba"))
    assert [record.reference for record in page.records] == ["QI-0001"]
    snippet = page.snippets["QI-0001"]
    assert snippet.in_file and snippet.where == "Charter.txt"
    assert [part for part, marked in snippet.parts if marked] == ["gemba"]


def test_a_reference_typed_comes_first_with_the_words_found_after_it(stores):
    store = stores()
    store.insert_many([NewRecord(project(number)) for number in range(1, 8)], user="ann")
    page = store.query(Query(q="QI-0004 falls"))
    references = [record.reference for record in page.records]
    assert references[0] == "QI-0004"
    assert page.scores["QI-0004"] == pytest.approx(max(page.scores.values()))
    assert set(references[1:]) == {"QI-0003", "QI-0006"}
