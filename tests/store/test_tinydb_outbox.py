"""The embedded store's files and the outbox: a notice, a comment or a move is in the very log line of the
change that caused it, the new tables travel through compaction, recovery and plain TinyDB, files written
before they existed still load, and the site keeps an outbox of its own."""
from __future__ import annotations

import errno
import json
from datetime import datetime, timedelta, timezone

import pytest
import tinydb

from engine.config import Paths
from engine.errors import StoreError
from engine.notify.notice import EMAIL, PENDING, SENDING, Notice
from engine.store import disk
from engine.store.base import Move, NewRecord
from engine.store.outbox import site_outbox
from engine.store.recover import recover
from engine.store.tinydb import TinyDBStore
from storekit import project, qi_project

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def notice(to: str = "lead@example.nhs.uk", **keys) -> Notice:
    return Notice(event="action", channel=EMAIL, to=to, instance="trust", repository="qi-project", **keys)


@pytest.fixture
def folder(tmp_path):
    return tmp_path / "data"


def saves(store: TinyDBStore) -> list[dict]:
    """The changes of each save in the log since the last compaction."""
    lines = store._disk.log_path.read_bytes().splitlines()[1:]
    return [json.loads(line.partition(b" ")[2])["changes"] for line in lines]


def test_a_record_its_moves_and_its_notices_are_one_line_of_the_log(folder):
    store = TinyDBStore(qi_project(), folder)
    store.insert_many([NewRecord(project(n), notices=[notice()] if n == 3 else ()) for n in (1, 2, 3)], user="ann")
    store.update("QI-0003", project(3), user="bob", expected_version=1, status="Completed", note="Approve",
                 comment="Board agreed", moves=[Move("QI-0001", "Stopped", "Superseded")],
                 notices=[notice(), notice("watcher@example.nhs.uk")])
    store.add_comment("QI-0003", "Thanks", user="cat", notices=[notice()])
    created, approved, commented = saves(store)
    assert set(created) == {"records", "history", "meta", "outbox"} and len(created["outbox"]) == 1
    assert set(approved) == {"records", "history", "outbox"}
    assert sorted(doc["reference"] for doc in approved["records"].values()) == ["QI-0001", "QI-0003"]
    assert sorted((doc["note"], doc.get("comment")) for doc in approved["history"].values()) == [
        ("Approve", "Board agreed"), ("Superseded", None)]
    assert len(approved["outbox"]) == 2
    assert set(commented) == {"comments", "outbox"}
    assert all(doc["state"] == PENDING and doc["attempts"] == 0 for doc in approved["outbox"].values())


def test_a_save_whose_write_fails_queues_nothing(folder, monkeypatch):
    store = TinyDBStore(qi_project(), folder)
    store.insert(project(1), user="ann")

    def broken(*args, **kwargs):
        raise disk.wal._failure(OSError(errno.EIO, "Input/output error"), store._disk.log_path)
    monkeypatch.setattr(disk.wal, "append", broken)
    with pytest.raises(StoreError):
        store.update("QI-0001", project(1), user="bob", expected_version=1, status="Completed",
                     notices=[notice()])
    with pytest.raises(StoreError):
        store.add_comment("QI-0001", "Hello", user="bob", notices=[notice()])
    with pytest.raises(StoreError):
        store.outbox.queue([notice()])
    monkeypatch.undo()
    assert store.outbox.deliveries() == [] and store.comments("QI-0001") == []
    assert TinyDBStore(qi_project(), folder).outbox.deliveries() == []
    assert store.outbox.queue([notice()]) == 1


def test_the_new_tables_read_with_plain_tinydb_after_compaction(folder):
    store = TinyDBStore(qi_project(), folder)
    store.insert_many([NewRecord(project(1), notices=[notice()])], user="ann")
    store.add_comment("QI-0001", "Hello", user="bob")
    store.set_watching("QI-0001", "bob", True)
    assert store.compact()
    with tinydb.TinyDB(store.path) as plain:
        assert [doc["to"] for doc in plain.table("outbox").all()] == ["lead@example.nhs.uk"]
        assert [doc["text"] for doc in plain.table("comments").all()] == ["Hello"]
        assert plain.table("watchers").all() == [{"reference": "QI-0001", "username": "bob", "watching": True}]


