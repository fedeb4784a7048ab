"""Browsing through the Store contract: free text, filters per field type, open/closed, sort, paging, facets.

Twelve projects (storekit.project 1..12) are stored; each table row names a query and the references that
must come back, in order.
"""
from __future__ import annotations

import pytest

from engine.fields.dates import read_date_filter
from engine.store.base import Query
from storekit import project


@pytest.fixture
def twelve(store):
    for number in range(1, 13):
        store.insert(project(number), user=f"user{number % 2}",
                     status=("Proposed", "In progress", "Completed", "Stopped")[number % 4])
    return store


def refs(page) -> list[int]:
    return [int(record.reference[3:]) for record in page.records]


def numbers(predicate) -> list[int]:
    return [n for n in range(1, 13) if predicate(project(n))]


FILTERS = [
    ("a choice", {"division": ("Surgery",)}, lambda p: p["division"] == "Surgery"),
    ("two values of one field are OR-ed", {"division": ("Surgery", "Medicine")},
     lambda p: p["division"] in ("Surgery", "Medicine")),
    ("two fields are AND-ed", {"division": ("Surgery",), "published": (True,)},
     lambda p: p["division"] == "Surgery" and p["published"]),
    ("a multichoice holds the value", {"staff": ("Pharmacists",)}, lambda p: "Pharmacists" in p["staff"]),
    ("a tag in any case", {"keywords": ("FALLS",)}, lambda p: "falls" in p["keywords"]),
    ("a boolean", {"published": (False,)}, lambda p: not p["published"]),
    ("a year", {"started": (read_date_filter("2022"),)}, lambda p: p["started"].startswith("2022")),
    ("a date range", {"started": (read_date_filter("2021-01-01..2022-06-30"),)},
     lambda p: "2021-01-01" <= p["started"] <= "2022-06-30"),
    ("an unknown field matches nothing", {"nonsense": ("x",)}, lambda p: False),
]


@pytest.mark.parametrize("filters, wanted", [(f, w) for _, f, w in FILTERS], ids=[n for n, _, _ in FILTERS])
def test_filters(twelve, filters, wanted):
    page = twelve.query(Query(filters=filters, sort="reference", per_page=50))
    assert refs(page) == numbers(wanted) and page.total == len(numbers(wanted))


def test_a_status_filter_and_the_open_and_closed_states(twelve):
    assert refs(twelve.query(Query(filters={"status": ("Completed",)}, sort="reference"))) == [2, 6, 10]
    assert refs(twelve.query(Query(state="closed", sort="reference"))) == [2, 3, 6, 7, 10, 11]
    assert refs(twelve.query(Query(state="open", sort="reference"))) == [1, 4, 5, 8, 9, 12]


def test_a_filter_on_who_created_a_record_finds_only_theirs_and_follows_writes(twelve):
    """The 'My submissions' page asks this of every repository, so it must come from the index."""
    mine = Query(filters={"created_by": ("user1",)}, sort="reference", per_page=50)
    assert refs(twelve.query(mine)) == [1, 3, 5, 7, 9, 11]
    surgery = Query(filters={"created_by": ("user1",), "division": ("Surgery",)}, sort="reference")
    assert refs(twelve.query(surgery)) == [n for n in (1, 3, 5, 7, 9, 11) if project(n)["division"] == "Surgery"]
    assert twelve.query(Query(filters={"created_by": ("nobody",)})).total == 0
    twelve.delete("QI-0003", user="admin")
    twelve.update("QI-0005", project(5, title="Edited"), user="user0", expected_version=1)
    twelve.insert(project(13), user="user1")
    assert refs(twelve.query(mine)) == [1, 5, 7, 9, 11, 13]      # an edit by someone else keeps the creator
    assert dict(twelve.facets(Query(), ("created_by",))["created_by"]) == {"user0": 6, "user1": 6}


def test_iter_all_walks_every_page_of_a_query_in_its_order(twelve):
    newest_first = [r.reference for r in twelve.iter_all(Query(filters={"created_by": ("user0",)},
                                                                sort="-reference", per_page=2))]
    assert newest_first == [f"QI-{n:04d}" for n in (12, 10, 8, 6, 4, 2)]
    assert [r.reference for r in twelve.iter_all()] == [f"QI-{n:04d}" for n in range(1, 13)]

@pytest.mark.parametrize("q, found, first", [
    ("falls", {3, 6, 9, 12}, None),
    ("FALLS prevention", {3, 6, 9, 12}, None),
    ("falling", {3, 6, 9, 12}, None),                  # stemmed: fall, falls, falling
    ("sepsis project 11", set(range(1, 13)), 11),      # every project matches; the one with every word first
    ("qi-0007", {7}, 7),                              # the reference is searchable
    ("QI-7 sepsis", {1, 2, 4, 5, 7, 8, 10, 11}, 7),
    ("falls sepsis", set(range(1, 13)), None),         # not every word needs to match
    ("nothing like this", set(), None),
])
def test_free_text_search_ranks_records_matching_more_words_first(twelve, q, found, first):
    page = twelve.query(Query(q=q, per_page=50))
    assert set(refs(page)) == found and page.total == len(found)
    if first is not None:
        assert refs(page)[0] == first


def test_a_search_ranks_by_relevance_unless_a_sort_is_asked_for(twelve):
    ranked = refs(twelve.query(Query(q="sepsis project", per_page=50)))
    assert set(ranked[:8]) == {1, 2, 4, 5, 7, 8, 10, 11}           # both words before one of them
    assert refs(twelve.query(Query(q="sepsis project", sort="reference", per_page=50))) == list(range(1, 13))


