"""``Records.act`` and ``Records.comment``, and the status rules of create and update for a type with a
workflow: what is written, what is queued, and that a refused move writes nothing at all."""
from __future__ import annotations

import pytest

from engine.access.policy import ANONYMOUS
from engine.errors import ActionNotFound, EditConflict, PermissionRefused, ValidationFailed
from engine.records import NewItem
from engine.store.base import Move
from workflowkit import Project


def delivered_to(store) -> list[tuple[str, str, str]]:
    """(event, to, reference) of every notice in the outbox, oldest first."""
    return sorted((d.notice.event, d.notice.to, d.notice.reference) for d in store.outbox.deliveries())


def written(store, reference: str) -> tuple:
    """What a refused write must leave as it was: the record's version, its history, the outbox."""
    return store.get(reference).version, len(store.history(reference)), len(store.outbox.deliveries())


def test_an_action_moves_the_status_with_its_name_as_the_history_note(project):
    record = project.proposed()
    assert (record.status, record.version) == ("Proposed", 2)
    last = project.store.history(record.reference)[-1]
    assert (last.note, last.comment, last.record.updated_by) == ("Submit for review", "", "cat")
    assert [(c.name, c.old, c.new) for c in last.changes] == [("status", "Draft", "Proposed")]


def test_the_comment_given_with_an_action_is_kept_without_control_characters(project):
    record = project.proposed()
    ed = project.person("ed", "editor")
    moved = project.records.act(record.reference, "send-back", actor=ed, comment="  Add the aim\x07 please \n",
                                expected_version=record.version)
    assert (moved.status, moved.values) == ("Draft", record.values)
    last = project.store.history(record.reference)[-1]
    assert (last.note, last.comment) == ("Send back", "Add the aim please")


def test_approving_moves_the_records_it_supersedes_in_the_same_write(project):
    old = project.records.create({"title": "Sepsis screening 2019"}, user="ed", status="Approved", history=True)
    other = project.records.create({"title": "Sepsis screening 2021"}, user="ed", status="Approved", history=True)
    new = project.proposed(replaces=[old.reference, other.reference])
    calls = []
    update = project.store.update

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return update(*args, **kwargs)
    project.store.update = spy
    approved = project.records.act(new.reference, "approve", actor=project.person("ed", "editor"),
                                   expected_version=new.version)
    assert approved.status == "Approved"
    assert len(calls) == 1 and calls[0]["moves"] == [
        Move(old.reference, "Superseded", f"superseded by {new.reference}"),
        Move(other.reference, "Superseded", f"superseded by {new.reference}")]
    for reference in (old.reference, other.reference):
        assert project.store.get(reference).status == "Superseded"
        assert project.store.history(reference)[-1].note == f"superseded by {new.reference}"


def test_an_action_without_then_superseded_moves_nothing_else(project):
    old = project.records.create({"title": "Old"}, user="ed", status="Approved", history=True)
    record = project.proposed(replaces=[old.reference])
    project.records.act(record.reference, "send-back", actor=project.person("ed", "editor"), comment="Not yet",
                        expected_version=record.version)
    assert project.store.get(old.reference).status == "Approved"


def test_an_action_tells_the_people_its_rules_name_in_the_same_write(project):
    project.person("lee", "reader", email="lee@example.org")
    record = project.proposed(lead_email="LEE")
    project.records.act(record.reference, "approve", actor=project.person("ed", "editor"), comment="Go ahead",
                        expected_version=record.version)
    approve = [d.notice for d in project.store.outbox.deliveries() if d.notice.event == "action"]
    assert sorted(n.to for n in approve) == ["cat@nhs.net", "lee@example.org"]
    assert {(n.reference, n.action, n.comment, n.status, n.actor) for n in approve} == {
        (record.reference, "Approve", "Go ahead", "Approved", "ed")}


