"""The journal of recent writes: used only when it links a process's version of the file to the one on disk."""
from __future__ import annotations

from engine.store import journal as journals
from engine.store.durable import Signature
from engine.store.journal import Journal

A, B, C, D = (Signature(inode, 1000 + inode, 10 * inode) for inode in (1, 2, 3, 4))


def test_a_chain_of_writes_merges_into_the_changes_between_two_versions(tmp_path):
    log = Journal(tmp_path / "records.journal")
    log.record(None, A, {"records": {"1": {"v": 1}}})
    log.record(A, B, {"records": {"1": {"v": 2}, "2": {"v": 1}}})
    log.record(B, C, {"records": {"1": {"v": 3}}, "meta": {"1": {"next": 3}}})
    assert log.changes_between(A, C) == {"records": {"1": {"v": 3}, "2": {"v": 1}}, "meta": {"1": {"next": 3}}}
    assert log.changes_between(None, A) == {"records": {"1": {"v": 1}}}
    assert log.changes_between(B, C) == {"records": {"1": {"v": 3}}, "meta": {"1": {"next": 3}}}


def test_no_chain_no_changes(tmp_path):
    log = Journal(tmp_path / "records.journal")
    assert log.changes_between(A, B) is None                    # no journal at all
    log.record(A, B, {"records": {}})
    log.record(C, D, {"records": {}})                            # B -> C was never logged
    assert log.changes_between(A, D) is None
    assert log.changes_between(D, A) is None


def test_a_line_torn_by_a_dying_writer_is_ignored_and_never_glued_to(tmp_path):
    path = tmp_path / "records.journal"
    log = Journal(path)
    log.record(A, B, {"records": {"1": {"v": 2}}})
    with open(path, "ab") as torn:
        torn.write(b'2:1002:20 3:1003:30 {"records": {"1"')
    assert log.changes_between(B, C) is None
    log.record(B, C, {"records": {"1": {"v": 3}}})
    assert log.changes_between(B, C) == {"records": {"1": {"v": 3}}}


def test_a_long_journal_starts_afresh(tmp_path, monkeypatch):
    monkeypatch.setattr(journals, "LIMIT_BYTES", 200)
    log = Journal(tmp_path / "records.journal")
    log.record(A, B, {"records": {"1": {"text": "x" * 80}}})
    log.record(B, C, {"records": {"1": {"text": "y" * 80}}})
    assert log.changes_between(A, C) is None                    # the first line is gone
    assert log.changes_between(B, C) == {"records": {"1": {"text": "y" * 80}}}
