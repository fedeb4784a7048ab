"""The documents a process's pages showed (``shown``): read once while their repository is unchanged, read
again after a write on any server, and bounded for the whole process by their size."""
from __future__ import annotations

import psycopg

from engine.store.base import NewRecord, Query
from engine.store.postgres import listing, shown
from engine.store.postgres.database import moment
from engine.store.postgres.shown import Shown
from storekit import project


def doc(number: int) -> tuple[str, dict, int]:
    return f"QI-{number}", {"reference": f"QI-{number}"}, 100


def test_kept_documents_are_taken_at_their_revision_only():
    kept = Shown(budget=1000)
    kept.keep("site", 1, {1: doc(1), 2: doc(2)})
    assert kept.take("site", 1, [1, 2, 3]) == {1: doc(1)[:2], 2: doc(2)[:2]}
    assert kept.take("other site", 1, [1]) == {}
    assert kept.take("site", 2, [1, 2]) == {} and kept.size == 0        # another revision: all forgotten
    kept.keep("site", 2, {3: doc(3)})
    assert kept.take("site", 2, [1, 3]) == {3: doc(3)[:2]}


def test_past_the_budget_the_least_recently_shown_go_first():
    kept = Shown(budget=300)
    kept.keep("one", 1, {1: doc(1), 2: doc(2)})
    kept.keep("two", 7, {1: doc(1)})
    assert kept.take("one", 1, [1]) == {1: doc(1)[:2]}                  # 1 of "one" shown again: now the newest
    kept.keep("two", 7, {2: doc(2)})
    assert kept.size == 300
    assert set(kept.take("one", 1, [1, 2])) == {1}                     # 2 of "one" was the oldest
    assert set(kept.take("two", 7, [1, 2])) == {1, 2}
    kept.keep("one", 1, {9: ("QI-9", {}, 301)})                         # larger than the whole budget: not kept
    assert kept.size == 300 and kept.take("one", 1, [9]) == {}


def test_keeping_a_document_again_counts_its_size_once():
    kept = Shown(budget=1000)
    for _ in range(3):
        kept.keep("site", 1, {1: doc(1)})
    assert kept.size == 100
    kept.take("site", 2, [])
    assert kept.size == 0


def test_a_page_read_again_reads_no_documents_until_a_write_anywhere(here_and_elsewhere, monkeypatch):
    here, elsewhere = here_and_elsewhere
    for number in range(1, 8):
        here.insert(project(number, title=f"Project {number}"), user="ann")
    read = []
    execute = psycopg.Connection.execute

    def counted(self, sql, *args, **kwargs):
        if "doc" in str(sql) and "FROM records" in str(sql):
            read.append(str(sql))
        return execute(self, sql, *args, **kwargs)
    monkeypatch.setattr(psycopg.Connection, "execute", counted)
    pages = [Query(page=number, per_page=3, sort="title") for number in (1, 2, 3)]

    def titles() -> list[list[str]]:
        with moment():
            return [[record.values["title"] for record in here.query(page).records] for page in pages]
    first = titles()
    assert first == [["Project 1", "Project 2", "Project 3"], ["Project 4", "Project 5", "Project 6"],
                     ["Project 7"]]
    assert len(read) == len(pages)                      # each page's documents read with its order...
    assert titles() == first and titles() == first
    assert len(read) == len(pages)                      # ... and kept
    reference = here.query(Query(sort="title")).records[1].reference
    current = here.get(reference)
    elsewhere.update(reference, {**current.values, "title": "Project 2, renamed"}, user="bob",
                     expected_version=current.version)
    before = len(read)
    assert titles()[0] == ["Project 1", "Project 2, renamed", "Project 3"]
    assert len(read) > before


def test_outside_a_request_the_revision_is_read_for_each_page_so_a_write_elsewhere_shows(here_and_elsewhere, monkeypatch):
    here, elsewhere = here_and_elsewhere
    kept = Shown()
    monkeypatch.setattr(shown, "SHOWN", kept)
    reference = here.insert(project(1, title="Before"), user="ann").reference
    assert [record.values["title"] for record in here.query(Query()).records] == ["Before"]
    assert kept.size > 0
    current = elsewhere.get(reference)
    elsewhere.update(reference, {**current.values, "title": "After"}, user="bob", expected_version=current.version)
    assert [record.values["title"] for record in here.query(Query()).records] == ["After"]


def test_a_deep_page_reads_the_documents_of_the_next_pages_with_its_own(here_and_elsewhere, monkeypatch):
    here, _ = here_and_elsewhere
    per_page = 10
    here.insert_many([NewRecord(project(number, title=f"Project {number:03}")) for number in range(1, 201)],
                     user="ann")
    first_deep = listing.DEEP // per_page + 1
    read: list[int] = []
    execute = psycopg.Connection.execute

    def counted(self, sql, params=None, *args, **kwargs):
        if "doc::text FROM records" in str(sql) and "ANY" in str(sql):
            read.append(len(params[1]))
        return execute(self, sql, params, *args, **kwargs)
    monkeypatch.setattr(psycopg.Connection, "execute", counted)

    def titles(page: int) -> list[str]:
        with moment():
            return [record.values["title"]
                    for record in here.query(Query(page=page, per_page=per_page, sort="title")).records]
    for offset in range(listing.AHEAD + 2):
        page = first_deep + offset
        assert titles(page) == [f"Project {number:03}" for number in range((page - 1) * per_page + 1,
                                                                          page * per_page + 1)]
    assert read == [per_page * (1 + listing.AHEAD)] * 2     # the page and the next ones; then from the next
