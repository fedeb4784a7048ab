"""Damaged or missing data is refused, never read as an empty repository; ``verify`` names the file at fault,
and ``recover`` rebuilds from what is good without reusing a reference."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import pytest

from engine.errors import DataDamaged
from engine.store.base import Query
from engine.store.recover import recover
from engine.store.tinydb import TinyDBStore
from storekit import project, qi_project


def _filled(folder: Path) -> TinyDBStore:
    """Five records compacted into records.json, then three more saves in the log only."""
    store = TinyDBStore(qi_project(), folder)
    for number in range(1, 6):
        store.insert(project(number), user="ann")
    assert store.compact()
    for number in range(6, 8):
        store.insert(project(number), user="ann")
    store.update("QI-0002", project(2, title="Edited after compaction"), user="bob", expected_version=1)
    return store


def _log(folder: Path) -> Path:
    return folder / "qi-project" / "records.log"


def _file(folder: Path) -> Path:
    return folder / "qi-project" / "records.json"


def _rewrite_line(path: Path, index: int, change: Callable[[bytes], bytes]) -> None:
    lines = path.read_bytes().split(b"\n")
    lines[index] = change(lines[index])
    path.write_bytes(b"\n".join(lines))


def _flip_byte(line: bytes) -> bytes:
    middle = len(line) // 2
    return line[:middle] + bytes([line[middle] ^ 0x01]) + line[middle + 1:]


FILE_DAMAGE = {
    "empty": lambda path: path.write_bytes(b""),
    "whitespace only": lambda path: path.write_bytes(b"  \n\t\n"),
    "an empty object": lambda path: path.write_bytes(b"{}"),
    "missing": lambda path: path.unlink(),
    "truncated": lambda path: path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2]),
    "garbled": lambda path: path.write_bytes(path.read_bytes().replace(b'"records"', b'"rec\xffords"', 1)),
    "the wrong shape": lambda path: path.write_bytes(b'{"records": [1, 2, 3]}'),
    "a null document": lambda path: path.write_bytes(
        path.read_bytes().replace(b'"3": {', b'"3": null, "33": {', 1)),
    "a record changed by hand": lambda path: path.write_bytes(
        path.read_bytes().replace(b"QI-0004", b"QI-0044", 1)),
}

LOG_DAMAGE = {
    "a bad byte in the middle": lambda path: _rewrite_line(path, 1, _flip_byte),
    "an edited save": lambda path: _rewrite_line(path, 3, lambda line: line.replace(b"Edited", b"Fiddled")),
    "a save taken out": lambda path: _rewrite_line(path, 2, lambda line: b""),
    "missing": lambda path: path.unlink(),
    "a header that is not one": lambda path: _rewrite_line(path, 0, lambda line: b"hello"),
}


def _assert_refused(folder: Path, file_name: str) -> None:
    store = TinyDBStore(qi_project(), folder)       # a process starting after the damage
    for attempt in (lambda: store.count(), lambda: store.get("QI-0001"), lambda: store.query(Query(q="falls")),
                    lambda: store.insert(project(9), user="ann")):
        with pytest.raises(DataDamaged) as refused:
            attempt()
        assert Path(refused.value.path).name == file_name
    faults = store.verify()
    assert [Path(fault.path).name for fault in faults] == [file_name] and faults[0].fault
    assert store.has_held_data()


@pytest.mark.parametrize("damage", FILE_DAMAGE, ids=list(FILE_DAMAGE))
def test_a_damaged_compacted_file_is_refused_and_recovered_from_the_log_and_a_backup(tmp_path, damage):
    folder = tmp_path / "data"
    _filled(folder)
    backup = tmp_path / "backup.json"
    backup.write_bytes(_file(folder).read_bytes())
    FILE_DAMAGE[damage](_file(folder))
    _assert_refused(folder, "records.json")
    outcome = recover(folder / "qi-project")
    if not outcome.written:     # the file is unreadable: the log alone does not go back to the first record
        assert outcome.problems and "saves 1-" in outcome.problems[0]
        outcome = recover(folder / "qi-project", backup=backup)
    assert outcome.written and outcome.complete, outcome
    assert outcome.kept_in is not None and any(outcome.kept_in.iterdir())
    store = TinyDBStore(qi_project(), folder)
    assert store.verify() == []
    assert store.count() >= 7 and store.get("QI-0002").values["title"] == "Edited after compaction"
    assert store.insert(project(8), user="ann").reference == "QI-0008"       # never a reference reused


@pytest.mark.parametrize("damage", LOG_DAMAGE, ids=list(LOG_DAMAGE))
def test_a_damaged_log_is_refused_and_recovered_from_its_good_lines(tmp_path, damage):
    folder = tmp_path / "data"
    _filled(folder)
    LOG_DAMAGE[damage](_log(folder))
    _assert_refused(folder, "records.log")
    outcome = recover(folder / "qi-project")
    if not outcome.written:
        assert outcome.problems
        outcome = recover(folder / "qi-project", partial=True)
    assert outcome.written
    store = TinyDBStore(qi_project(), folder)
    assert store.verify() == [] and store.count() >= 5
    if damage != "missing":     # every other line still says which references were handed out
        assert store.insert(project(9), user="ann").reference == "QI-0008"


def test_recovery_without_the_log_says_that_the_saves_since_the_compaction_are_lost(tmp_path):
    folder = tmp_path / "data"
    _filled(folder)
    _log(folder).unlink()
    outcome = recover(folder / "qi-project")
    assert not outcome.written and "records.log is missing" in outcome.problems[0]
    assert TinyDBStore(qi_project(), folder).verify()        # nothing was changed


def test_a_running_process_refuses_damage_it_had_not_seen_and_recovers_once_the_files_are_repaired(tmp_path):
    folder = tmp_path / "data"
    store = _filled(folder)
    assert store.count() == 7
    good = _log(folder).read_bytes()
    _rewrite_line(_log(folder), 1, _flip_byte)
    with pytest.raises(DataDamaged):
        store.count()
    with pytest.raises(DataDamaged):
        store.insert(project(9), user="ann")
    _log(folder).write_bytes(good)          # the service team puts the file back
    assert store.count() == 7
    assert store.insert(project(9), user="ann").reference == "QI-0008"


def test_a_torn_last_line_is_ignored_and_cut_off_by_the_next_save(tmp_path):
    folder = tmp_path / "data"
    _filled(folder)
    with open(_log(folder), "ab") as log:
        log.write(b'0badc0de {"seq": 9, "changes": {"records": {"9": {"refe')
    store = TinyDBStore(qi_project(), folder)
    assert store.count() == 7 and store.verify() == []
    assert store.insert(project(9), user="ann").reference == "QI-0008"
    assert TinyDBStore(qi_project(), folder).count() == 8
    assert b"0badc0de" not in _log(folder).read_bytes()


def test_zeros_left_at_the_end_of_the_log_by_a_power_cut_are_a_torn_save(tmp_path):
    folder = tmp_path / "data"
    _filled(folder)
    with open(_log(folder), "ab") as log:
        log.write(b"\x00" * 300 + b"\n")
    assert TinyDBStore(qi_project(), folder).count() == 7


def test_a_missing_manifest_is_damage_not_a_new_repository(tmp_path):
    folder = tmp_path / "data"
    _filled(folder)
    (folder / "qi-project" / "manifest.json").unlink()
    _assert_refused(folder, "manifest.json")


def test_a_repository_whose_every_file_is_gone_but_the_manifest_is_refused(tmp_path):
    folder = tmp_path / "data"
    _filled(folder)
    _file(folder).unlink()
    _log(folder).unlink()
    _assert_refused(folder, "records.json")
    outcome = recover(folder / "qi-project")
    assert not outcome.written and outcome.problems        # nothing to rebuild from: said, and nothing written


def test_a_file_written_by_an_earlier_version_is_adopted_as_it_is(tmp_path):
    folder = tmp_path / "data"
    store = _filled(folder)
    tables = json.loads(_file(folder).read_bytes())
    del tables["compacted"]
    for name in ("records.json", "records.log", "manifest.json"):
        (folder / "qi-project" / name).unlink()
    _file(folder).write_text(json.dumps(tables))
    (folder / "qi-project" / "records.journal").write_text("old catch-up lines\n")
    adopted = TinyDBStore(qi_project(), folder)
    assert adopted.count() == 5 and adopted.verify() == []
    assert adopted.insert(project(6), user="ann").reference == "QI-0006"
    assert not (folder / "qi-project" / "records.journal").exists()
    assert TinyDBStore(qi_project(), folder).count() == 6
    assert store is not adopted


def test_an_empty_file_without_a_manifest_is_refused_too(tmp_path):
    folder = tmp_path / "data"
    (folder / "qi-project").mkdir(parents=True)
    _file(folder).write_bytes(b"{}")
    _assert_refused(folder, "records.json")


def test_a_repository_that_never_held_data_is_empty_not_damaged(tmp_path):
    store = TinyDBStore(qi_project(), tmp_path / "data")
    assert store.count() == 0 and store.verify() == [] and not store.has_held_data()


def test_a_partial_recovery_that_would_recover_nothing_writes_nothing(tmp_path):
    folder = tmp_path / "data"
    store = TinyDBStore(qi_project(), folder)
    for number in range(1, 4):
        store.insert(project(number), user="ann")
    store.compact()
    _file(folder).write_bytes(b"garbage")
    outcome = recover(folder / "qi-project", partial=True)
    assert not outcome.written and "compacted into records.json" in outcome.problems[0]
    assert "nothing could be recovered" in outcome.problems[-1]
    assert _file(folder).read_bytes() == b"garbage"        # left as it was, for a backup to be found
