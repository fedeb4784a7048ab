"""The sort indexes (``sort_indexes``): made when a store first opens, one per field a listing sorts by, built
again when a build was interrupted, once when two servers start together; a page sorted by a field is read
through its index, and in the order the embedded store gives, empty values last, both ways, on every page."""
from __future__ import annotations

import threading
from dataclasses import replace

import pytest

from engine.schema.model import Listing
from engine.store.base import Query
from engine.store.postgres import clauses, sort_indexes
from storekit import field, qi_project
from test_query_backends_agree import RECORDS, SORTS, same, stores  # noqa: F401 - ``stores`` is a fixture

VALID = """SELECT c.relname, i.indisvalid FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid
WHERE c.relnamespace = current_schema()::regnamespace AND c.relname LIKE 'records_sort_%'"""


def built(db) -> dict[str, bool]:
    with db.connection() as conn:
        return dict(conn.execute(VALID).fetchall())


def expected(*names: str) -> dict[str, bool]:
    return {sort_indexes.index_name(name): True for name in names}


@pytest.fixture(params=["in a transaction", "concurrently"])
def db(request, postgres_url, monkeypatch):
    """A site's database, its records indexed as a few are (in a transaction) or as many are (CONCURRENTLY)."""
    from engine.store.postgres.database import database
    if request.param == "concurrently":
        monkeypatch.setattr(sort_indexes, "SMALL", 0)
    return database(postgres_url)


def test_a_store_opening_indexes_the_fields_its_listing_sorts_by(db):
    from engine.store.postgres.store import PostgresStore
    rtype = replace(qi_project(), listing=Listing(columns=("reference", "title", "division", "status", "updated",
                                                           "created_by", "nonsense"),
                                                  facets=("status",), sort="-started"))
    assert sort_indexes.sorted_fields(rtype) == ("started", "title", "division", "created_by")
    PostgresStore(rtype, db, "test")
    assert built(db) == expected("started", "title", "division", "created_by")
    assert sort_indexes.ensure(db, rtype) == []         # nothing more to do at the next start


def test_an_index_an_interrupted_build_left_invalid_is_built_again(db):
    from engine.store.postgres.store import PostgresStore
    PostgresStore(qi_project(), db, "test")
    with db.connection() as conn:       # as a killed CREATE INDEX CONCURRENTLY leaves it
        conn.execute("UPDATE pg_index SET indisvalid = false WHERE indexrelid = %s::regclass",
                     (sort_indexes.index_name("title"),))
    assert built(db)[sort_indexes.index_name("title")] is False
    assert sort_indexes.ensure(db, qi_project()) == ["title"]
    assert built(db) == expected("title", "division")


def test_a_server_finding_another_building_goes_on_and_two_starting_together_build_once(db, postgres_url):
    import psycopg
    rtype = qi_project()
    with psycopg.connect(postgres_url, autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s, hashtext(current_schema()))", (sort_indexes.BUILD_LOCK,))
        assert sort_indexes.ensure(db, rtype) == [] and built(db) == {}
    start, made, failed = threading.Barrier(3), [], []

    def server():
        start.wait()
        try:
            made.append(sort_indexes.ensure(db, rtype))
        except Exception as error:          # noqa: BLE001 - any error fails the test below
            failed.append(error)
    servers = [threading.Thread(target=server) for _ in range(3)]
    for one in servers:
        one.start()
    for one in servers:
        one.join()
    assert not failed
    assert sorted(map(len, made))[-1] == 2 and sum(map(len, made)) == 2     # built by one of them
    assert built(db) == expected("title", "division")


@pytest.mark.parametrize("sort", ["title", "-title", "-created_by"])
def test_a_first_page_sorted_by_a_field_is_read_through_its_index(stores, sort):  # noqa: F811
    postgres = stores[1]
    if sort.lstrip("-") not in sort_indexes.sorted_fields(postgres.rtype):
        with psycopg_autocommit(postgres.db.url) as conn:
            sort_indexes._build(conn, sort.lstrip("-"), leftover=False, concurrently=True)
    chosen = clauses.where({"": clauses.pool(postgres.repo, False)})
    text, params = clauses.page_of(postgres.rtype, sort, "r.number", chosen, 0, 25)
    with postgres.db.connection() as conn:
        conn.execute("ANALYZE records")
        for scan in ("seqscan", "bitmapscan", "sort", "parallel_append"):    # what a small table prefers
            conn.execute(f"SET LOCAL enable_{scan} = off")
        plan = "\n".join(line for line, in conn.execute(f"EXPLAIN {text}", params))
    assert sort_indexes.index_name(sort.lstrip("-")) in plan and "Sort" not in plan, plan


def psycopg_autocommit(url: str):
    import psycopg
    return psycopg.connect(url, autocommit=True)


@pytest.mark.parametrize("sort", [name for name in SORTS if name not in ("reference", "status", "created",
                                                                          "updated", "version", "nonsense")])
def test_every_page_sorted_by_a_field_either_way_is_the_embedded_stores(stores, sort):  # noqa: F811
    for asked in (sort, f"-{sort}"):
        for page in range(1, RECORDS // 25 + 2):
            same(stores, Query(sort=asked, page=page, per_page=25))
        for page in (1, 2, 3):
            same(stores, Query(sort=asked, page=page, per_page=11, deleted=True))
            same(stores, Query(sort=asked, page=page, per_page=11, filters={"division": ("Surgery",)}))


def test_a_field_whose_name_is_no_identifier_sorts_alike(store_factory):
    odd = field("it's 100%s", "text", "Odd")
    rtype = replace(qi_project(), fields=(*qi_project().fields, odd),
                    listing=Listing(columns=("reference", odd.name), facets=("status",), sort=odd.name))
    opened = store_factory(rtype)
    for number, text in enumerate(("b", None, "a", "c", None, "a")):
        opened.insert({"title": f"t{number}", **({odd.name: text} if text else {})}, user="ann")
    orders = {sort: [r.values.get("title") for r in opened.query(Query(sort=sort, per_page=3, page=2)).records]
              for sort in (odd.name, f"-{odd.name}")}
    assert orders == {odd.name: ["t3", "t1", "t4"], f"-{odd.name}": ["t2", "t1", "t4"]}
