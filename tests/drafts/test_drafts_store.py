"""The drafts store: saved, read back, changed from the version read, deleted; bounded; never lost when two
processes save at once; a damaged file refused, never read as "no drafts" nor written over."""
from __future__ import annotations

import json
import multiprocessing

import pytest

from engine.store import drafts as drafts_module
from engine.store import wholefile
from engine.store.drafts import (DraftConflict, DraftNotFound, Drafts, DraftsDamaged, DraftTooLarge,
                                 TooManyDrafts)

FORK = multiprocessing.get_context("fork")


@pytest.fixture
def store(tmp_path) -> Drafts:
    return Drafts(tmp_path / "qi-project")


def test_a_draft_is_kept_with_its_owner_and_values_and_read_back_by_another_process(store, tmp_path):
    draft = store.add("ann", {"title": "Half done", "aim": None})
    assert draft.version == 1 and draft.owner == "ann" and draft.values == {"title": "Half done"}
    assert len(draft.id) >= 16 and draft.id.replace("-", "").replace("_", "").isalnum()
    again = Drafts(tmp_path / "qi-project").get(draft.id)
    assert again == draft


def test_a_change_needs_the_version_read_and_a_save_that_changes_nothing_is_no_conflict(store):
    draft = store.add("ann", {"title": "One"})
    saved = store.update(draft.id, {"title": "Two"}, expected_version=1)
    assert saved.version == 2 and saved.values == {"title": "Two"}
    with pytest.raises(DraftConflict) as conflict:
        store.update(draft.id, {"title": "Three"}, expected_version=1)
    assert conflict.value.current.values == {"title": "Two"}
    assert store.update(draft.id, {"title": "Two"}, expected_version=1).version == 2


def test_a_persons_drafts_are_theirs_alone_the_last_saved_first(store):
    first = store.add("ann", {"title": "First"})
    store.add("bob", {"title": "Bob's"})
    store.add("ann", {"title": "Second"})
    store.update(first.id, {"title": "First, again"}, expected_version=1)
    assert [d.values["title"] for d in store.owned_by("ann")] == ["First, again", "Second"]
    assert [d.values["title"] for d in store.owned_by("bob")] == ["Bob's"]


def test_deleting_removes_it_once(store):
    draft = store.add("ann", {"title": "Gone soon"})
    assert store.delete(draft.id) is True
    assert store.delete(draft.id) is False
    with pytest.raises(DraftNotFound):
        store.get(draft.id)


@pytest.mark.parametrize("draft_id", ["", "x", "../../records", "a" * 65, "not a draft id at all!!"])
def test_an_id_that_names_no_draft_is_not_found(store, draft_id):
    store.add("ann", {"title": "Kept"})
    with pytest.raises(DraftNotFound):
        store.get(draft_id)


def test_a_draft_too_large_is_refused_saying_how_large_it_may_be(tmp_path):
    store = Drafts(tmp_path, max_bytes=2048)
    with pytest.raises(DraftTooLarge, match="may hold 2 KB"):
        store.add("ann", {"aim": "x" * 3000})
    assert store.owned_by("ann") == [] and not store.path.exists()


def test_a_person_may_keep_only_so_many_drafts_and_is_told_what_to_do(tmp_path):
    store = Drafts(tmp_path, max_per_person=3)
    for number in range(3):
        store.add("ann", {"title": f"Draft {number}"})
    with pytest.raises(TooManyDrafts, match="already have 3 drafts.*Submit or delete one"):
        store.add("ann", {"title": "One too many"})
    store.add("bob", {"title": "Bob has room"})
    assert len(store.owned_by("ann")) == 3


@pytest.mark.parametrize("content", [b"", b"{not json", b"[]", b'{"format": 2, "drafts": {}}',
                                     b'{"format": 1, "drafts": {"abcdefghijklmnopqr": {"owner": "ann"}}}',
                                     b"\xff\xfe"])
def test_a_damaged_file_is_refused_on_every_read_and_write_and_left_as_it_was(store, content):
    store.add("ann", {"title": "Before the damage"})
    store.path.write_bytes(content)
    for attempt in (lambda: store.owned_by("ann"), lambda: store.add("ann", {"title": "New"}),
                    lambda: store.get("abcdefghijklmnopqr")):
        with pytest.raises(DraftsDamaged) as damaged:
            attempt()
        assert str(drafts_module.ADVICE) in damaged.value.report()
        assert "drafts" in str(damaged.value)
    assert store.path.read_bytes() == content
    assert store.verify()


def test_a_write_that_fails_leaves_the_drafts_as_they_were(store, monkeypatch):
    kept = store.add("ann", {"title": "Kept"})
    before = store.path.read_bytes()

    def full_disk(path, chunks):
        raise OSError(28, "No space left on device", str(path))
    monkeypatch.setattr(wholefile, "replace_file", full_disk)      # where a drafts file is written
    with pytest.raises(Exception, match="run out of space"):
        store.add("ann", {"title": "Not saved"})
    assert store.path.read_bytes() == before
    assert [d.id for d in store.owned_by("ann")] == [kept.id]


def _add_many(folder, owner: str, count: int) -> None:
    store = Drafts(folder, max_per_person=count)
    for number in range(count):
        store.add(owner, {"title": f"{owner} {number}"})


def test_two_processes_saving_drafts_at_once_keep_every_draft(tmp_path):
    folder = tmp_path / "qi-project"
    children = [FORK.Process(target=_add_many, args=(folder, owner, 15)) for owner in ("ann", "bob", "cat")]
    for child in children:
        child.start()
    for child in children:
        child.join(60)
        assert child.exitcode == 0
    stored = json.loads((folder / "drafts.json").read_bytes())["drafts"]
    assert len(stored) == 45
    assert {d.values["title"] for d in Drafts(folder).owned_by("bob")} == {f"bob {n}" for n in range(15)}
