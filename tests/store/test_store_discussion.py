"""The store contract for what sits beside records: comments, watchers, and workflow moves with their notes and
comments. Runs once per backend."""
from __future__ import annotations

from datetime import timezone

import pytest

from engine.errors import EditConflict, RecordNotFound
from engine.notify.notice import EMAIL, Notice
from engine.store.base import Move, NewRecord
from storekit import project


def notice(event: str = "commented") -> Notice:
    return Notice(event=event, channel=EMAIL, to="lead@example.nhs.uk", instance="trust", repository="qi-project")


def three(store) -> None:
    store.insert_many([NewRecord(project(number)) for number in (1, 2, 3)], user="ann")


# -- comments ----------------------------------------------------------------------------------------------------
def test_comments_are_listed_oldest_first_and_leave_the_record_as_it_was(store):
    three(store)
    before = store.get("QI-0001")
    first = store.add_comment("QI-0001", "Can we add the March audit?", user="bob")
    second = store.add_comment("QI-0001", "  Done <b>now</b>\n", user="ann")
    store.add_comment("QI-0002", "Another record's", user="cat")
    assert store.comments("QI-0001") == [first, second]
    assert (second.text, second.by, second.reference) == ("  Done <b>now</b>\n", "ann", "QI-0001")
    assert second.at.tzinfo is not None and second.at.utcoffset() == timezone.utc.utcoffset(None)
    assert first.id != second.id
    assert store.get("QI-0001") == before and len(store.history("QI-0001")) == 1
    assert store.comments("QI-0003") == []


def test_a_comment_on_a_missing_or_deleted_record_is_refused_and_queues_nothing(store):
    three(store)
    store.delete("QI-0002", user="ann")
    for reference in ("QI-0002", "QI-0042", "nonsense"):
        with pytest.raises(RecordNotFound):
            store.add_comment(reference, "Hello?", user="bob", notices=[notice()])
    assert store.outbox.deliveries() == [] and store.comments("QI-0002") == []


def test_a_comment_queues_its_notices_about_the_record_and_both_are_there_after_reopening(store_factory):
    store = store_factory()
    three(store)
    said = store.add_comment("QI-0003", "Looks good", user="bob", notices=[notice(), notice()])
    reopened = store_factory()
    assert reopened.comments("QI-0003") == [said]
    assert [d.notice.reference for d in reopened.outbox.deliveries()] == ["QI-0003", "QI-0003"]


# -- watchers ----------------------------------------------------------------------------------------------------
def test_watching_starts_and_stops_saying_whether_anything_changed(store_factory):
    store = store_factory()
    three(store)
    assert store.set_watching("QI-0002", "bob", True) is True
    assert store.set_watching("QI-0002", "bob", True) is False
    assert store.set_watching("QI-0001", "bob", True) and store.set_watching("QI-0002", "cat", True)
    assert store.watchers("QI-0002") == frozenset({"bob", "cat"}) and store.watchers("QI-0003") == frozenset()
    assert store.watched_by("bob") == ["QI-0001", "QI-0002"] and store.watched_by("dan") == []
    assert store.set_watching("QI-0002", "bob", False) is True
    assert store.set_watching("QI-0002", "bob", False) is False
    assert store.set_watching("QI-0003", "dan", False) is False
    reopened = store_factory()
    assert reopened.watchers("QI-0002") == frozenset({"cat"}) and reopened.watched_by("bob") == ["QI-0001"]
    assert reopened.set_watching("QI-0002", "bob", True) is True
    assert store.watchers("QI-0002") == frozenset({"bob", "cat"})       # the first store sees the other's save


def test_only_a_live_record_can_be_watched_but_a_watch_can_always_be_stopped(store):
    three(store)
    store.set_watching("QI-0001", "bob", True)
    store.delete("QI-0001", user="ann")
    for reference in ("QI-0001", "QI-0042"):
        with pytest.raises(RecordNotFound):
            store.set_watching(reference, "cat", True)
    assert store.set_watching("QI-0001", "bob", False) is True
    assert store.watched_by("bob") == [] and store.watched_by("cat") == []


# -- workflow saves: a note, a comment, moves --------------------------------------------------------------------
def test_an_action_keeps_its_note_and_comment_in_the_history(store_factory):
    store = store_factory()
    three(store)
    store.update("QI-0001", project(1), user="bob", expected_version=1, status="In progress", note="Start",
                 comment="Agreed at the March board")
    store.update("QI-0001", project(1, lead="Lead 9"), user="bob", expected_version=2)
    for opened in (store, store_factory()):
        versions = opened.history("QI-0001")
        assert [(v.note, v.comment) for v in versions] == [
            ("created", ""), ("Start", "Agreed at the March board"), ("edited", "")]
        assert [(c.name, c.old, c.new) for c in versions[1].changes] == [("status", "Proposed", "In progress")]


def test_a_comment_alone_makes_a_version(store):
    three(store)
    saved = store.update("QI-0001", project(1), user="bob", expected_version=1, note="Send back",
                         comment="Needs a measure")
    assert saved.version == 2 and store.history("QI-0001")[-1].comment == "Needs a measure"


