"""A search's total and facet counts are the embedded store's on PostgreSQL however the database counts them:
for a word every record holds (the counts kept for the whole pool, or under one filter, answer), a word
most records hold beside a rarer one, and with filters, the switch and the bin."""
from __future__ import annotations

import pytest

from engine.store.base import NewRecord, Query
from storekit import DIVISIONS, STAFF, both_stores, qi_project

FACETS = ("status", "division", "staff", "keywords", "lead")
SEARCHES = ("project", "project sepsis", "project 7", "sepsis", "project -sepsis", "falls project audit")
ASKED = ({}, {"filters": {"division": ("Surgery",)}}, {"state": "open"}, {"deleted": True},
         {"filters": {"staff": ("Nurses",), "division": ("Medicine",)}})


def values(number: int) -> dict:
    return {"title": f"Project {number} on {('falls', 'sepsis', 'audit')[number % 3]}",
            "division": DIVISIONS[number % 3], "staff": [STAFF[number % 3]] if number % 4 else list(STAFF),
            "keywords": ["sepsis"] if number % 5 == 0 else [], "lead": f"Lead {number % 4}"}


@pytest.fixture(scope="module")
def stores(test_database, tmp_path_factory):
    with both_stores(test_database, tmp_path_factory.mktemp("counts"), qi_project(), fill) as both:
        yield both


def fill(store) -> None:
    statuses = store.rtype.status_names
    store.insert_many([NewRecord(values(n), status=statuses[n % len(statuses)]) for n in range(1, 61)], user="a")
    for number in (3, 10, 11):
        store.delete(f"QI-{number:04d}", user="a")


@pytest.mark.parametrize("q", SEARCHES)
@pytest.mark.parametrize("asked", ASKED, ids=lambda asked: ",".join(asked) or "plain")
def test_the_same_total_records_and_facet_counts(stores, q, asked):
    embedded, postgres = stores
    query = Query(q=q, per_page=100, **asked)
    expected, found = embedded.query(query), postgres.query(query)
    assert found.total == expected.total, query
    assert {r.reference for r in found.records} == {r.reference for r in expected.records}
    tidy = lambda counts: {name: sorted(pairs) for name, pairs in counts.items()}     # noqa: E731
    assert tidy(postgres.facets(query, FACETS)) == tidy(embedded.facets(query, FACETS)), query


def test_a_word_every_record_holds_is_counted_from_the_kept_counts(stores, monkeypatch):
    """Nothing scans the rows: the kept counts give the same numbers."""
    from engine.store.postgres import listing
    _, postgres = stores
    scans = []
    real = listing._tally
    monkeypatch.setattr(listing, "_tally", lambda conn, store, query, named, names, counts: (
        scans.append(" q" in named), real(conn, store, query, named, names, counts)))
    postgres.facets(Query(q="project 12", filters={"division": ("Surgery",)}), FACETS)
    assert scans and not any(scans)
