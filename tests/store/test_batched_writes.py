"""A save on PostgreSQL holds back what needs no answer (a new record's row, its version, its search rows, the
revision) and sends it with the commit (``writing.Batched``): what it then asks sees what it held back, a
new record's save is two round trips under the repository's lock, and a held-back statement that fails
undoes the whole save, the reference counter and the search's counts with it."""
from __future__ import annotations

import psycopg
import pytest

from engine.store.base import NewRecord, Query
from engine.store.postgres.database import database
from engine.store.postgres.store import PostgresStore
from engine.store.postgres.writing import Batched
from storekit import project, qi_project


@pytest.fixture
def store(postgres_url):
    return PostgresStore(qi_project(), database(postgres_url), "one")


def test_what_is_asked_sees_what_was_held_back_in_order(store):
    with store.db.connection() as conn:
        batched = Batched(conn)
        batched.execute("CREATE TEMP TABLE held (n int)")
        for n in (1, 2, 3):
            batched.later("INSERT INTO held VALUES (%s)", (n,))
        batched.later("UPDATE held SET n = n * 10 WHERE n = 2", ())
        assert batched.execute("SELECT n FROM held ORDER BY n").fetchall() == [(1,), (3,), (20,)]
        batched.later("DELETE FROM held WHERE n = 1", ())
        with batched.cursor() as cursor:                   # any other use of the connection sends them too
            assert cursor.execute("SELECT count(*) FROM held").fetchone() == (2,)


def test_a_new_record_is_sent_in_one_go_after_the_lock(store, monkeypatch):
    # The first save indexes the whole repository, as does one that finds it doubled: not the one looked at.
    store.insert_many([NewRecord(project(number)) for number in (1, 2, 3)], user="ann")
    sent: list[tuple[str, bool]] = []               # (what, inside a pipeline: sent without waiting for it)
    execute, commit = psycopg.Connection.execute, psycopg.Connection.commit

    def executed(self, sql, *args, **kwargs):
        sent.append((" ".join(str(sql).split())[:60], self._pipeline is not None))
        return execute(self, sql, *args, **kwargs)

    def committed(self):
        sent.append(("COMMIT", self._pipeline is not None))
        return commit(self)
    monkeypatch.setattr(psycopg.Connection, "execute", executed)
    monkeypatch.setattr(psycopg.Connection, "commit", committed)
    store.insert(project(4), user="ann")
    lock = next(place for place, (what, _) in enumerate(sent) if what.startswith("SELECT greatest"))
    after = sent[lock + 1:]
    assert [what for what, _ in after if what.startswith("INSERT INTO records")]
    assert ("COMMIT", True) in after                # (the pool's own commit after it finds nothing open)
    waited = [what for what, batched in after if not batched and what != "COMMIT"]
    assert waited == [], f"sent on their own, each waited for: {waited}"
    monkeypatch.undo()
    assert store.query(Query(q="sepsis")).total == 3        # projects 1, 2 and 4


def test_a_held_back_statement_that_fails_undoes_the_whole_save(store):
    first = store.insert(project(1), user="ann")
    with store.db.connection() as conn:
        before = _state(conn, store.repo)
        conn.execute("CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
                     "$$ BEGIN RAISE EXCEPTION 'history refused'; END $$")
        conn.execute("CREATE TRIGGER refuse BEFORE INSERT ON history FOR EACH ROW EXECUTE FUNCTION refuse()")
    with pytest.raises(psycopg.Error, match="history refused"):
        store.insert(project(2), user="ann")
    with store.db.connection() as conn:
        assert _state(conn, store.repo) == before
        conn.execute("DROP TRIGGER refuse ON history")
    assert [record.reference for record in store.iter_all()] == [first.reference]
    assert store.insert(project(3), user="ann").reference == "QI-0002"      # the number was not used up


def _state(conn, repo: int) -> tuple:
    """Everything a save of a new record changes: rows, versions, counter, revision, search and counts."""
    return conn.execute(
        "SELECT (SELECT count(*) FROM records WHERE repo = %(r)s), (SELECT count(*) FROM history WHERE repo = %(r)s),"
        " (SELECT (next_reference, revision)::text FROM repositories WHERE id = %(r)s),"
        " (SELECT records FROM search_repositories WHERE repo = %(r)s),"
        " (SELECT count(*) FROM search_terms WHERE repo = %(r)s),"
        " (SELECT sum(records) FROM search_dictionary WHERE repo = %(r)s),"
        " (SELECT sum(count) FROM facet_counts WHERE repo = %(r)s)", {"r": repo}).fetchone()