def test_moves_make_a_version_of_each_other_record_with_its_note(store_factory):
    store = store_factory()
    three(store)
    saved = store.update("QI-0003", project(3), user="bob", expected_version=1, status="Completed",
                         note="Approve", moves=[Move("QI-0001", "Stopped", "Superseded by QI-0003"),
                                                Move("QI-0002", "Stopped", "Superseded by QI-0003")],
                         notices=[notice("action")])
    assert saved.status == "Completed" and saved.version == 2
    for opened in (store, store_factory()):
        for reference in ("QI-0001", "QI-0002"):
            moved = opened.get(reference)
            assert (moved.status, moved.version, moved.updated_by) == ("Stopped", 2, "bob")
            last = opened.history(reference)[-1]
            assert (last.note, last.comment) == ("Superseded by QI-0003", "")
            assert [(c.name, c.old, c.new) for c in last.changes] == [("status", "Proposed", "Stopped")]
            assert moved.values == project(int(reference[-1]))
        assert [d.notice.reference for d in opened.outbox.deliveries()] == ["QI-0003"]


def test_a_move_of_a_record_that_is_not_live_or_already_there_is_skipped(store):
    store.insert_many([NewRecord(project(number)) for number in (1, 2, 3, 4)], user="ann")
    store.update("QI-0002", project(2), user="ann", expected_version=1, status="Stopped")
    store.delete("QI-0003", user="ann")
    store.update("QI-0004", project(4), user="bob", expected_version=1, status="Completed", note="Approve",
                 moves=[Move("QI-0002", "Stopped", "Superseded"), Move("QI-0003", "Stopped", "Superseded"),
                        Move("QI-0042", "Stopped", "Superseded"), Move("QI-0004", "Stopped", "Superseded"),
                        Move("QI-0001", "Stopped", "Superseded"), Move("QI-0001", "Stopped", "Superseded")])
    assert [len(store.history(reference)) for reference in ("QI-0001", "QI-0002", "QI-0003", "QI-0004")] == \
        [2, 2, 2, 2]
    assert store.get("QI-0004").status == "Completed"
    assert store.get("QI-0003", include_deleted=True).status == "Proposed"


def test_a_save_in_conflict_makes_no_moves(store):
    three(store)
    store.update("QI-0003", project(3, lead="Lead 1"), user="ann", expected_version=1)
    with pytest.raises(EditConflict):
        store.update("QI-0003", project(3), user="bob", expected_version=1, status="Completed",
                     moves=[Move("QI-0001", "Stopped", "Superseded")], notices=[notice("action")])
    assert store.get("QI-0001").version == 1 and store.outbox.deliveries() == []


def test_comments_and_watchers_are_kept_through_compaction(store_factory):
    store = store_factory()
    three(store)
    said = store.add_comment("QI-0001", "Before", user="bob")
    store.set_watching("QI-0001", "bob", True)
    store.set_watching("QI-0002", "bob", True)
    store.set_watching("QI-0002", "bob", False)
    store.compact()
    later = store.add_comment("QI-0001", "After", user="cat")
    reopened = store_factory()
    assert reopened.comments("QI-0001") == [said, later]
    assert reopened.watched_by("bob") == ["QI-0001"] and reopened.watchers("QI-0002") == frozenset()


def test_watches_changed_by_two_stores_in_turn_read_the_same_everywhere(store_factory):
    import random
    first, second = store_factory(), store_factory()
    three(first)
    chooser = random.Random(7)
    expected: set[tuple[str, str]] = set()
    for _ in range(120):
        store = chooser.choice((first, second))
        watch = (f"QI-000{chooser.randint(1, 3)}", chooser.choice(("ann", "bob", "cat")))
        wanted = chooser.random() < 0.6
        assert store.set_watching(*watch, wanted) is ((watch in expected) != wanted)
        (expected.add if wanted else expected.discard)(watch)
        reader = chooser.choice((first, second))       # read between saves: what each save changed is carried
        assert reader.watchers(watch[0]) == {user for ref, user in expected if ref == watch[0]}
        assert reader.watched_by(watch[1]) == sorted(ref for ref, who in expected if who == watch[1])
    for opened in (first, second, store_factory()):
        for reference in ("QI-0001", "QI-0002", "QI-0003"):
            assert opened.watchers(reference) == {user for ref, user in expected if ref == reference}
        for user in ("ann", "bob", "cat"):
            assert opened.watched_by(user) == sorted(ref for ref, who in expected if who == user)


def test_moved_records_are_found_under_their_new_status(store):
    from engine.store.base import Query
    three(store)
    assert store.query(Query(filters={"status": ("Stopped",)})).total == 0       # the index is built now
    store.update("QI-0003", project(3), user="bob", expected_version=1, status="Completed",
                 moves=[Move("QI-0001", "Stopped", "Superseded")])
    found = store.query(Query(filters={"status": ("Stopped",)}))
    assert [record.reference for record in found.records] == ["QI-0001"]
    assert sorted(store.facets(Query(), ("status",))["status"]) == [("Completed", 1), ("Proposed", 1), ("Stopped", 1)]
