"""``repo-engine remind``: one reminder per remind offset crossed, each queued once however often it runs, the
overdue one once the date has passed, to the review owner (an address, or the account a field names) and to
whoever the type's ``review_due`` / ``review_overdue`` rules name."""
from __future__ import annotations

from datetime import timedelta

import pytest

from engine.cli import main
from engine.notify.notice import EMAIL, WEBHOOK
from engine.review.audience import address_of
from engine.review.remind import queue_reminders
from reviewkit import INSTANCE, REPO, TODAY

OWNER = "aisha.rahman@example.nhs.uk"


def remind(opened, today=TODAY):
    """The reminders one run queues."""
    return list(queue_reminders(opened.instance, opened.rtype, opened.store, opened.accounts, today).reminders)


def queued(opened):
    return sorted((d.notice for d in opened.store.outbox.deliveries()), key=lambda n: (n.reference, n.key))


def run_cli(opened, *args: str) -> int:
    paths = opened.paths
    return main(["--schemas", str(paths.schemas), "--instances", str(paths.instances), "remind", *args])


@pytest.fixture(autouse=True)
def data_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("REPO_ENGINE_DATA", str(tmp_path / "data"))


def test_a_guideline_due_in_30_days_gets_exactly_one_reminder_from_two_runs(guidelines, capsys):
    record = guidelines.add(days=30)
    for _ in range(2):
        assert run_cli(guidelines, "--today", TODAY.isoformat()) == 0
    [notice] = queued(guidelines)
    due = (TODAY + timedelta(days=30)).isoformat()
    assert (notice.event, notice.channel, notice.to, notice.reference) == ("review_due", EMAIL, OWNER, "GL-0001")
    assert notice.key == f"review:{INSTANCE}:{REPO}:{record.reference}:{due}:30"
    assert dict(notice.details) == {"due": due, "days": 30}
    assert notice.title == "Sepsis in adults" and notice.status == "Approved"
    first, second = capsys.readouterr().out.strip().splitlines()
    assert first == f"{INSTANCE}/{REPO}: Queued 1 reminder: GL-0001 due in 30 days ({OWNER})"
    assert second == f"{INSTANCE}/{REPO}: No reminders to queue."


def test_each_offset_is_reminded_once_as_the_days_pass(guidelines):
    guidelines.add(days=100)
    offsets = []
    for day in range(0, 104):       # every day from 100 days before to 3 days after the due date
        for reminder in remind(guidelines, TODAY + timedelta(days=day)):
            offsets.append((day, reminder.offset))
    assert offsets == [(10, 90), (70, 30), (100, 0), (101, None)]
    assert [n.key.rsplit(":", 1)[1] for n in queued(guidelines)] == ["0", "30", "90", "overdue"]


def test_a_guideline_first_seen_late_gets_only_the_latest_offset(guidelines):
    guidelines.add(days=25)         # past the 90 and 30 day marks already: one reminder, the 30 day one
    assert [r.offset for r in remind(guidelines)] == [30]
    assert remind(guidelines) == []


def test_an_overdue_guideline_is_reminded_once_under_its_overdue_key(guidelines):
    record = guidelines.add(days=-12)
    [reminder] = remind(guidelines)
    assert reminder.words() == f"GL-0001 overdue since {reminder.state.due_words} ({OWNER})"
    assert remind(guidelines, TODAY + timedelta(days=1)) == []
    [notice] = queued(guidelines)
    due = (TODAY - timedelta(days=12)).isoformat()
    assert notice.event == "review_overdue"
    assert notice.key == f"review:{INSTANCE}:{REPO}:{record.reference}:{due}:overdue"
    assert dict(notice.details) == {"due": due, "days": -12}


def test_a_review_date_changed_later_gets_reminders_of_its_own(guidelines):
    record = guidelines.add(days=20)
    assert len(remind(guidelines)) == 1
    later = (TODAY + timedelta(days=10)).isoformat()
    guidelines.store.update(record.reference, {**record.values, "review_date": later}, user="ann",
                            expected_version=record.version)
    [reminder] = remind(guidelines)
    assert reminder.key.endswith(f":{later}:30")
    assert len(queued(guidelines)) == 2