def test_search_combines_with_filters(twelve):
    found = twelve.query(Query(q="falls", filters={"division": ("Medicine",)}, sort="reference"))
    assert refs(found) == [n for n in (3, 6, 9, 12) if project(n)["division"] == "Medicine"]


@pytest.mark.parametrize("sort, wanted", [
    ("reference", list(range(1, 13))),
    ("-reference", list(range(12, 0, -1))),
    ("cost", list(range(1, 13))),
    ("-cost", list(range(12, 0, -1))),
    ("started", sorted(range(1, 13), key=lambda n: (project(n)["started"], n))),
    ("title", sorted(range(1, 13), key=lambda n: (project(n)["title"].casefold(), n))),
    ("status", sorted(range(1, 13), key=lambda n: (n % 4, n))),
    ("division", sorted(range(1, 13), key=lambda n: (n % 3, n))),   # in the order the choices are listed
])
def test_sorting(twelve, sort, wanted):
    assert refs(twelve.query(Query(sort=sort, per_page=50))) == wanted


def test_records_without_a_value_sort_last_either_way(twelve):
    twelve.update("QI-0004", project(4, cost=None), user="ann", expected_version=1)
    assert refs(twelve.query(Query(sort="cost", per_page=50)))[-1] == 4
    assert refs(twelve.query(Query(sort="-cost", per_page=50)))[-1] == 4


def test_the_default_sort_is_the_listing_s_most_recently_updated_first(twelve):
    twelve.update("QI-0005", project(5, title="Renamed"), user="ann", expected_version=1)
    assert refs(twelve.query(Query()))[:2] == [5, 12]


def test_paging(twelve):
    pages = [twelve.query(Query(sort="reference", page=n, per_page=5)) for n in (1, 2, 3, 4)]
    assert [refs(p) for p in pages] == [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10], [11, 12], []]
    assert {(p.total, p.pages) for p in pages} == {(12, 3)}
    filtered = twelve.query(Query(filters={"published": (True,)}, sort="-reference", page=2, per_page=4))
    assert refs(filtered) == [4, 2] and filtered.total == 6


@pytest.mark.parametrize("sort", ["title", "-title", "cost", "-cost", "reference"])
@pytest.mark.parametrize("filters", [{}, {"published": (True,)}])
def test_every_page_is_its_slice_of_the_whole_ordered_list_and_follows_edits(twelve, sort, filters):
    """The first pages stop walking the order early; later ones slice an ordered list kept per query."""
    def pages() -> list[list[int]]:
        return [refs(twelve.query(Query(filters=filters, sort=sort, page=n, per_page=2))) for n in range(1, 8)]
    whole = refs(twelve.query(Query(filters=filters, sort=sort, per_page=50)))
    assert pages() == [whole[start:start + 2] for start in range(0, 14, 2)]
    twelve.update("QI-0004", project(4, title="Aardvark", cost=1), user="ann", expected_version=1)
    whole = refs(twelve.query(Query(filters=filters, sort=sort, per_page=50)))
    assert pages() == [whole[start:start + 2] for start in range(0, 14, 2)]


def test_facet_counts_most_frequent_first(twelve):
    counts = twelve.facets(Query(), ("division", "status", "staff", "keywords"))
    assert counts["division"] == [("Medicine", 4), ("Surgery", 4), ("Women and Children", 4)]
    assert counts["status"] == [("Completed", 3), ("In progress", 3), ("Proposed", 3), ("Stopped", 3)]
    assert counts["keywords"] == [("sepsis", 8), ("audit", 4), ("falls", 4)]
    staff = dict(counts["staff"])
    assert sum(staff.values()) == sum(len(project(n)["staff"]) for n in range(1, 13))


def test_facet_counts_leave_out_their_own_filter_but_apply_the_others(twelve):
    query = Query(filters={"division": ("Surgery",), "published": (True,)})
    counts = twelve.facets(query, ("division", "published"))
    published = [n for n in range(1, 13) if project(n)["published"]]
    assert dict(counts["division"])["Surgery"] == len([n for n in published if project(n)["division"] == "Surgery"])
    assert sum(c for _, c in counts["division"]) == len(published)
    surgery = [n for n in range(1, 13) if project(n)["division"] == "Surgery"]
    assert sum(c for _, c in counts["published"]) == len(surgery)


def test_facets_follow_search_and_ignore_deleted_records(twelve):
    twelve.delete("QI-0003", user="admin")
    counts = twelve.facets(Query(q="falls"), ("division",))
    assert sum(c for _, c in counts["division"]) == 3


def test_queries_see_new_and_changed_records_at_once(twelve):
    assert twelve.query(Query(filters={"division": ("Surgery",)})).total == 4
    twelve.update("QI-0003", project(3, division="Surgery"), user="ann", expected_version=1)
    twelve.insert(project(13, division="Surgery"), user="ann")
    assert twelve.query(Query(filters={"division": ("Surgery",)})).total == 6
    assert dict(twelve.facets(Query(), ("division",))["division"])["Surgery"] == 6


def test_searching_again_with_one_more_word_keeps_the_best_match_first(twelve):
    assert refs(twelve.query(Query(q="qi-0007"))) == [7]
    assert refs(twelve.query(Query(q="qi-0007 sepsis")))[0] == 7
    assert refs(twelve.query(Query(q="falls", sort="reference"))) == [3, 6, 9, 12]
