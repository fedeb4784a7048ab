"""Who may take an action, who may in words, and why an action or a status change is refused."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

import pytest

from engine.access.policy import ANONYMOUS, User
from engine.schema.model import Action, Audience
from engine.store.base import Record
from engine.workflow import available, may_act, refusals, status_refusal, who_words
from workflowkit import APPROVE, CLOSE, SEND_BACK, SUBMIT, WORKFLOW

NOW = datetime(2026, 1, 5, tzinfo=timezone.utc)


def record(status: str = "Proposed", created_by: str = "cat", **values) -> Record:
    return Record("QI-0003", status, NOW, created_by, NOW, created_by, 2, {"title": "Sepsis screening", **values})


def person(username: str, role: str | None = None, email: str = "", site_admin: bool = False) -> User:
    return User(username, email=email, roles={"qi": role} if role else {}, site_admin=site_admin)


@pytest.mark.parametrize("who, role, allowed", [
    ("editor", "editor", True),
    ("editor", "admin", True),          # a role includes the higher ones
    ("editor", "contributor", False),
    ("editor", None, False),
    ("contributor", "editor", True),
    ("admin", "editor", False),
])
def test_a_role_allows_that_role_and_higher(who, role, allowed):
    action = replace(APPROVE, who=Audience(roles=(who,)))
    assert may_act(person("dan", role), "qi", action, record()) is allowed


def test_a_role_in_another_instance_allows_nothing_here():
    dan = User("dan", roles={"audit": "admin"})
    assert not may_act(dan, "qi", APPROVE, record())


def test_a_site_admin_holds_every_role():
    assert may_act(person("root", site_admin=True), "qi", APPROVE, record())


def test_the_creator_may_take_a_creator_action_and_no_one_else_without_a_role():
    draft = record("Draft", created_by="cat")
    assert may_act(person("cat", "contributor"), "qi", SUBMIT, draft)
    assert not may_act(person("bob", "contributor"), "qi", SUBMIT, draft)


@pytest.mark.parametrize("value", ["Lee.Ann@NHS.net", "lee.ann@nhs.net ", "ann", "ANN", ["x@nhs.net", "ann"]])
def test_the_person_a_field_names_by_email_or_username_in_any_case(value):
    ann = person("ann", "reader", email="lee.ann@nhs.net")
    assert may_act(ann, "qi", APPROVE, record(lead_email=value))


def test_a_field_naming_someone_else_allows_nothing():
    ann = person("ann", "reader", email="lee.ann@nhs.net")
    assert not may_act(ann, "qi", APPROVE, record(lead_email="bob@nhs.net"))
    assert not may_act(ann, "qi", APPROVE, record())


def test_nobody_signed_out_may_act_whatever_the_record_says():
    assert not may_act(ANONYMOUS, "qi", SUBMIT, record("Draft", created_by=""))
    assert not may_act(ANONYMOUS, "qi", APPROVE, record(lead_email=""))
    anyone = replace(APPROVE, who=Audience(roles=("reader",)))
    assert not may_act(ANONYMOUS, "qi", anyone, record())


@pytest.mark.parametrize("who, words", [
    (Audience(roles=("editor",)), "editors"),
    (Audience(roles=("editor",), fields=("lead_email",)), "editors or the person named in Project lead"),
    (Audience(creator=True), "the person who submitted it"),
    (Audience(roles=("contributor", "editor"), creator=True),
     "contributors, editors or the person who submitted it"),
    (Audience(), "no one"),
])
def test_who_may_in_words(project, who, words):
    assert who_words(project.rtype, replace(APPROVE, who=who)) == words


def test_the_actions_someone_may_take_now(project):
    editor, creator = person("ed", "editor"), person("cat", "contributor")
    assert [a.name for a in available(editor, "qi", project.rtype, record("Proposed"))] == ["Approve", "Send back"]
    assert [a.name for a in available(creator, "qi", project.rtype, record("Draft"))] == ["Submit for review"]
    assert available(creator, "qi", project.rtype, record("Proposed")) == []
    assert available(editor, "qi", project.rtype, record("Approved")) == []     # Close is for admins
    assert available(editor, "qi", replace(project.rtype, workflow=None), record("Proposed")) == []


def test_an_action_from_another_status_is_refused_saying_why(project):
    assert refusals(project.rtype, APPROVE, record("Approved"), "") == {
        "status": "Approve can only be used on a record that is Proposed; QI-0003 is Approved."}
    either = replace(SEND_BACK, from_statuses=("Proposed", "Approved"))
    assert refusals(project.rtype, either, record("Draft"), "Please look again")["status"] == \
        "Send back can only be used on a record that is Proposed or Approved; QI-0003 is Draft."


def test_a_required_field_left_empty_is_named_in_the_forms_words(project):
    assert refusals(project.rtype, APPROVE, record(start_date=None), "") == {
        "start_date": "Enter start date before you approve this improvement project"}
    longer = replace(SUBMIT, requires=("lead_email",))
    assert refusals(project.rtype, longer, record("Draft"), "") == {
        "lead_email": "Enter project lead before you use Submit for review"}


def test_a_comment_required_is_asked_for_and_one_not_taken_is_refused(project):
    assert refusals(project.rtype, SEND_BACK, record(), "  \n") == {"comment": "Enter a comment to send back"}
    assert refusals(project.rtype, SUBMIT, record("Draft"), "Ready") == {
        "comment": "Submit for review does not take a comment: leave it empty"}
    assert refusals(project.rtype, SEND_BACK, record(), "x" * 5001) == {
        "comment": "Comment must be 5,000 characters or fewer"}


def test_an_action_that_may_be_taken_has_no_refusals(project):
    assert refusals(project.rtype, APPROVE, record(start_date="2026-01-05"), "") == {}
    assert refusals(project.rtype, SEND_BACK, record(), "Add the aim") == {}
    assert refusals(project.rtype, CLOSE, record("Approved"), "") == {}


def test_a_status_change_outside_the_actions_names_them_and_who_may_use_them(project):
    assert status_refusal(project.rtype, "Proposed", "Approved") == (
        "The status of an improvement project changes only through its actions. "
        "From Proposed: Approve (editors or the person named in Project lead), Send back (editors).")
    assert status_refusal(project.rtype, "Closed", "Draft") == (
        "The status of an improvement project changes only through its actions. No action starts from Closed.")


def test_no_refusal_without_a_change_or_without_a_workflow(project):
    assert status_refusal(project.rtype, "Proposed", "Proposed") is None
    assert status_refusal(project.rtype, "Proposed", None) is None
    assert status_refusal(replace(project.rtype, workflow=None), "Proposed", "Approved") is None


def test_the_workflow_finds_an_action_by_its_slug_or_name():
    assert WORKFLOW.action("send-back") is SEND_BACK
    assert WORKFLOW.action("Send back") is SEND_BACK
    assert WORKFLOW.action("publish") is None
    assert isinstance(APPROVE, Action)
