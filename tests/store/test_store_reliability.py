"""Nothing is lost: several processes writing at once, writers killed mid-write, two people saving one record.

Child processes are forked so they start in milliseconds; each opens its own store on the shared data, as a
gunicorn worker would. A child reports each reference only after ``insert`` has returned: that is the moment
the web page would tell the user "QI-0042 has been saved".
"""
from __future__ import annotations

import json
import multiprocessing
import os
import random
import signal
import threading
import time
from pathlib import Path

import pytest
import tinydb

from engine.errors import EditConflict
from engine.store.base import Query
from storekit import project

pytestmark = pytest.mark.slow
FORK = multiprocessing.get_context("fork")


def _insert_many(open_store, count: int, label: str, acks) -> None:
    store = open_store()
    for number in range(count):
        record = store.insert(project(number, lead=label), user=label)
        acks.send(record.reference)
    acks.close()


def _drain(connection, timeout: float = 30.0) -> list[str]:
    """Everything the child sent, up to the end of the pipe (the child has exited or was killed)."""
    received = []
    while True:
        try:
            if not connection.poll(timeout):
                return received
            received.append(connection.recv())
        except EOFError:
            return received


def _assert_file_loads(folder: Path) -> int:
    """The compacted file, if there is one yet, parses as JSON and as plain TinyDB; how many records it holds
    (saves since the last compaction are in the log only)."""
    for path in folder.rglob("records.json"):
        json.loads(path.read_bytes())
        with tinydb.TinyDB(path) as plain:
            return len(plain.table("records"))
    return 0


def test_several_processes_inserting_at_once_keep_every_record(store_factory, tmp_path):
    writers, each = 4, 25
    pipes = [FORK.Pipe(duplex=False) for _ in range(writers)]
    children = [FORK.Process(target=_insert_many, args=(store_factory, each, f"writer{n}", pipes[n][1]))
                for n in range(writers)]
    for child in children:
        child.start()
    acknowledged = []
    for child, (receiver, sender) in zip(children, pipes):
        sender.close()
        acknowledged += _drain(receiver)
        child.join(30)
        assert child.exitcode == 0
    store = store_factory()
    stored = [record.reference for record in store.iter_all()]
    assert len(acknowledged) == len(set(acknowledged)) == writers * each
    assert sorted(stored) == sorted(acknowledged) == [f"QI-{n:04d}" for n in range(1, writers * each + 1)]
    assert store.query(Query(filters={}, q="writer3")).total == each
    assert _assert_file_loads(tmp_path) <= writers * each


def test_a_writer_killed_at_random_moments_never_loses_an_acknowledged_record(store_factory, tmp_path):
    chance = random.Random(20261127)
    acknowledged: list[str] = []
    for _round in range(12):
        receiver, sender = FORK.Pipe(duplex=False)
        child = FORK.Process(target=_insert_many, args=(store_factory, 10_000, "killed", sender))
        child.start()
        sender.close()
        assert receiver.poll(10), "the writer never acknowledged a record"
        time.sleep(chance.uniform(0.0, 0.25))
        os.kill(child.pid, signal.SIGKILL)
        child.join(10)
        acknowledged += _drain(receiver)
        stored = {record.reference for record in store_factory().iter_all()}
        assert set(acknowledged) <= stored
        assert _assert_file_loads(tmp_path) <= len(stored)
    assert len(acknowledged) > 12


def _compact_forever(open_store, started) -> None:
    store = open_store()
    started.send(True)
    while True:
        store.compact()


@pytest.mark.embedded      # compaction is the embedded store's own; kill -9 of writers is tested on both above
def test_writers_and_compactions_killed_at_random_moments_lose_nothing_and_damage_nothing(
        store_factory, tmp_path, monkeypatch):
    """Compaction every few saves (a tiny log limit), in the writer and in a process of its own, both
    killed at random: every acknowledged record is still there, the files check clean, references unique."""
    from engine.store import disk
    monkeypatch.setattr(disk, "MIN_LOG_BYTES", 2048)
    chance = random.Random(20261202)
    acknowledged: list[str] = []
    for _round in range(12):
        receiver, sender = FORK.Pipe(duplex=False)
        ready, told = FORK.Pipe(duplex=False)
        writer = FORK.Process(target=_insert_many, args=(store_factory, 10_000, "killed", sender))
        compactor = FORK.Process(target=_compact_forever, args=(store_factory, told))
        writer.start()
        compactor.start()
        sender.close()
        told.close()
        assert receiver.poll(10) and ready.poll(10), "the processes never started"
        time.sleep(chance.uniform(0.05, 0.4))
        for child in chance.sample([writer, compactor], 2):
            os.kill(child.pid, signal.SIGKILL)
            time.sleep(chance.uniform(0.0, 0.02))
        for child in (writer, compactor):
            child.join(10)
        acknowledged += _drain(receiver)
        store = store_factory()
        assert store.verify() == []
        stored = [record.reference for record in store.iter_all()]
        assert set(acknowledged) <= set(stored) and len(stored) == len(set(stored))
    assert len(acknowledged) > 12
    [manifest] = tmp_path.rglob("manifest.json")
    assert json.loads(manifest.read_text())["generation"] >= 12     # compactions did run, and were killed
    store = store_factory()
    store.compact()
    assert not list(tmp_path.rglob(".records.json.*.tmp"))     # a killed compaction's file is swept


def _update_when_told(open_store, reference: str, title: str, go, results) -> None:
    store = open_store()
    store.get(reference)        # loaded, like an edit form that is open
    go.wait(10)
    try:
        store.update(reference, project(1, title=title), user=title, expected_version=1)
        results.send(("saved", title))
    except EditConflict as conflict:
        results.send(("conflict", conflict.current.values["title"]))


def test_two_saves_from_the_same_version_one_wins_the_other_is_told(store_factory):
    store = store_factory()
    for attempt in range(5):
        reference = store.insert(project(1), user="ann").reference
        go = FORK.Event()
        receiver, sender = FORK.Pipe(duplex=False)
        children = [FORK.Process(target=_update_when_told, args=(store_factory, reference, name, go, sender))
                    for name in ("Alice's title", "Bob's title")]
        for child in children:
            child.start()
        time.sleep(0.2)
        go.set()
        outcomes = sorted(receiver.recv() for _ in children)
        for child in children:
            child.join(10)
        (first, first_title), (second, second_title) = outcomes
        assert (first, second) == ("conflict", "saved")
        assert first_title == second_title == store.get(reference).values["title"]
        assert [v.record.version for v in store.history(reference)] == [1, 2]


def test_threads_of_one_process_share_a_store_safely(store_factory):
    store = store_factory()
    saved: list[str] = []

    def insert_some() -> None:
        for number in range(15):
            saved.append(store.insert(project(number), user="thread").reference)
    threads = [threading.Thread(target=insert_some) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(saved) == [f"QI-{n:04d}" for n in range(1, 61)]
    assert store.count() == 60 and store_factory().count() == 60
