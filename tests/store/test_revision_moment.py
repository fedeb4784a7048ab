"""One reading of every repository's revision per request (``database.moment``): the remembered pages of
several repositories are checked with one query, a save of the request itself is seen by the pages it then
asks for, and a save made anywhere else before the next request is seen by that request."""
from __future__ import annotations

from dataclasses import replace

from engine.store.base import Query
from engine.store.postgres.database import Database, database, moment
from engine.store.postgres.store import PostgresStore
from storekit import project, qi_project


def test_within_a_moment_the_revisions_are_read_once_and_a_save_of_it_is_seen(postgres_url, monkeypatch):
    db = database(postgres_url)
    first = PostgresStore(qi_project(), db, "one")
    second = PostgresStore(replace(qi_project(), name="other-type"), db, "two")
    queries = []
    import psycopg
    execute = psycopg.Connection.execute

    def counted(self, sql, *args, **kwargs):
        if "FROM repositories" in str(sql) and "revision" in str(sql):
            queries.append(sql)
        return execute(self, sql, *args, **kwargs)
    monkeypatch.setattr(psycopg.Connection, "execute", counted)
    with moment():
        before = (first.revision(), second.revision(), first.revision())
        assert len(queries) == 1
        first.insert(project(1), user="ann")
        assert first.revision() != before[0]            # its own save, seen at once
        assert first.query(Query()).total == 1


def test_a_save_elsewhere_before_the_moment_began_is_seen(postgres_url):
    here = PostgresStore(qi_project(), database(postgres_url), "one")
    elsewhere = PostgresStore(qi_project(), Database(postgres_url), "one")      # another server's pool
    with moment():
        assert here.query(Query()).total == 0
    elsewhere.insert(project(1), user="bob")
    with moment():
        assert here.query(Query()).total == 1
        elsewhere.insert(project(2), user="bob")
    with moment():
        assert here.query(Query()).total == 2
    elsewhere.db.close()


def test_comments_and_watchers_remembered_are_read_again_after_a_save_on_another_server(postgres_url):
    here = PostgresStore(qi_project(), database(postgres_url), "one")
    elsewhere = PostgresStore(qi_project(), Database(postgres_url), "one")
    reference = here.insert(project(1), user="ann").reference
    assert here.comments(reference) == [] and here.watchers(reference) == frozenset()
    elsewhere.add_comment(reference, "Seen on ward 12", user="bob")
    elsewhere.set_watching(reference, "bob", True)
    assert [comment.text for comment in here.comments(reference)] == ["Seen on ward 12"]
    assert here.watchers(reference) == frozenset({"bob"})
    elsewhere.set_watching(reference, "bob", False)
    assert here.watchers(reference) == frozenset()
    elsewhere.db.close()
