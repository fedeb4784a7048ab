"""The embedded store and PostgreSQL answer a search alike: the same records in the same order, the same
scores, snippets and "Did you mean", on the relevance corpus and the queries staff type (queries.yaml) plus
every kind of query the syntax has.

The corpus is loaded once through the embedded store's write path; its stored documents are then copied
into a PostgreSQL schema as a site moved into the database is (``bulk``), and indexed there by ``rebuild``.
"""
from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from corpus import read_queries
from measure import corpus_app

from engine.search.parse import parse
from engine.search.suggest import suggestion as embedded_suggestion
from engine.store.base import Query
from engine.store.documents import reference_number
from engine.store.postgres import search
from engine.store.postgres.bulk import copy_rows, record_rows, RECORD_COLUMNS
from engine.store.postgres.database import Database
from engine.store.postgres.store import PostgresStore

#: Beside queries.yaml: phrases, the thesaurus, OR, excluded words, prefixes, references, misspellings, a
#: long question (at least half its words), and queries that find nothing.
MORE = ['"pressure ulcer"', '"bay nursing"', "bed sores", "VTE", "hemoglobin", "falls OR sepsis", "falls -night",
        '-"bay nursing" falls', "-falls", "physio", "deli", "sepsi", "QI-0003", "qi-3 falls", "CA-0001 sepsis",
        "GL-9999", "sepssis", "delirim screening", "pressure ulcre", "reducing the number of older patients who "
        "fall at night on the medical wards", '"did not attend" clinic', "Parkinson’s", "the", "zzzz qqqq"]
QUERIES = [query["q"] for query in read_queries()] + MORE


def stored(store) -> dict:
    """The embedded store's documents by reference, in the order its index reads them."""
    return store._disk.current().docs


def corpus_in_both(root, url):
    """The corpus in the embedded store, copied into PostgreSQL and indexed there: (site, database, pairs
    of (embedded store, PostgreSQL stand-in store)) of each corpus repository."""
    app, _ = corpus_app(root)
    site = app.extensions["repo_engine"]
    db = Database(url)
    pairs = []
    for hosted in site.repositories.values():
        store = site.store(hosted)
        docs = list(stored(store).values())
        if not docs:
            continue
        repo = db.repository(hosted.instance.name, hosted.name)
        with db.connection() as conn:
            copy_rows(conn, "records", RECORD_COLUMNS, record_rows(hosted.rtype, repo, docs))
            search.rebuild(conn, hosted.rtype, repo)
        listing = PostgresStore(hosted.rtype, db, hosted.instance.name)
        pairs.append((store, SimpleNamespace(rtype=hosted.rtype, db=db, repo=repo, store=listing)))
    return site, db, pairs


@pytest.fixture(scope="module")
def both(tmp_path_factory, test_database):
    site, db, pairs = corpus_in_both(tmp_path_factory.mktemp("agree"), test_database.site())
    yield pairs, site.project.thesaurus
    db.close()
    site.close()


@pytest.fixture(scope="module")
def edited(tmp_path_factory, test_database):
    """The corpus after edits, deletions and a restore, made on the embedded store once its index is built
    (so that it is carried forward), and written to PostgreSQL's rows and index as its write path does."""
    site, db, pairs = corpus_in_both(tmp_path_factory.mktemp("edited"), test_database.site())
    for embedded, pg in pairs:
        references = list(stored(embedded))
        writes = [lambda reference=reference: _longer_title(embedded, reference) for reference in references[1:4]]
        writes += [lambda reference=reference: embedded.delete(reference, user="ed") for reference in references[4:6]]
        writes.append(lambda: embedded.restore(references[5], user="ed"))
        for write in writes:
            embedded.prepare_search()       # read between writes, so that the index is carried forward
            write()
        with pg.store.write() as write:     # the write path indexes the rows again, as a save would
            for reference in references[1:6]:
                doc = stored(embedded)[reference]
                number = reference_number(reference)
                write.conn.execute("UPDATE records SET doc = %s::jsonb, deleted = %s WHERE repo = %s AND number = %s",
                                   (json.dumps(doc), bool(doc.get("deleted")), pg.repo, number))
                write.reindex(number, doc)
    yield pairs, site.project.thesaurus
    db.close()
    site.close()


def ranked(pg, searched, deleted: bool = False) -> list[tuple[str, float]]:
    """(reference, score) of the live (or deleted) records PostgreSQL finds, as the listing orders them."""
    with pg.db.connection() as conn:
        text, params = search.found_sql(conn, pg.rtype, pg.repo, searched)
        return conn.execute(f"SELECT r.reference, f.score FROM records r JOIN ({text}) AS f ON f.number = r.number "
                            "WHERE r.repo = %s AND r.deleted = %s ORDER BY f.score DESC, r.number DESC",
                            [*params, pg.repo, deleted]).fetchall()


def assert_same_ranking(pairs, searched) -> None:
    for embedded, pg in pairs:
        page = embedded.query(Query(q=searched.text, search=searched, per_page=10_000))
        expected = [(record.reference, page.scores[record.reference]) for record in page.records]
        found = ranked(pg, searched)
        assert [ref for ref, _ in found] == [ref for ref, _ in expected], pg.rtype.name
        assert [score for _, score in found] == pytest.approx([score for _, score in expected], abs=1e-9)
        bin_page = embedded.query(Query(q=searched.text, search=searched, per_page=10_000, deleted=True))
        assert [ref for ref, _ in ranked(pg, searched, deleted=True)] == [r.reference for r in bin_page.records]


