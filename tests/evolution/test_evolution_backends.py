"""After the type changes, both backends filter, count, sort and search records saved before the change by
what they read as today, without anyone saving them again: the database derives its rows again when a store
first opens under the new type (``engine.store.postgres.rederiving``), once."""
from __future__ import annotations

import pytest

from engine.store.base import Query
from evolutionkit import NEW_FRAMEWORK, NEW_GROUP, OLD_FRAMEWORK, OLD_GROUP, after, before, old_record

BACKENDS = ("tinydb", "postgresql")


@pytest.fixture(params=BACKENDS)
def opener(request, tmp_path):
    """Opens a store of a given type on this test's own data (a folder, or a schema of the test database)."""
    opened = []
    if request.param == "postgresql":
        from engine.store.postgres.database import database
        from engine.store.postgres.store import PostgresStore
        db = database(request.getfixturevalue("postgres_url"))

        def open_store(rtype):
            return PostgresStore(rtype, db, "test")
    else:
        from engine.store.tinydb import TinyDBStore

        def open_store(rtype):
            return TinyDBStore(rtype, tmp_path)

    def opening(rtype):
        store = open_store(rtype)
        opened.append(store)
        return store
    yield opening
    for store in opened:
        store.close()


@pytest.fixture
def store(opener):
    """Eight records saved by the old type (each edited once), then the store opened under the new one."""
    old = opener(before())
    for number in range(1, 9):
        old.insert(old_record(number), user="ann")
    for number in range(1, 9):
        old.update(f"QI-{number:04d}", old_record(number, lessons_learned=f"Lesson {number}, revised"),
                   user="bob", expected_version=1)
    assert old.query(Query(filters={"methodology": (OLD_FRAMEWORK,)})).total == 2
    return opener(after())


def test_filters_facets_and_sort_see_only_today_s_values(store):
    found = store.query(Query(filters={"methodology": (NEW_FRAMEWORK,)}, sort="reference"))
    assert [r.reference for r in found.records] == ["QI-0004", "QI-0008"]
    assert store.query(Query(filters={"methodology": (OLD_FRAMEWORK,)})).total == 0
    assert store.query(Query(filters={"staff": (NEW_GROUP,)})).total == 4
    assert store.query(Query(filters={"staff": (OLD_GROUP,)})).total == 0
    facets = store.facets(Query(), ("methodology", "staff"))
    assert (NEW_FRAMEWORK, 2) in facets["methodology"] and OLD_FRAMEWORK not in dict(facets["methodology"])
    assert dict(facets["staff"]) == {NEW_GROUP: 4, "Nurses": 4, "Doctors": 4}
    under_one = store.facets(Query(filters={"methodology": (NEW_FRAMEWORK,)}), ("staff",))
    assert dict(under_one["staff"]) == {"Doctors": 2}
    by_lessons = store.query(Query(sort="-lessons", per_page=3))
    assert [r.reference for r in by_lessons.records] == ["QI-0008", "QI-0007", "QI-0006"]


def test_search_finds_words_of_a_renamed_field_and_renamed_choices(store):
    assert store.query(Query(q="revised night staff")).total == 8
    assert {r.reference for r in store.query(Query(q="support workers", per_page=50)).records} == \
        {f"QI-{n:04d}" for n in (1, 3, 5, 7)}


def test_the_database_derives_its_rows_once_per_change_of_type(postgres_url):
    from engine.store.postgres import rederiving
    from engine.store.postgres.database import database
    from engine.store.postgres.store import PostgresStore
    db = database(postgres_url)
    old = PostgresStore(before(), db, "test")
    old.insert(old_record(4), user="ann")
    assert rederiving.bring_up_to_date(old) is False
    new = PostgresStore(after(), db, "test")            # derived again as it opened
    assert rederiving.bring_up_to_date(new) is False
    assert PostgresStore(after(), db, "test").query(Query(filters={"methodology": (NEW_FRAMEWORK,)})).total == 1
    assert rederiving.bring_up_to_date(PostgresStore(before(), db, "test")) is False    # and back, once
    assert old.query(Query(filters={"methodology": (OLD_FRAMEWORK,)})).total == 1
