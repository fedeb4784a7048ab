"""A search's best pages read from its words' lists (``search_topk``) are exactly what scoring every record
gives: the same records, order, scores and totals, on data made so that the best records lie deep in every
list, with many equal weights, and on random data. (That scoring every record gives the embedded store's
pages is tests/search/relevance/test_backends_agree.py's.)"""
from __future__ import annotations

import random

import pytest

from engine.store.base import Query
from engine.store.postgres import remembered, search_topk
from engine.store.postgres.database import database
from engine.store.postgres.store import PostgresStore
from storekit import project, qi_project

WORDS = ("alpha", "beta", "gamma", "delta")
FILLER = ("ward", "team", "audit", "patients", "weekly", "huddle", "data", "review")
QUERIES = ("alpha beta", "alpha beta gamma", "beta gamma delta", "alpha", "alph", "gamma ward", "delta audit")


def titles(rng: random.Random) -> list[tuple[str, str]]:
    """(title, summary) of each record: many that say one word often (first in its list, ties among
    them), a few that say two once in a long text (deep in both lists, yet the best for both words), and
    random ones."""
    made = [("alpha alpha alpha", "")] * 25 + [("beta beta beta", "")] * 25 + [("gamma gamma", "")] * 10
    made += [("Review", " ".join(rng.choices(FILLER, k=40)) + " alpha beta gamma") for _ in range(6)]
    for _ in range(90):
        title = " ".join(rng.choices(WORDS + FILLER, k=rng.randint(1, 5)))
        summary = " ".join(rng.choices(WORDS + FILLER, k=rng.randint(0, 30)))
        made.append((title, summary))
    rng.shuffle(made)
    return made


@pytest.fixture(scope="module")
def pg(test_database):
    """The records saved through the write path."""
    store = PostgresStore(qi_project(), database(test_database.site()), "topk")
    for number, (title, summary) in enumerate(titles(random.Random(5)), start=1):
        store.insert(project(number, title=title, summary=summary or None), user="ann")
    return store


def pages(store, q: str, per_page: int, **asked) -> list[tuple[int, list[tuple[str, float]]]]:
    """(total, [(reference, score)]) of the first three pages of the search, one in the middle, the last two
    and one past the end."""
    remembered._kept.pop(store, None)
    shown = []
    last = -(-store.query(Query(q=q, per_page=per_page, **asked)).total // per_page)
    for number in sorted({1, 2, 3, max(1, last // 2), max(1, last - 1), last, last + 1} - {0}):
        page = store.query(Query(q=q, page=number, per_page=per_page, **asked))
        shown.append((page.total, [(record.reference, page.scores[record.reference]) for record in page.records]))
    return shown


@pytest.mark.parametrize("q", QUERIES)
@pytest.mark.parametrize("per_page", [3, 10])
@pytest.mark.parametrize("asked", [{}, {"state": "open"}, {"filters": {"division": ("Surgery",)}}])
def test_the_best_pages_from_the_lists_are_every_records_scores(pg, monkeypatch, q, per_page, asked):
    answered = []
    taken = search_topk.rows
    monkeypatch.setattr(search_topk, "rows", lambda *args: answered.append(taken(*args)) or answered[-1])
    monkeypatch.setattr(search_topk, "WORTHWHILE", 10 ** 9)            # everything scored
    scored = pages(pg, q, per_page, **asked)
    assert answered and not any(answered)
    monkeypatch.setattr(search_topk, "WORTHWHILE", 0)                 # read from the lists, one record deep first
    monkeypatch.setattr(search_topk, "FIRST", 1)
    answered.clear()
    listed = pages(pg, q, per_page, **asked)
    assert any(rows is not None for rows in answered)
    assert listed == scored
    assert listed[0][0] > per_page and len(listed[0][1]) == per_page and not listed[-1][1]


def test_the_lists_give_up_past_the_deepest_and_everything_is_scored(pg, monkeypatch):
    monkeypatch.setattr(search_topk, "WORTHWHILE", 0)
    monkeypatch.setattr(search_topk, "FIRST", 1)
    monkeypatch.setattr(search_topk, "DEEPEST", 3)
    with pg.db.connection() as conn:
        from engine.search.parse import parse
        from engine.store.postgres import search_scoring
        searched = parse("alpha beta")
        made = search_scoring.plan(conn, pg.repo, searched)
        assert search_topk.rows(conn, made, searched, ("r.repo = %s AND NOT r.deleted", [pg.repo]), 0, 3) is None
        monkeypatch.setattr(search_topk, "DEEPEST", 50_000)
        rows = search_topk.rows(conn, made, searched, ("r.repo = %s AND NOT r.deleted", [pg.repo]), 0, 3)
    assert [row[1] for row in rows] == [r.reference for r in pg.query(Query(q="alpha beta", per_page=3)).records]


def test_a_real_below_is_the_next_single_precision_value():
    assert search_topk._below(1.0) == 0.99999994039535522
    assert search_topk._below(0.0) == 0.0
    assert search_topk._below(1.5) < 1.5 and float(search_topk._below(1.5)) == search_topk._below(1.5)
