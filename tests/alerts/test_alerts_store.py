"""The alerts file: saving, listing, changing and removing alerts, the limit per person, when a digest is due,
and a damaged file refused rather than read as no alerts."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from engine.notify.alerts import (DAILY, MAX_ALERTS_PER_PERSON, WEEKLY, AlertNotFound, AlertRefused, Alerts,
                                  AlertsDamaged, TooManyAlerts, normalised)

MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)


def save(alerts: Alerts, owner: str = "ann", query: str = "q=falls", frequency: str = DAILY, now=MONDAY, **kw):
    where = {"instance": "qi", "repository": "project", **kw}
    return alerts.add(owner, f"{owner}@example.nhs.uk", query=query, title=f"Projects {query}",
                      frequency=frequency, now=now, **where)


def test_an_alert_is_kept_with_its_query_normalised(tmp_path):
    alerts = Alerts(tmp_path)
    saved = save(alerts, query="?q=falls&page=3&status=Active&per_page=50&state=")
    assert saved.query == "q=falls&status=Active"
    assert saved.path == "/qi/project/?q=falls&status=Active"
    again = Alerts(tmp_path)        # another worker reads the same file
    assert again.owned_by("ann") == [saved]
    assert again.get(saved.id).created == MONDAY and again.get(saved.id).last_sent is None
    assert again.owned_by("bob") == []


def test_the_trust_wide_search_is_kept_without_a_repository(tmp_path):
    saved = save(Alerts(tmp_path), instance="", repository="")
    assert saved.trust_wide and saved.path == "/search?q=falls"


def test_saving_the_same_view_again_changes_it_rather_than_adding_one(tmp_path):
    alerts = Alerts(tmp_path)
    first = save(alerts)
    second = save(alerts, query="q=falls&page=2", frequency=WEEKLY)
    assert second.id == first.id and second.frequency == WEEKLY
    assert len(alerts.owned_by("ann")) == 1


def test_one_person_may_keep_at_most_fifty(tmp_path):
    alerts = Alerts(tmp_path)
    for number in range(MAX_ALERTS_PER_PERSON):
        save(alerts, query=f"q=topic{number}")
    with pytest.raises(TooManyAlerts):
        save(alerts, query="q=one+more")
    assert len(Alerts(tmp_path).owned_by("ann")) == MAX_ALERTS_PER_PERSON
    assert save(alerts, owner="bob").owner == "bob"      # someone else is not held to Ann's count


def test_frequency_is_changed_only_by_its_owner_and_only_to_a_known_one(tmp_path):
    alerts = Alerts(tmp_path)
    saved = save(alerts)
    assert alerts.change_frequency(saved.id, WEEKLY, owner="ann").frequency == WEEKLY
    with pytest.raises(AlertNotFound):
        alerts.change_frequency(saved.id, DAILY, owner="bob")
    with pytest.raises(AlertRefused):
        alerts.change_frequency(saved.id, "hourly", owner="ann")
    with pytest.raises(AlertRefused):
        save(alerts, query="q=other", frequency="monthly")
    assert Alerts(tmp_path).get(saved.id).frequency == WEEKLY


def test_removing_an_alert(tmp_path):
    alerts = Alerts(tmp_path)
    saved, kept = save(alerts), save(alerts, query="q=sepsis")
    with pytest.raises(AlertNotFound):
        alerts.remove(saved.id, owner="bob")
    alerts.remove(saved.id, owner="ann")
    assert Alerts(tmp_path).owned_by("ann") == [kept]
    with pytest.raises(AlertNotFound):
        alerts.get(saved.id)


@pytest.mark.parametrize("frequency, not_yet, due", [
    (DAILY, MONDAY + timedelta(hours=14), MONDAY + timedelta(days=1, minutes=-500)),
    (WEEKLY, MONDAY + timedelta(days=6, hours=14), MONDAY + timedelta(days=7)),
])
def test_a_digest_is_due_once_a_period(tmp_path, frequency, not_yet, due):
    alerts = Alerts(tmp_path)
    saved = save(alerts, frequency=frequency)
    assert alerts.due(not_yet) == []            # made in this period: its first digest is the next period's
    assert [a.id for a in alerts.due(due)] == [saved.id]
    alerts.mark_sent(saved.id, due)
    assert alerts.due(due + timedelta(hours=1)) == []
    assert Alerts(tmp_path).get(saved.id).last_sent == due


def test_a_missing_file_is_no_alerts(tmp_path):
    assert Alerts(tmp_path).all() == [] and not (tmp_path / "alerts.json").exists()


@pytest.mark.parametrize("damage", [
    b"", b"{\"format\": 1, \"alerts\": {", b"[]", b"{\"format\": 2, \"alerts\": {}}",
    b"{\"format\": 1, \"alerts\": {\"aaaaaaaaaaaaaaaaaaaa\": {\"owner\": \"ann\"}}}",
])
def test_a_damaged_file_is_refused_never_read_as_empty(tmp_path, damage):
    alerts = Alerts(tmp_path)
    save(alerts)
    (tmp_path / "alerts.json").write_bytes(damage)
    for read in (lambda: alerts.owned_by("ann"), lambda: alerts.due(MONDAY + timedelta(days=2)),
                 lambda: save(alerts, query="q=new")):
        with pytest.raises(AlertsDamaged):
            read()
    assert (tmp_path / "alerts.json").read_bytes() == damage       # nothing written over it
    assert Alerts(tmp_path).verify()


def test_normalised_drops_the_page_and_empty_values():
    assert normalised("page=2&q=falls+risk&per_page=10&status=") == "q=falls+risk"
    assert normalised("") == ""
