"""The outbox contract: notices written in the same write as the change that caused them, queued once by key,
claimed by one sender at a time with a lease, then sent, retried, given up or sent again. Runs once per backend."""
from __future__ import annotations

import multiprocessing
import threading
from datetime import datetime, timedelta, timezone

import pytest

from engine.errors import EditConflict, ValidationFailed
from engine.notify.notice import EMAIL, FAILED, PENDING, SENDING, SENT, WEBHOOK, Notice
from engine.store.base import NewRecord
from storekit import project

FORK = multiprocessing.get_context("fork")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
LEASE = timedelta(minutes=5)


def notice(to: str = "ann@example.nhs.uk", **keys) -> Notice:
    return Notice(event=keys.pop("event", "submitted"), channel=keys.pop("channel", EMAIL), to=to,
                  instance="trust", repository="qi-project", **keys)


def claim(store, holder: str = "sender-1", now: datetime = NOW, limit: int = 50):
    return store.outbox.claim(holder=holder, now=now, lease=LEASE, limit=limit)


def test_a_notice_written_with_a_new_record_names_it_and_is_there_after_reopening(store_factory):
    store = store_factory()
    made = store.insert_many([NewRecord(project(1), notices=[notice(title="Falls")]),
                              NewRecord(project(2), notices=[notice("bob@example.nhs.uk"), notice(channel=WEBHOOK,
                                                                                             to="TEAMS_URL")])],
                             user="ann")
    reopened = store_factory()
    queued = reopened.outbox.deliveries()
    assert sorted((d.notice.reference, d.notice.to) for d in queued) == [
        (made[0].reference, "ann@example.nhs.uk"), (made[1].reference, "TEAMS_URL"),
        (made[1].reference, "bob@example.nhs.uk")]
    assert {(d.state, d.attempts, d.error) for d in queued} == {(PENDING, 0, "")}
    assert next(d for d in queued if d.notice.to == "ann@example.nhs.uk").notice.title == "Falls"


def test_deliveries_are_listed_newest_first_and_by_state(store):
    store.outbox.queue([notice("first@x")])
    store.outbox.queue([notice("second@x"), notice("third@x")])
    assert [d.notice.to for d in store.outbox.deliveries()] == ["third@x", "second@x", "first@x"]
    taken = claim(store, limit=1)
    assert [d.notice.to for d in taken] == ["first@x"]      # the oldest due is sent first
    assert [d.notice.to for d in store.outbox.deliveries([SENDING])] == ["first@x"]
    assert [d.notice.to for d in store.outbox.deliveries([PENDING, SENT])] == ["third@x", "second@x"]


def test_a_create_that_is_refused_queues_nothing(store):
    with pytest.raises(ValidationFailed):
        store.insert_many([NewRecord(project(1), notices=[notice()]),
                           NewRecord(project(2, cost=float("nan")), notices=[notice()])], user="ann")
    assert store.outbox.deliveries() == [] and store.count() == 0


def test_an_edit_in_conflict_queues_nothing(store):
    store.insert(project(1), user="ann")
    store.update("QI-0001", project(1, lead="Lead 9"), user="bob", expected_version=1)
    with pytest.raises(EditConflict):
        store.update("QI-0001", project(1, lead="Lead 8"), user="cat", expected_version=1, notices=[notice()])
    assert store.outbox.deliveries() == []


def test_an_edit_queues_its_notices_about_the_record(store):
    store.insert(project(1), user="ann")
    store.update("QI-0001", project(1, lead="Lead 9"), user="bob", expected_version=1,
                 notices=[notice(event="edited"), notice(event="edited", reference="QI-0099")])
    assert sorted(d.notice.reference for d in store.outbox.deliveries()) == ["QI-0001", "QI-0099"]


def test_an_edit_that_changes_nothing_writes_no_notices(store):
    store.insert(project(1), user="ann")
    store.update("QI-0001", project(1), user="bob", expected_version=1, notices=[notice(event="edited")])
    assert store.outbox.deliveries() == []


def test_a_repeated_create_does_not_queue_its_notices_again(store):
    from engine.store.base import Idempotency
    asked = Idempotency("key-1", "fingerprint")
    for _ in range(2):
        store.insert_many([NewRecord(project(1), idempotency=asked, notices=[notice()])], user="ann")
    assert len(store.outbox.deliveries()) == 1


def test_a_notice_with_a_key_is_queued_once_and_one_without_a_key_every_time(store_factory):
    store = store_factory()
    reminder = dict(event="review_due", key="review:QI-0001:2026-04-01:30")
    assert store.outbox.queue([notice(**reminder), notice(**reminder), notice(), notice()]) == 3
    assert store.outbox.has_key(reminder["key"]) and not store.outbox.has_key("review:QI-0001:2026-04-01:0")
    assert not store.outbox.has_key("")
    other = store_factory()         # another process, with what it read before
    assert other.outbox.queue([notice(**reminder), notice()]) == 1
    store.outbox.delivered(claim(store)[0].id, now=NOW)
    assert store.outbox.queue([notice(**reminder)]) == 0         # sent is still queued once
    assert len(store.outbox.deliveries()) == 4


def test_the_same_notice_is_never_queued_twice(store):
    once = notice()
    assert store.outbox.queue([once, once]) == 1
    assert store.outbox.queue([once]) == 0
    assert len(store.outbox.deliveries()) == 1


def test_a_claim_takes_due_deliveries_for_its_holder_until_the_lease_ends(store):
    store.outbox.queue([notice("a@x"), notice("b@x"), notice("c@x")])
    taken = claim(store, limit=2)
    assert [d.notice.to for d in taken] == ["a@x", "b@x"]
    assert {(d.state, d.holder) for d in taken} == {(SENDING, "sender-1")}
    assert all(d.claimed_until.startswith("2026-03-02T09:05:00") for d in taken)
    assert [d.notice.to for d in claim(store, "sender-2")] == ["c@x"]
    assert claim(store, "sender-3") == []
    assert {d.holder for d in store.outbox.deliveries()} == {"sender-1", "sender-2"}


