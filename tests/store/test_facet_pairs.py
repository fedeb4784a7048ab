"""The counts under one filter PostgreSQL keeps (``pair_tables``): what counting the rows gives, through every
kind of write, from the upgrade that first fills them and when a type's facets change, only for the facets
people filter by, and the pages that read them (one filter value, several of a single-key field, the
open/closed switch) answer as the embedded store does."""
from __future__ import annotations

from dataclasses import replace

import pytest

from engine.store.base import NewRecord, Query
from engine.store.index import STATUS, YEAR
from engine.store.postgres import pair_counts
from engine.store.postgres.pair_tables import PAIRS
from storekit import DIVISIONS, STAFF, both_stores, upgraded_from
from test_query_backends_agree import RECORDS, USERS, fill, same, same_facets
from test_query_backends_agree import rtype as every_field_type

#: The counts of the facets a repository pairs, from its rows (NULL: every facet, before a store names them).
RECOUNT = """
SELECT r.deleted, p.filter, p.filter_key, p.name, p.key, count(*) FROM records AS r
JOIN repositories AS s ON s.id = r.repo CROSS JOIN LATERAL facet_pairs(r.keys, r.facets, s.paired) AS p
WHERE r.repo = %s GROUP BY 1, 2, 3, 4, 5"""
KEPT = "SELECT deleted, filter, filter_key, name, key, count FROM facet_pair_counts WHERE repo = %s AND count <> 0"
#: The facets the test type's pages show (its listing's), of every kind of field that has facets.
PAIRED = ("status", "division", "staff", "keywords", "lead", "published", "created_by", YEAR)
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


def rtype(facets: tuple[str, ...] = PAIRED):
    """The type of ``test_query_backends_agree`` with ``facets`` as its listing's."""
    every = every_field_type()
    return replace(every, listing=replace(every.listing, facets=facets))


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
    postgres, counted = stores[1], 0
    for asked in queries(KEPT_PAGES):
        named = {name: () for name in (*asked.filters, *([" state"] if asked.state else []), "")}
        assert pair_counts.one_filter(postgres.rtype, asked, named, PAIRED) is not None, asked
        same(stores, asked)
        same_facets(stores, asked)
        embedded, kept_counts = (store.facets(asked, PAIRED) for store in stores)
        assert tidy(kept_counts) == tidy(embedded), asked
        counted += sum(map(len, kept_counts.values()))
    assert counted > 100


def tidy(counts):
    """Keys that differ only in case with equal counts may come either way round in the embedded store."""
    return {name: sorted(pairs, key=lambda pair: (-pair[1], pair[0].casefold(), pair[0]))
            for name, pairs in counts.items()}


def test_pages_whose_counts_are_not_kept_are_counted_from_the_rows_alike(stores):
    for asked in queries(COUNTED_PAGES):
        named = {name: () for name in (*asked.filters, *([" state"] if asked.state else []), "")}
        assert pair_counts.one_filter(stores[1].rtype, asked, named) is None, asked
        same(stores, asked)
        same_facets(stores, asked)
    for asked in queries(KEPT_PAGES[:1]):           # a facet not paired asked of a page that is
        named = {"division": (), "": ()}
        assert pair_counts.one_filter(stores[1].rtype, asked, named, ("started",)) is None
        embedded, postgres = (store.facets(asked, ("started", "title")) for store in stores)
        assert tidy(postgres) == tidy(embedded) and postgres["started"]


def test_only_the_facets_pages_show_are_counted_under_a_filter_and_a_change_of_them_counts_afresh(postgres_url):
    from engine.store.postgres.database import database
    from engine.store.postgres.store import PostgresStore
    store = PostgresStore(rtype(("division", "staff")), database(postgres_url), "test")
    fill(store)
    filters = {"division", "staff", "keywords", "lead", "published", STATUS, "created_by", YEAR}
    assert {row[1] for row in kept(store)} == filters            # every filter a facet's keys make
    assert {row[3] for row in kept(store)} == {"", "division", "staff", STATUS}
    assert kept(store) == kept(store, RECOUNT)
    reopened = PostgresStore(rtype(("keywords", "lead")), database(postgres_url), "test")
    assert {row[3] for row in kept(reopened)} == {"", "keywords", "lead", STATUS}
    assert kept(reopened) == kept(reopened, RECOUNT)
    reopened.insert({"keywords": ["falls"], "lead": "Ann Lee", "division": "Surgery"}, user="ann")
    assert kept(reopened) == kept(reopened, RECOUNT)
    asked = Query(filters={"keywords": ("falls",)}, sort="reference", per_page=RECORDS)
    from_pairs, from_rows = reopened.facets(asked, ("lead",)), reopened.facets(asked, ("lead", "started"))
    assert from_pairs["lead"] == from_rows["lead"] and from_pairs["lead"]


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
    from engine.store.postgres.database import database
    from engine.store.postgres.store import PostgresStore
    filled = PostgresStore(rtype(), database(postgres_url), "test")
    fill(filled)
    before = [sql for _, sql in schema.steps()].index(PAIRS)
    with upgraded_from(test_database, monkeypatch, filled, PAIRS) as (db, upgrade):
        assert upgrade()[0].startswith(f"{before + 1}: ")
        with db.connection() as conn:
            recounted, kept_now = (set(conn.execute(sql, (filled.repo,)).fetchall()) for sql in (RECOUNT, KEPT))
        assert kept_now == recounted and len(kept_now) > 100        # every facet's, until a store names them
        opened = PostgresStore(rtype(), db, "test")
        assert kept(opened) == kept(filled) and kept(opened) < kept_now


#: Each record's pairs as schema version 8 made them (every filter key with the facet terms listed again).
PAIRS_BEFORE = """
SELECT r.number, f.key, k.key, t.name, t.key FROM records AS r JOIN repositories AS s ON s.id = r.repo
CROSS JOIN LATERAL jsonb_each(r.keys) AS f CROSS JOIN LATERAL jsonb_array_elements_text(f.value) AS k(key)
CROSS JOIN LATERAL facet_terms(r.facets) AS t
WHERE r.repo = %s AND r.facets ? f.key AND t.name <> f.key AND (s.paired IS NULL OR t.name = '' OR t.name = ANY (s.paired))"""
PAIRS_NOW = """
SELECT r.number, p.* FROM records AS r JOIN repositories AS s ON s.id = r.repo
CROSS JOIN LATERAL facet_pairs(r.keys, r.facets, s.paired) AS p WHERE r.repo = %s"""


@pytest.mark.parametrize("paired", [PAIRED, None])
def test_each_record_pairs_as_before_with_its_facet_terms_listed_once(postgres_url, paired):
    """Schema version 10 (``TERMS_ONCE``) makes every record's pairs, each as many times, as version 8 did,
    for a repository that names its facets and for one that does not yet (every facet)."""
    from engine.store.postgres.database import database
    from engine.store.postgres.store import PostgresStore
    store = PostgresStore(rtype(), database(postgres_url), "test")
    fill(store)
    with store.db.connection() as conn:
        conn.execute("UPDATE repositories SET paired = %s WHERE id = %s", (paired and list(paired), store.repo))
        before, now = (sorted(conn.execute(sql, (store.repo,)).fetchall()) for sql in (PAIRS_BEFORE, PAIRS_NOW))
    assert now == before and len(now) > 10 * RECORDS
