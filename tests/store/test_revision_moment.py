"""One reading of every revision per request (``database.moment``): the remembered pages of several
repositories, the records opened and the tables kept whole (accounts) are checked with one query, a save of
the request itself is seen by what it then asks for, and a save made anywhere else before the next request
is seen by that request."""
from __future__ import annotations

from dataclasses import replace

import pytest

from engine.errors import RecordNotFound
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


def test_a_save_elsewhere_before_the_moment_began_is_seen(here_and_elsewhere):
    here, elsewhere = here_and_elsewhere
    with moment():
        assert here.query(Query()).total == 0
    elsewhere.insert(project(1), user="bob")
    with moment():
        assert here.query(Query()).total == 1
        elsewhere.insert(project(2), user="bob")
    with moment():
        assert here.query(Query()).total == 2


def test_comments_and_watchers_remembered_are_read_again_after_a_save_on_another_server(here_and_elsewhere):
    here, elsewhere = here_and_elsewhere
    reference = here.insert(project(1), user="ann").reference
    assert here.comments(reference) == [] and here.watchers(reference) == frozenset()
    elsewhere.add_comment(reference, "Seen on ward 12", user="bob")
    elsewhere.set_watching(reference, "bob", True)
    assert [comment.text for comment in here.comments(reference)] == ["Seen on ward 12"]
    assert here.watchers(reference) == frozenset({"bob"})
    elsewhere.set_watching(reference, "bob", False)
    assert here.watchers(reference) == frozenset()


def test_a_kept_document_is_read_once_a_moment_and_a_change_elsewhere_in_the_next(postgres_url, monkeypatch):
    import psycopg
    from engine.access.accounts import Accounts
    from engine.store.places import InDatabase
    here = Accounts(InDatabase(database(postgres_url)))
    here.add("ann", name="Ann")
    asked = []
    execute = psycopg.Connection.execute

    def counted(self, sql, *args, **kwargs):
        asked.append(str(sql))
        return execute(self, sql, *args, **kwargs)

    def added_by_another_server(username: str) -> None:
        with psycopg.connect(postgres_url) as conn:
            conn.execute("UPDATE documents SET revision = revision + 1, body = jsonb_set(body, "
                         "ARRAY['users', %s], jsonb_build_object('name', %s::text)) WHERE name = 'accounts'",
                         (username, username.title()))
    monkeypatch.setattr(psycopg.Connection, "execute", counted)
    with moment():
        assert [here.get("ann").name, here.get("ann").name, len(here)] == ["Ann", "Ann", 1]
        assert len(asked) == 1                          # the moment's one reading of every revision
        added_by_another_server("bob")
        assert here.get("bob") is None                  # as the moment began
        here.add("cy", name="Cy")
        assert here.get("bob").name == "Bob" and here.get("cy").name == "Cy"   # its own change, seen at once
    added_by_another_server("dee")
    with moment():
        assert here.get("dee").name == "Dee"
    assert here.get("dee").name == "Dee"                # outside a moment: read each time


def test_a_record_opened_is_remembered_until_a_save_anywhere(here_and_elsewhere, monkeypatch):
    import psycopg
    here, elsewhere = here_and_elsewhere
    reference = here.insert(project(1), user="ann").reference
    read = []
    execute = psycopg.Connection.execute

    def counted(self, sql, *args, **kwargs):
        if "FROM records" in str(sql):
            read.append(sql)
        return execute(self, sql, *args, **kwargs)
    monkeypatch.setattr(psycopg.Connection, "execute", counted)
    with moment():
        first = here.get(reference)
        assert here.get(reference) == first and here.attachments(reference) == []
    with moment():
        assert here.get(reference) == first
    assert len(read) == 1                               # its page, its files, the next page: one reading
    revisions = []
    monkeypatch.setattr(Database, "revision", lambda *args: revisions.append(args))
    assert here.get(reference) == here.get(reference) == first and revisions == []
    assert len(read) == 3                               # outside a request: read afresh, no revision asked
    monkeypatch.undo()
    elsewhere.update(reference, {**first.values, "title": "Renamed elsewhere"}, user="bob", expected_version=1)
    with moment():
        assert (here.get(reference).version, here.get(reference).values["title"]) == (2, "Renamed elsewhere")
    elsewhere.delete(reference, user="bob")
    with moment():
        with pytest.raises(RecordNotFound):
            here.get(reference)
        assert here.get(reference, include_deleted=True).deleted
