"""Who is told what: each kind of ``to:``, webhooks, watchers without a rule (with their unsubscribe links),
one notice per address, and never the person who did it."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

import pytest

from engine.notify.notice import EMAIL, WEBHOOK
from engine.notify.recipients import Notifier
from engine.notify.unsubscribe import read_token, watch_path
from engine.schema.model import Audience, NotifyRule
from engine.store.base import Record
from workflowkit import APPROVE, SECRET, SEND_BACK

NOW = datetime(2026, 1, 5, tzinfo=timezone.utc)


def record(created_by: str = "cat", **values) -> Record:
    return Record("QI-0003", "Proposed", NOW, created_by, NOW, created_by, 2,
                  {"title": "Sepsis screening", "start_date": "2026-01-05", **values})


@pytest.fixture
def people(project):
    """An editor, an admin, a contributor who submits, a reader, and an editor with no address."""
    project.person("ed", "editor")
    project.person("ada", "admin")
    project.person("cat", "contributor", email="Cat.Jones@NHS.net")
    project.person("rae", "reader")
    project.person("noemail", "editor", email="")
    return project


def notifier(project, watching=frozenset(), secret=SECRET, notify=None) -> Notifier:
    rtype = project.rtype if notify is None else replace(project.rtype, notify=notify)
    return Notifier(project.instance, rtype, project.accounts, lambda reference: frozenset(watching), secret)


def emails(notices) -> list[str]:
    return sorted(n.to.lower() for n in notices if n.channel == EMAIL)


def test_a_submitted_record_is_told_to_the_roles_it_names_and_its_webhook(people):
    cat = people.accounts.get("cat")
    notices = notifier(people).submitted({"title": "Sepsis screening"}, "Draft", cat)
    assert emails(notices) == ["ada@nhs.net", "ed@nhs.net"]     # editors and higher, with an address
    hook = [n for n in notices if n.channel == WEBHOOK]
    assert [(n.to, n.secret_env) for n in hook] == [("TEAMS_QI_WEBHOOK", "TEAMS_QI_SECRET")]
    first = notices[0]
    assert (first.event, first.instance, first.repository, first.reference, first.title, first.status) == \
        ("submitted", "qi", "project", "", "Sepsis screening", "Draft")
    assert (first.actor, first.actor_name) == ("cat", "Cat")


def test_an_editor_submitting_is_not_told_of_their_own_record(people):
    notices = notifier(people).submitted({"title": "Falls"}, "Draft", people.accounts.get("ed"))
    assert emails(notices) == ["ada@nhs.net"]


def test_an_action_tells_the_person_a_field_names_by_address_and_the_creator(people):
    notices = notifier(people).acted(record(lead_email="Lee.Ann@example.org"), APPROVE, "Well done",
                                     people.accounts.get("ed"))
    assert emails(notices) == ["cat.jones@nhs.net", "lee.ann@example.org"]
    assert {(n.event, n.action, n.comment, n.status) for n in notices} == {("action", "Approve", "Well done", "Approved")}


def test_a_field_holding_a_username_reaches_that_accounts_address(people):
    notices = notifier(people).acted(record(lead_email="RAE"), APPROVE, "", people.accounts.get("ed"))
    assert emails(notices) == ["cat.jones@nhs.net", "rae@nhs.net"]


def test_the_actor_is_never_told_by_username_or_by_address_in_any_case(people):
    cat = people.accounts.get("cat")
    lead_is_cat = record(lead_email="CAT.JONES@nhs.net")
    assert emails(notifier(people).acted(lead_is_cat, APPROVE, "", cat)) == []
    ada = people.accounts.get("ada")
    assert emails(notifier(people).acted(record(created_by="ada", lead_email="ada"), APPROVE, "", ada)) == []


def test_one_notice_per_address_however_many_ways_it_is_reached(people):
    rules = (NotifyRule("action", Audience(roles=("editor",), fields=("lead_email",), creator=True)),
             NotifyRule("action", Audience(roles=("admin",)), action="Approve"))
    notices = notifier(people, watching={"ada", "cat"}, notify=rules).acted(
        record(lead_email="ada@NHS.net"), APPROVE, "", people.accounts.get("rae"))
    assert emails(notices) == ["ada@nhs.net", "cat.jones@nhs.net", "ed@nhs.net"]


def test_a_rule_for_one_action_is_not_told_of_another(people):
    notices = notifier(people).acted(record(lead_email="lee@example.org"), SEND_BACK, "Add the aim",
                                     people.accounts.get("ed"))
    assert notices == []


def test_a_rule_for_every_action_is_told_of_each(people):
    rules = (NotifyRule("action", Audience(roles=("admin",))),)
    for action in (APPROVE, SEND_BACK):
        notices = notifier(people, notify=rules).acted(record(), action, "", people.accounts.get("ed"))
        assert emails(notices) == ["ada@nhs.net"]


def test_watchers_are_told_of_every_action_comment_and_edit_with_a_link_to_stop(people):
    tell = notifier(people, watching={"rae", "ed"}, notify=())
    ed = people.accounts.get("ed")
    for notices in (tell.acted(record(), SEND_BACK, "Add the aim", ed), tell.commented(record(), "Looks good", ed),
                    tell.edited(record(), ed)):
        assert emails(notices) == ["rae@nhs.net"]           # ed watches too, but did it
        assert notices[0].unsubscribe == watch_path(SECRET, "qi", "project", "QI-0003", "rae")
        token = notices[0].unsubscribe.rsplit("/", 1)[1]
        assert read_token(SECRET, token) == ("watch", "qi", "project", "QI-0003", "rae")
    assert [n.event for n in (tell.commented(record(), "Looks good", ed))] == ["commented"]
    assert tell.commented(record(), "Looks good", ed)[0].comment == "Looks good"


def test_watchers_get_no_link_without_a_secret_and_nothing_of_a_new_record(people):
    tell = notifier(people, watching={"rae"}, secret=None, notify=())
    assert [n.unsubscribe for n in tell.edited(record(), people.accounts.get("ed"))] == [""]
    assert tell.submitted({"title": "New"}, "Draft", people.accounts.get("ed")) == []


def test_a_watcher_also_named_by_a_rule_is_told_once(people):
    rules = (NotifyRule("commented", Audience(roles=("reader",))),)
    notices = notifier(people, watching={"rae"}, notify=rules).commented(record(), "Hello", people.accounts.get("ed"))
    assert emails(notices).count("rae@nhs.net") == 1


def test_a_rule_naming_watchers_adds_them_to_an_event_they_are_not_told_of_otherwise(people):
    rules = (NotifyRule("edited", Audience(watchers=True)),)
    notices = notifier(people, watching={"rae"}, notify=rules).edited(record(), people.accounts.get("ed"))
    assert emails(notices) == ["rae@nhs.net"]


def test_the_creator_known_only_by_an_imported_address_is_told(people):
    notices = notifier(people).commented(record(created_by="old.lead@example.org"), "Still running?",
                                         people.accounts.get("ed"))
    assert emails(notices) == ["old.lead@example.org"]


def test_people_without_an_address_and_names_that_are_no_one_are_skipped(people):
    rules = (NotifyRule("edited", Audience(fields=("lead_email",), creator=True)),)
    notices = notifier(people, notify=rules).edited(record(created_by="noemail", lead_email="Somebody Else"),
                                                    people.accounts.get("ed"))
    assert notices == []


def test_the_title_is_the_records_title_or_its_reference(people):
    ed = people.accounts.get("ed")
    assert notifier(people, watching={"rae"}).edited(record(), ed)[0].title == "Sepsis screening"
    untitled = replace(record(), values={})
    assert notifier(people, watching={"rae"}).edited(untitled, ed)[0].title == "QI-0003"