def test_recovery_keeps_the_outbox_comments_and_watchers(folder):
    store = TinyDBStore(qi_project(), folder)
    store.insert_many([NewRecord(project(1), notices=[notice("a@x")])], user="ann")
    store.add_comment("QI-0001", "Compacted", user="bob")
    store.compact()
    store.outbox.queue([notice("b@x", key="digest:1")])
    store.add_comment("QI-0001", "Logged", user="cat")
    store.set_watching("QI-0001", "cat", True)
    store.outbox.claim(holder="sender", now=NOW, lease=timedelta(minutes=5), limit=1)
    outcome = recover(folder / "qi-project")
    assert outcome.complete and outcome.written
    reopened = TinyDBStore(qi_project(), folder)
    assert reopened.verify() == []
    assert [(d.notice.to, d.state) for d in reopened.outbox.deliveries()] == [("b@x", PENDING), ("a@x", SENDING)]
    assert reopened.outbox.has_key("digest:1")
    assert [c.text for c in reopened.comments("QI-0001")] == ["Compacted", "Logged"]
    assert reopened.watchers("QI-0001") == frozenset({"cat"})


def test_a_file_written_before_these_tables_existed_loads_and_takes_them(folder):
    doc = {"reference": "QI-0001", "status": "Proposed", "created": "2024-01-01T00:00:00.000000+00:00",
           "created_by": "ann", "updated": "2024-01-01T00:00:00.000000+00:00", "updated_by": "ann",
           "version": 1, "deleted": False, **project(1)}
    path = folder / "qi-project" / "records.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"records": {"1": doc}, "history": {}, "attachments": {},
                                "meta": {"1": {"next_reference": 2}}}))
    store = TinyDBStore(qi_project(), folder)
    assert store.get("QI-0001").values == project(1)
    assert store.outbox.deliveries() == [] and store.comments("QI-0001") == [] and store.watched_by("ann") == []
    store.add_comment("QI-0001", "First", user="ann", notices=[notice()])
    store.set_watching("QI-0001", "ann", True)
    store.compact()
    reopened = TinyDBStore(qi_project(), folder)
    assert [c.text for c in reopened.comments("QI-0001")] == ["First"]
    assert len(reopened.outbox.deliveries()) == 1 and reopened.watched_by("ann") == ["QI-0001"]
    assert reopened.verify() == []


def test_the_site_outbox_keeps_its_own_files_and_queues_a_digest_once(tmp_path):
    paths = Paths(schemas=tmp_path / "schemas", instances=tmp_path / "instances", data=tmp_path / "site")
    outbox = site_outbox(paths)
    digest = Notice(event="digest", channel=EMAIL, to="ann@example.nhs.uk", instance="", key="digest:ann:2026-03-02",
                    details={"records": [["QI-0001", "Falls"]]})
    assert outbox.queue([digest]) == 1
    assert (tmp_path / "site" / "outbox" / "records.log").exists()
    other = site_outbox(paths)          # another process
    assert other.queue([digest]) == 0 and other.has_key("digest:ann:2026-03-02")
    taken = other.claim(holder="sender", now=NOW, lease=timedelta(minutes=5))
    assert [d.notice.details for d in taken] == [{"records": [["QI-0001", "Falls"]]}]
    assert outbox.claim(holder="another", now=NOW, lease=timedelta(minutes=5)) == []
    other.delivered(taken[0].id, now=NOW)
    outbox.close()
    assert (tmp_path / "site" / "outbox" / "records.json").exists()
    assert [d.state for d in site_outbox(paths).deliveries()] == ["sent"]
