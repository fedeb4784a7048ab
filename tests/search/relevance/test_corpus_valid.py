"""The relevance corpus and its judgments are sound: every record is accepted by the engine's one write path
(so a broken record fails here, not in a search measurement), ids are unique, and every query judges
records that exist and has at least one clearly relevant record."""
from __future__ import annotations

from collections import Counter

import pytest

from corpus import build_project, load_records, read_corpus, read_queries
from engine.web.app import create_app

GRADES = {1, 2, 3}


@pytest.fixture(scope="module")
def corpus():
    return read_corpus()


@pytest.fixture(scope="module")
def queries():
    return read_queries()


def test_every_record_loads_through_the_write_path(tmp_path, corpus):
    build_project(tmp_path)
    app = create_app({"SCHEMAS": str(tmp_path / "schemas"), "INSTANCES": str(tmp_path / "instances"),
                      "DATA": str(tmp_path / "data"), "TESTING": True, "SECRET_KEY": "test"})
    site = app.extensions["repo_engine"]
    try:
        references = load_records(app)
        assert set(references) == {record["id"] for record in corpus["records"]}
        # References restart in each instance (QI-0001 in two instances), so they are unique per instance.
        assert max(Counter((record["instance"], references[record["id"]])
                           for record in corpus["records"]).values()) == 1
        for record in corpus["records"]:
            stored = site.store(site.repository(record["instance"], record["repository"])).get(
                references[record["id"]])
            assert stored.status == record["status"], record["id"]
    finally:
        site.close()


def test_record_ids_are_unique_and_well_formed(corpus):
    ids = [record["id"] for record in corpus["records"]]
    duplicates = [name for name, count in Counter(ids).items() if count > 1]
    assert not duplicates
    assert all(name == name.lower() and " " not in name for name in ids)
    assert len(ids) >= 150


def test_records_name_corpus_instances_and_their_repositories(corpus):
    instances = corpus["instances"]
    for record in corpus["records"]:
        assert record["repository"] in instances[record["instance"]]["repositories"], record["id"]
    readers = Counter(spec["access"]["read"] for spec in instances.values())
    assert readers["members"] == 1


def test_queries_judge_existing_records(corpus, queries):
    ids = {record["id"] for record in corpus["records"]}
    assert len(queries) >= 40
    texts = [query["q"] for query in queries]
    assert len(set(texts)) == len(texts)
    for query in queries:
        judged = query["judgments"]
        unknown = set(judged) - ids
        assert not unknown, f"{query['q']!r} judges unknown ids {sorted(unknown)}"
        assert set(judged.values()) <= GRADES, query["q"]
        assert any(grade >= 2 for grade in judged.values()), f"{query['q']!r} has no record graded 2 or 3"