@pytest.mark.parametrize("slug, role, comment, expected, error", [
    ("approve", "reader", "", PermissionRefused, "Only editors or the person named in Project lead can use "
                                              "Approve on QI-0001 (Sepsis screening)."),
    ("close", "admin", "", ValidationFailed, "Close can only be used on a record that is Approved; QI-0001 is "
                                          "Proposed."),
    ("send-back", "editor", "", ValidationFailed, "Enter a comment to send back"),
    ("submit-for-review", "editor", "", ValidationFailed, "Submit for review can only be used on a record that "
                                                          "is Draft; QI-0001 is Proposed."),
    ("publish", "editor", "", ActionNotFound, "Improvement projects have no action “publish”."),
])
def test_a_refused_action_says_why_and_writes_nothing(project, slug, role, comment, expected, error):
    record = project.proposed()
    before = written(project.store, record.reference)
    actor = project.person(f"someone-{role}", role)
    with pytest.raises(expected) as refused:
        project.records.act(record.reference, slug, actor=actor, comment=comment, expected_version=record.version)
    assert str(refused.value) == error
    assert written(project.store, record.reference) == before


def test_a_required_field_left_empty_refuses_the_action(project):
    record = project.proposed(start_date=None)
    before = written(project.store, record.reference)
    with pytest.raises(ValidationFailed) as refused:
        project.records.act(record.reference, "approve", actor=project.person("ed", "editor"),
                            expected_version=record.version)
    assert refused.value.errors == {"start_date": "Enter start date before you approve this improvement project"}
    assert written(project.store, record.reference) == before


def test_the_types_own_rules_for_the_new_status_hold_for_an_action(project):
    record = project.proposed()
    approved = project.records.act(record.reference, "approve", actor=project.person("ed", "editor"),
                                   expected_version=record.version)
    with pytest.raises(ValidationFailed) as refused:
        project.records.act(record.reference, "close", actor=project.person("ada", "admin"),
                            expected_version=approved.version)
    assert set(refused.value.errors) == {"lessons"}
    assert project.store.get(record.reference).status == "Approved"


def test_an_action_started_from_an_older_version_is_a_conflict(project):
    record = project.proposed()
    project.records.update(record.reference, {"title": "Sepsis screening in ED"}, user="cat",
                           expected_version=record.version)
    with pytest.raises(EditConflict):
        project.records.act(record.reference, "approve", actor=project.person("ed", "editor"),
                            expected_version=record.version)
    assert project.store.get(record.reference).status == "Proposed"


def test_nobody_signed_out_may_act(project):
    record = project.proposed()
    with pytest.raises(PermissionRefused):
        project.records.act(record.reference, "approve", actor=ANONYMOUS, expected_version=record.version)


def test_a_type_without_a_workflow_has_no_actions(tmp_path):
    plain = Project(tmp_path, workflow=None)
    try:
        record = plain.records.create({"title": "Falls"}, user="ed")
        with pytest.raises(ActionNotFound):
            plain.records.act(record.reference, "approve", actor=plain.person("ed", "editor"),
                              expected_version=record.version)
    finally:
        plain.close()


# -- comments ----------------------------------------------------------------------------------------------
def test_a_comment_is_kept_beside_the_record_and_told_to_whom_the_rules_say(project):
    record = project.proposed()
    ed = project.person("ed", "editor")
    said = project.records.comment(record.reference, " Has the\x00 pilot started?\n", actor=ed)
    assert (said.reference, said.text, said.by) == (record.reference, "Has the pilot started?", "ed")
    assert [c.text for c in project.store.comments(record.reference)] == ["Has the pilot started?"]
    assert project.store.get(record.reference).version == record.version
    assert ("commented", "cat@nhs.net", record.reference) in delivered_to(project.store)


@pytest.mark.parametrize("text, message", [("  \n ", "Enter a comment"),
                                           ("x" * 5001, "Comment must be 5,000 characters or fewer")])
def test_an_empty_or_too_long_comment_is_refused(project, text, message):
    record = project.proposed()
    with pytest.raises(ValidationFailed) as refused:
        project.records.comment(record.reference, text, actor=project.person("ed", "editor"))
    assert refused.value.errors == {"comment": message}
    assert project.store.comments(record.reference) == []


def test_nobody_signed_out_may_comment(project):
    record = project.proposed()
    with pytest.raises(PermissionRefused):
        project.records.comment(record.reference, "Hello", actor=ANONYMOUS)


# -- the status of new records and edits -------------------------------------------------------------------
def test_a_new_record_starts_in_a_start_status(project):
    with pytest.raises(ValidationFailed) as refused:
        project.records.create({"title": "Falls"}, user="ed", status="Approved")
    assert refused.value.errors == {"status": "A new improvement project starts as Draft: its status then "
                                              "changes only through its actions"}
    assert project.store.count() == 0
    assert project.records.create({"title": "Falls"}, user="ed").status == "Draft"