def test_an_expired_lease_is_claimed_again_by_the_next_sender(store):
    store.outbox.queue([notice()])
    first = claim(store, "killed")
    assert claim(store, "next", now=NOW + LEASE) == []          # not yet past the lease
    again = claim(store, "next", now=NOW + LEASE + timedelta(seconds=1))
    assert [d.id for d in again] == [first[0].id] and again[0].holder == "next"


def test_a_delivered_notice_is_sent_and_never_claimed_again(store):
    store.outbox.queue([notice()])
    taken = claim(store)
    store.outbox.delivered(taken[0].id, now=NOW + timedelta(seconds=3))
    sent = store.outbox.deliveries()[0]
    assert (sent.state, sent.attempts) == (SENT, 0) and sent.sent_at.startswith("2026-03-02T09:00:03")
    assert claim(store, now=NOW + timedelta(days=1)) == []


def test_a_failed_try_is_retried_after_its_backoff_then_given_up(store):
    store.outbox.queue([notice()])
    taken = claim(store)
    store.outbox.failed(taken[0].id, "SMTP 451 try later", now=NOW, retry_at=NOW + timedelta(minutes=1))
    waiting = store.outbox.deliveries()[0]
    assert (waiting.state, waiting.attempts, waiting.error) == (PENDING, 1, "SMTP 451 try later")
    assert claim(store, now=NOW + timedelta(seconds=59)) == []
    retried = claim(store, now=NOW + timedelta(minutes=1))
    assert [d.id for d in retried] == [taken[0].id]
    store.outbox.failed(taken[0].id, "SMTP 550 no such user", now=NOW, retry_at=None)
    given_up = store.outbox.deliveries([FAILED])
    assert [(d.attempts, d.error) for d in given_up] == [(2, "SMTP 550 no such user")]
    assert claim(store, now=NOW + timedelta(days=30)) == []


def test_a_failed_delivery_sent_again_is_due_now_keeping_its_attempts_and_error(store):
    store.outbox.queue([notice()])
    taken = claim(store)
    store.outbox.failed(taken[0].id, "refused", now=NOW, retry_at=None)
    assert store.outbox.resend(taken[0].id) is True
    again = store.outbox.deliveries()[0]
    assert (again.state, again.attempts, again.error, again.next_at) == (PENDING, 1, "refused", "")
    assert [d.id for d in claim(store)] == [taken[0].id]
    assert store.outbox.resend(taken[0].id) is False        # a sender holds it now
    assert store.outbox.resend("no-such-notice") is False


def test_two_stores_on_one_folder_never_claim_the_same_delivery(store_factory):
    first, second = store_factory(), store_factory()
    first.outbox.queue([notice(f"{n}@x") for n in range(40)])
    claimed: list[list[str]] = [[], []]

    def sender(store, into: list[str]) -> None:
        for _ in range(40):         # bounded: a claim that hands out held deliveries must fail, not hang
            taken = store.outbox.claim(holder=str(id(into)), now=NOW, lease=LEASE, limit=3)
            if not taken:
                return
            into.extend(d.id for d in taken)
    threads = [threading.Thread(target=sender, args=(store, into)) for store, into in zip((first, second), claimed)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    every = claimed[0] + claimed[1]
    assert len(every) == len(set(every)) == 40
    # Turn by turn, each store seeing the other's claims before its own:
    first.outbox.queue([notice(f"{n}@y") for n in range(4)])
    turns = [claim(store, limit=1) for store in (first, second, first, second, first)]
    assert [len(taken) for taken in turns] == [1, 1, 1, 1, 0]
    assert len({taken[0].id for taken in turns if taken}) == 4


def _claim_all(open_store, holder: str, sender) -> None:
    store = open_store()
    for _ in range(60):
        taken = store.outbox.claim(holder=holder, now=NOW, lease=LEASE, limit=2)
        if not taken:
            break
        for delivery in taken:
            sender.send(delivery.id)
    sender.close()


def test_senders_in_several_processes_never_claim_the_same_delivery(store_factory):
    store = store_factory()
    store.outbox.queue([notice(f"{n}@x") for n in range(60)])
    pipes = [FORK.Pipe(duplex=False) for _ in range(3)]
    children = [FORK.Process(target=_claim_all, args=(store_factory, f"process-{n}", pipes[n][1]))
                for n in range(3)]
    for child in children:
        child.start()
    claimed = []
    for child, (receiver, sender) in zip(children, pipes):
        sender.close()
        while True:
            try:
                claimed.append(receiver.recv())
            except EOFError:
                break
        child.join(30)
        assert child.exitcode == 0
    assert len(claimed) == len(set(claimed)) == 60
    assert {d.state for d in store.outbox.deliveries()} == {SENDING}


def test_the_outbox_is_kept_through_compaction(store_factory):
    store = store_factory()
    store.insert_many([NewRecord(project(1), notices=[notice("a@x")])], user="ann")
    store.outbox.queue([notice("b@x", key="digest:1")])
    taken = claim(store, limit=1)
    store.outbox.delivered(taken[0].id, now=NOW)
    store.compact()
    store.outbox.queue([notice("c@x")])
    reopened = store_factory()
    assert [(d.notice.to, d.state) for d in reopened.outbox.deliveries()] == [
        ("c@x", PENDING), ("b@x", PENDING), ("a@x", SENT)]
    assert reopened.outbox.has_key("digest:1")
    assert [d.notice.to for d in claim(reopened)] == ["b@x", "c@x"]
