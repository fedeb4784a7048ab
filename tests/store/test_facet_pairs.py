"""The counts under one filter PostgreSQL keeps (``pair_tables``): what counting the rows gives, through every
kind of write and from the upgrade that first fills them, and the pages that read them (one filter value,
several of a single-key field, the open/closed switch) answer as the embedded store does."""
from __future__ import annotations

import pytest

from engine.store.base import NewRecord, Query
from engine.store.index import STATUS, YEAR
from engine.store.postgres import pair_counts
from engine.store.postgres.pair_tables import PAIRS
from storekit import DIVISIONS, STAFF, both_stores
from test_query_backends_agree import RECORDS, USERS, fill, rtype, same, same_facets

RECOUNT = """
SELECT r.deleted, p.filter, p.filter_key, p.name, p.key, count(*) FROM records AS r
CROSS JOIN LATERAL facet_pairs(r.keys, r.facets) AS p WHERE r.repo = %s GROUP BY 1, 2, 3, 4, 5"""
KEPT = "SELECT deleted, filter, filter_key, name, key, count FROM facet_pair_counts WHERE repo = %s AND count <> 0"
#: Pages whose counts are kept, as a browse page asks them: (filters, state), on both pools.
KEPT_PAGES = [({"division": ("Surgery",)}, None), ({"division": ("Medicine", "Elsewhere")}, None),
              ({"staff": ("Nurses",)}, None), ({"keywords": ("falls",)}, None), ({"lead": ("ann lee",)}, None),
              ({"published": (True,)}, None), ({"published": (True, False)}, None),
              ({STATUS: ("Proposed", "Completed")}, None), ({"created_by": USERS}, None),
              ({YEAR: ("2020", "2024")}, None), ({"nonsense": ("x",)}, None), ({}, "open"), ({}, "closed")]
#: Pages counted from the rows: several keys a record may hold together, a range, two filters, a search.
COUNTED_PAGES = [({"staff": ("Nurses", "Doctors")}, None), ({"keywords": ("falls", "sepsis")}, None),
                 ({"cost": None}, None), ({"division": ("Surgery",)}, "open"),
                 ({"division": ("Surgery",), "staff": ("Nurses",)}, None)]
FACETS = ("status", "division", "staff", "keywords", "lead", "published", "started", "created_by", YEAR, "title")


def kept(store, sql: str = KEPT) -> set[tuple]:
    with store.db.connection() as conn:
        return set(conn.execute(sql, (store.repo,)).fetchall())


@pytest.fixture(scope="module")
def stores(test_database, tmp_path_factory):
    """Both stores filled alike, once for the module: filling the embedded one is slow. The test that
    writes comes last."""
    with both_stores(test_database, tmp_path_factory.mktemp("pairs"), rtype(), fill) as both:
        yield both


def queries(pages):
    ranged = rtype().field("cost")
    for filters, state in pages:
        filters = {name: wanted if wanted is not None else (ranged.kind.parse_filter(ranged, "10..500"),)
                   for name, wanted in filters.items()}
        for deleted in (False, True):
            yield Query(filters=filters, state=state, deleted=deleted, sort="reference", per_page=RECORDS)


def agree(stores) -> None:
    postgres = stores[1]
    for asked in queries(KEPT_PAGES):
        named = {name: () for name in (*asked.filters, *([" state"] if asked.state else []), "")}
        assert pair_counts.one_filter(postgres.rtype, asked, named) is not None, asked
        same(stores, asked)
        same_facets(stores, asked)
        assert sum(1 for _ in postgres.facets(asked, FACETS))


def test_pages_whose_counts_are_not_kept_are_counted_from_the_rows_alike(stores):
    for asked in queries(COUNTED_PAGES):
        named = {name: () for name in (*asked.filters, *([" state"] if asked.state else []), "")}
        assert pair_counts.one_filter(stores[1].rtype, asked, named) is None, asked
        same(stores, asked)
        same_facets(stores, asked)


def test_pages_under_one_filter_count_as_the_embedded_store_does_through_every_kind_of_write(stores):
    agree(stores)
    for store in stores:
        binned = store.query(Query(deleted=True, sort="reference", per_page=2)).records
        store.restore(binned[0].reference, user="admin")
        restored = store.get(binned[0].reference)
        store.update(restored.reference, {**restored.values, "division": "Surgery", "staff": list(STAFF)},
                     user="ann", expected_version=restored.version, status="Completed")
        store.delete(store.query(Query(sort="reference", per_page=1)).records[0].reference, user="admin")
        store.insert_many([NewRecord({"division": DIVISIONS[n % 3], "lead": "Ann Lee", "published": n % 2 == 0},
                                     status="Proposed") for n in range(30)], user="Bob")
    agree(stores)
    assert kept(stores[1]) == kept(stores[1], RECOUNT)


def test_the_upgrade_fills_the_counts_of_the_records_already_there(postgres_url, test_database, monkeypatch):
    """Records written before the step (copied, as they are, into a schema the step is not yet applied to)
    are counted by the step itself."""
    from engine.store.postgres import schema
    from engine.store.postgres.database import Database, database
    from engine.store.postgres.store import PostgresStore
    from engine.store.postgres.writing import RECORD_COLUMNS
    filled = PostgresStore(rtype(), database(postgres_url), "test")
    fill(filled)
    with filled.db.connection() as conn:
        source = conn.execute("SELECT current_schema()").fetchone()[0]
    every = schema.steps()
    before = [sql for _, sql in every].index(PAIRS)
    url = test_database.site()
    db = Database(url, upgrade=False)
    try:
        monkeypatch.setattr(schema, "steps", lambda: every[:before])
        schema.upgrade(db)
        columns = ", ".join(("repo", "number", *RECORD_COLUMNS))
        with db.connection() as conn:
            conn.execute("INSERT INTO repositories (id, instance, repository) VALUES (%s, 'test', 'qi-project')",
                         (filled.repo,))
            conn.execute(f"INSERT INTO records ({columns}) SELECT {columns} FROM {source}.records")
        monkeypatch.setattr(schema, "steps", lambda: every)
        assert schema.upgrade(db)[0].startswith(f"{before + 1}: ")
        with db.connection() as conn:
            recounted, kept_now = (set(conn.execute(sql, (filled.repo,)).fetchall()) for sql in (RECOUNT, KEPT))
        assert kept_now == recounted and kept_now == kept(filled) and len(kept_now) > 100
    finally:
        db.close()
        test_database.drop_site(url)
