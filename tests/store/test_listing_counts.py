"""The facet counts PostgreSQL keeps for a whole pool (``listing_tables``) stay what counting the rows gives,
through every kind of write: imports, edits, moves, deletes and restores."""
from __future__ import annotations

import pytest

from engine.store.base import Query
from test_query_backends_agree import RECORDS, fill, rtype

RECOUNT = """
SELECT r.deleted, t.name, t.key, count(*) FROM records AS r CROSS JOIN LATERAL facet_terms(r.facets) AS t
WHERE r.repo = %s GROUP BY 1, 2, 3"""
KEPT = "SELECT deleted, name, key, count FROM facet_counts WHERE repo = %s AND count <> 0"


@pytest.fixture
def store(postgres_url):
    from engine.store.postgres.database import database
    from engine.store.postgres.store import PostgresStore
    opened = PostgresStore(rtype(), database(postgres_url), "test")
    yield opened
    opened.close()


def counts(store, sql: str) -> set[tuple]:
    with store.db.connection() as conn:
        return set(conn.execute(sql, (store.repo,)).fetchall())


def test_kept_counts_are_the_rows_counted_after_every_kind_of_write(store):
    fill(store)         # an import, then edits with moves, then deletes
    assert counts(store, KEPT) == counts(store, RECOUNT)
    binned = store.query(Query(deleted=True, sort="reference", per_page=2)).records
    store.restore(binned[0].reference, user="admin")
    restored = store.get(binned[0].reference)
    store.update(restored.reference, {**restored.values, "division": "Surgery", "keywords": ["new"]},
                 user="ann", expected_version=restored.version, status="Completed")
    store.delete(store.query(Query(sort="reference", per_page=1)).records[0].reference, user="admin")
    assert counts(store, KEPT) == counts(store, RECOUNT)
    live = store.query(Query(per_page=1)).total
    assert live + store.query(Query(deleted=True, per_page=1)).total == RECORDS
    assert live == store.count()
