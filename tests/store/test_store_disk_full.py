"""A full disk: the save is refused in plain words with nothing half-written, everything acknowledged before
is intact, and saving works again, in the same process, as soon as space is freed."""
from __future__ import annotations

import pytest

from engine.errors import OutOfSpace
from engine.store.tinydb import TinyDBStore
from faultdisk import fill, small_disk
from storekit import project, qi_project


@pytest.fixture
def disk(tmp_path):
    with small_disk(tmp_path / "disk", size_kb=512) as folder:
        yield folder


def test_a_save_on_a_full_disk_is_refused_and_the_store_recovers_once_space_is_freed(disk):
    store = TinyDBStore(qi_project(), disk / "data")
    saved = [store.insert(project(number), user="ann").reference for number in range(1, 4)]
    filler = fill(disk)
    with pytest.raises(OutOfSpace) as refused:
        for number in range(4, 1000):       # the last few bytes may still take a save or two
            saved.append(store.insert(project(number), user="ann").reference)
    assert str(refused.value) == "The server has run out of space; your answers have not been saved."
    reopened = TinyDBStore(qi_project(), disk / "data")
    assert [record.reference for record in reopened.iter_all()] == saved and reopened.verify() == []
    filler.unlink()
    after = store.insert(project(2000), user="ann")         # the same process, no restart
    assert after.reference == f"QI-{len(saved) + 1:04d}"
    assert TinyDBStore(qi_project(), disk / "data").count() == len(saved) + 1


def test_a_compaction_that_runs_out_of_space_leaves_the_saves_acknowledged_and_the_files_sound(disk):
    store = TinyDBStore(qi_project(), disk / "data")
    for number in range(1, 60):
        store.insert(project(number), user="ann")
    fill(disk, leave_bytes=8192)            # room for a save, not for the compacted file
    with pytest.raises(OutOfSpace):
        store.compact()
    assert store.compact(quietly=True) is False
    reopened = TinyDBStore(qi_project(), disk / "data")
    assert reopened.count() == 59 and reopened.verify() == []
    assert not list((disk / "data").rglob("*.tmp"))


def test_an_upload_on_a_full_disk_is_refused_as_out_of_space_and_leaves_nothing(disk):
    import io
    store = TinyDBStore(qi_project(), disk / "data")
    store.insert(project(1), user="ann")
    fill(disk)
    with pytest.raises(OutOfSpace):
        store.stage_attachment("report", "audit.pdf", io.BytesIO(b"%PDF-1.4 " + b"x" * 200_000), user="ann")
    assert not store.files.exists() or not list(store.files.iterdir())