def test_a_status_problem_is_told_with_the_others(project):
    with pytest.raises(ValidationFailed) as refused:
        project.records.create({}, user="ed", status="Approved")
    assert set(refused.value.errors) == {"title", "status"}


def test_history_may_give_any_status(project):
    made = project.records.create_many([NewItem({"title": "Falls", "lessons": "Start small"}, status="Closed",
                                                created_by="ann"),
                                        NewItem({"title": "Sepsis"}, status="Approved")], user="ed", history=True)
    assert [(r.status, r.created_by) for r in made] == [("Closed", "ann"), ("Approved", "ed")]


def test_a_submitted_record_is_told_with_its_new_reference_and_an_import_tells_nobody(project):
    project.person("ed", "editor")
    record = project.records.create({"title": "Falls"}, user=project.person("cat", "contributor").username)
    assert ("submitted", "ed@nhs.net", record.reference) in delivered_to(project.store)
    count = len(project.store.outbox.deliveries())
    project.records.create_many([NewItem({"title": "Imported"})], user="cat")
    project.records.create({"title": "Sample"}, user="cat", notify=False)
    assert len(project.store.outbox.deliveries()) == count


def test_an_edit_may_not_change_the_status_of_a_workflow_type(project):
    record = project.proposed()
    with pytest.raises(ValidationFailed) as refused:
        project.records.update(record.reference, {"title": "Sepsis"}, user="ed", expected_version=record.version,
                               status="Approved")
    assert refused.value.errors == {"status": "The status of an improvement project changes only through its "
                                              "actions. From Proposed: Approve (editors or the person named in "
                                              "Project lead), Send back (editors)."}
    assert project.store.get(record.reference).version == record.version
    kept = project.records.update(record.reference, {"title": "Sepsis"}, user="ed", expected_version=record.version,
                                  status="Proposed")
    assert (kept.status, kept.values["title"]) == ("Proposed", "Sepsis")


def test_an_admin_import_may_change_the_status_of_an_edit(project):
    record = project.proposed()
    saved = project.records.update(record.reference, {}, user="ada", expected_version=record.version,
                                   status="Superseded", history=True)
    assert saved.status == "Superseded"


def test_without_a_workflow_status_is_the_editors_to_set(tmp_path):
    plain = Project(tmp_path, workflow=None)
    try:
        record = plain.records.create({"title": "Falls"}, user="ed", status="Approved")
        moved = plain.records.update(record.reference, {}, user="ed", expected_version=record.version,
                                     status="Superseded")
        assert moved.status == "Superseded"
    finally:
        plain.close()


def test_watchers_are_told_of_an_edit_and_the_editor_is_not(project):
    record = project.proposed()
    project.person("rae", "reader")
    project.person("ed", "editor")
    project.store.set_watching(record.reference, "rae", True)
    project.store.set_watching(record.reference, "ed", True)
    before = len(project.store.outbox.deliveries())
    saved = project.records.update(record.reference, {"title": "Sepsis in ED"}, user="ed",
                                   expected_version=record.version)
    edited = [d.notice for d in project.store.outbox.deliveries()][: len(project.store.outbox.deliveries()) - before]
    assert [(n.event, n.to, n.title) for n in edited] == [("edited", "rae@nhs.net", "Sepsis in ED")]
    assert edited[0].unsubscribe.startswith("/unsubscribe/")
    project.records.update(record.reference, {"title": "Sepsis in ED"}, user="ed", expected_version=saved.version)
    assert len(project.store.outbox.deliveries()) == before + 1     # a save changing nothing tells nobody
    assert project.store.get(record.reference).version == saved.version


def test_restoring_a_version_keeps_todays_status_unless_an_import_is_putting_back(project):
    record = project.proposed()
    first = project.store.history(record.reference)[0].record
    restored = project.records.restore_version(record.reference, first.version, user="ed",
                                               expected_version=record.version)
    assert restored.status == "Proposed"
    put_back = project.records.restore_version(record.reference, first.version, user="ada",
                                               expected_version=restored.version, history=True)
    assert put_back.status == "Draft"