@pytest.mark.parametrize("status", ["Superseded", "Withdrawn"])
def test_closed_guidelines_are_never_reminded(guidelines, status):
    guidelines.add(days=-5, status=status)
    guidelines.add(days=0, status=status)
    assert remind(guidelines) == [] and queued(guidelines) == []


def test_guidelines_not_yet_near_their_date_or_undated_are_not_reminded(guidelines):
    guidelines.add(days=91)
    guidelines.add(days=None)
    assert remind(guidelines) == []


def test_the_owner_is_the_account_a_field_names_when_it_is_not_an_address(guidelines):
    accounts = guidelines.accounts
    accounts.add("arahman", name="Dr Aisha Rahman", email="Aisha.Rahman@example.nhs.uk")
    accounts.add("noaddress", name="Dr No Address")
    assert address_of(accounts, "owner@example.nhs.uk") == "owner@example.nhs.uk"
    assert address_of(accounts, "arahman") == "aisha.rahman@example.nhs.uk"
    assert address_of(accounts, "Dr Aisha Rahman") == "aisha.rahman@example.nhs.uk"
    assert address_of(accounts, "noaddress") is None
    assert address_of(accounts, "Somebody unknown") is None
    assert address_of(accounts, "") is None


def test_a_guideline_with_no_owner_to_reach_is_reported_each_run_and_queues_nothing(guidelines, capsys):
    guidelines.add(days=0, owner_email=None)
    guidelines.add(days=0, owner_email="Dr Nobody")     # names no account
    for _ in range(2):
        assert run_cli(guidelines, "--today", TODAY.isoformat()) == 0
    assert queued(guidelines) == []
    said = f"{INSTANCE}/{REPO}: No reminders to queue. Nobody to remind of GL-0001, GL-0002: no owner's " \
           "address and no notify rule."
    assert capsys.readouterr().out.strip().splitlines() == [said, said]


def test_rules_add_roles_fields_and_webhooks_each_queued_once(ruled):
    ruled.accounts.add("ed", name="Ed Itor", email="ed@example.nhs.uk")
    ruled.accounts.grant("ed", INSTANCE, "editor")
    ruled.accounts.add("rita", name="Rita Reader", email="rita@example.nhs.uk")
    ruled.accounts.grant("rita", INSTANCE, "reader")
    ruled.add("Overdue", days=-3, pharmacist="pharm@example.nhs.uk")
    ruled.add("Due", days=30)
    for _ in range(2):
        remind(ruled)
    told = {(n.reference, n.event, n.channel, n.to) for n in queued(ruled)}
    assert told == {("GL-0001", "review_overdue", EMAIL, OWNER),
                    ("GL-0001", "review_overdue", EMAIL, "ed@example.nhs.uk"),
                    ("GL-0001", "review_overdue", EMAIL, "pharm@example.nhs.uk"),
                    ("GL-0002", "review_due", EMAIL, OWNER),
                    ("GL-0002", "review_due", WEBHOOK, "TEAMS_GUIDELINES_WEBHOOK")}
    keys = [n.key for n in queued(ruled)]
    assert len(set(keys)) == len(keys) == 5
    assert all(key.startswith("review:cg:guideline:GL-000") for key in keys)


def test_the_command_names_repositories_and_refuses_a_bad_day(guidelines, capsys):
    guidelines.add(days=0)
    assert run_cli(guidelines, "--today", TODAY.isoformat(), INSTANCE, REPO) == 0
    assert capsys.readouterr().out.strip() == f"{INSTANCE}/{REPO}: Queued 1 reminder: GL-0001 due today ({OWNER})"
    with pytest.raises(SystemExit):
        run_cli(guidelines, "--today", "2 December")
    assert run_cli(guidelines, INSTANCE, "nothing-here") == 1
