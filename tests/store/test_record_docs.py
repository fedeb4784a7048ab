"""Record documents kept as written (schema version 9, ``record_docs``): the upgrade turns the documents a
database already holds into ``json`` without changing one, and a document written since keeps the text it was
written as, its keys in the order the application wrote them, as the embedded store keeps them."""
from __future__ import annotations

import json

from engine.store.base import Query
from engine.store.postgres.record_docs import AS_WRITTEN
from storekit import upgraded_from
from test_query_backends_agree import RECORDS, fill, rtype

DOCS = "SELECT number, doc::text FROM records WHERE repo = %s ORDER BY number"
TYPE = ("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'records'::regclass "
        "AND attname = 'doc'")


def test_the_upgrade_keeps_every_document_a_database_holds(postgres_url, test_database, monkeypatch):
    """Records written before the step (copied into a schema the step is not yet applied to) read the same
    after it, through the store, and are ``json`` holding the same values."""
    from engine.store.postgres import schema
    from engine.store.postgres.database import database
    from engine.store.postgres.store import PostgresStore
    filled = PostgresStore(rtype(), database(postgres_url), "test")
    fill(filled)
    before = [sql for _, sql in schema.steps()].index(AS_WRITTEN)
    with upgraded_from(test_database, monkeypatch, filled, AS_WRITTEN) as (db, upgrade):
        with db.connection() as conn:
            assert conn.execute(TYPE).fetchone()[0] == "jsonb"
            held = [(number, json.loads(text)) for number, text in conn.execute(DOCS, (filled.repo,))]
        assert upgrade()[0] == f"{before + 1}: record documents kept as written"
        with db.connection() as conn:
            assert conn.execute(TYPE).fetchone()[0] == "json"
            assert [(number, json.loads(text)) for number, text in conn.execute(DOCS, (filled.repo,))] == held
        opened = PostgresStore(rtype(), db, "test")
        every_record = Query(sort="reference", per_page=RECORDS)
        assert opened.query(every_record).records == filled.query(every_record).records
        assert len(held) == RECORDS


def test_a_document_is_kept_as_the_application_wrote_it(postgres_url):
    """The stored text is the document as written: the record's keys in the order it holds them (``jsonb``
    would order them shortest first), which is what a page reads back."""
    from engine.store.postgres.database import database
    from engine.store.postgres.store import PostgresStore
    from engine.store.postgres.writing import dumps
    store = PostgresStore(rtype(), database(postgres_url), "test")
    fill(store)
    record = store.query(Query(sort="reference", per_page=1)).records[0]
    store.update(record.reference, {**record.values, "title": "A title written again"}, user="ann",
                 expected_version=record.version)
    with store.db.connection() as conn:
        rows = conn.execute(DOCS, (store.repo,)).fetchall()
    for number, text in rows:
        doc = json.loads(text)
        assert text == dumps(doc)
        assert list(doc)[:3] == ["reference", "status", "created"]
    assert len(rows) == RECORDS