def _longer_title(embedded, reference: str) -> None:
    record = embedded.get(reference)
    title = f"{record.values.get('title', '')} and falls at night, bed sores and sepsis"
    embedded.update(reference, {**record.values, "title": title}, user="ed", expected_version=record.version)


@pytest.mark.parametrize("q", QUERIES)
def test_the_same_records_in_the_same_order_with_the_same_scores(both, q):
    pairs, thesaurus = both
    assert_same_ranking(pairs, parse(q, thesaurus))


@pytest.mark.parametrize("q", QUERIES)
def test_after_edits_and_deletions_still_the_same(edited, q):
    pairs, thesaurus = edited
    assert_same_ranking(pairs, parse(q, thesaurus))


@pytest.mark.parametrize("q", QUERIES)
@pytest.mark.parametrize("corpus", ["both", "edited"])
def test_the_same_snippets_and_suggestions(request, corpus, q):
    pairs, thesaurus = request.getfixturevalue(corpus)
    searched = parse(q, thesaurus)
    for embedded, pg in pairs:
        page = embedded.query(Query(q=q, search=searched, per_page=10))
        made = search.snippets(None, pg, searched, page.records)
        assert dict(made) == dict(page.snippets)
        with pg.db.connection() as conn:
            assert search.suggestion(conn, pg, searched) == embedded_suggestion(embedded._index().search(), searched)


@pytest.mark.parametrize("q", QUERIES)
@pytest.mark.parametrize("corpus", ["both", "edited"])
def test_a_ranked_list_shows_the_same_pages(request, corpus, q):
    """Page by page, as the listing reads them (where one word is common, its records in the order of its
    weights, only as far as a page needs: ``search_ranked``): the same records, order and total, in the live
    records, the bin, and the open ones."""
    pairs, thesaurus = request.getfixturevalue(corpus)
    searched = parse(q, thesaurus)
    for embedded, pg in pairs:
        for asked in ({}, {"deleted": True}, {"state": "open"}):
            whole = embedded.query(Query(q=q, search=searched, per_page=10_000, **asked))
            expected = [record.reference for record in whole.records]
            last = max(1, -(-len(expected) // 3))
            for number in sorted({1, 2, 3, last - 1, last} - {0}):
                page = pg.store.query(Query(q=q, search=searched, page=number, per_page=3, **asked))
                assert page.total == whole.total, (pg.rtype.name, asked, number)
                assert [record.reference for record in page.records] == expected[(number - 1) * 3:number * 3], \
                    (pg.rtype.name, asked, number)


def test_the_corpus_has_several_repositories_and_every_record(both):
    pairs, _ = both
    assert len(pairs) >= 4
    for embedded, pg in pairs:
        with pg.db.connection() as conn:
            indexed = conn.execute("SELECT records FROM search_repositories WHERE repo = %s", (pg.repo,)).fetchone()
        assert indexed[0] == embedded.count() and all(reference_number(r.reference) for r in embedded.iter_all())


@pytest.mark.parametrize("q", QUERIES)
@pytest.mark.parametrize("corpus", ["both", "edited"])
def test_pages_read_best_first_from_the_words_lists_are_the_same(request, corpus, q, monkeypatch):
    """As above, with every search taken best first from its words' lists, however few records they find,
    and read from one record deep (``search_topk``): so the bounds, the deepening and the records holding
    every clause all decide the pages, which must still be the embedded store's, scores and all."""
    from engine.store.postgres import remembered, search_scoring, search_topk
    monkeypatch.setattr(search_topk, "WORTHWHILE", 0)
    monkeypatch.setattr(search_topk, "FIRST", 1)
    answered = []
    taken = search_topk.rows
    monkeypatch.setattr(search_topk, "rows", lambda *args: answered.append(taken(*args)) or answered[-1])
    pairs, thesaurus = request.getfixturevalue(corpus)
    searched = parse(q, thesaurus)
    simple = searched.at_least <= 1 and not searched.excluded and not searched.references
    expected_used = False
    for embedded, pg in pairs:
        remembered._kept.pop(pg.store, None)
        for asked in ({}, {"state": "open"}):
            whole = embedded.query(Query(q=q, search=searched, per_page=10_000, **asked))
            expected = [(record.reference, whole.scores[record.reference]) for record in whole.records]
            last = max(1, -(-len(expected) // 3))
            for number in sorted({1, 2, last} - {0}):
                page = pg.store.query(Query(q=q, search=searched, page=number, per_page=3, **asked))
                assert page.total == whole.total, (pg.rtype.name, asked, number)
                assert [(record.reference, page.scores[record.reference]) for record in page.records] == \
                    expected[(number - 1) * 3:number * 3], (pg.rtype.name, asked, number)
            with pg.db.connection() as conn:
                words = search_scoring.plan(conn, pg.repo, searched).words
            expected_used |= simple and bool(words) and whole.total > 0
    assert any(rows is not None for rows in answered) == expected_used, answered
