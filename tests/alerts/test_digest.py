"""``repo-engine digest``: each due alert's view read as its page reads it, the records new or changed since its
last digest queued as one notice in the site outbox, once per period."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from alertkit import SECRET, later
from engine.cli import main
from engine.notify.alerts import DAILY, WEEKLY, Alerts
from engine.notify.unsubscribe import read_token
from engine.store.outbox import site_outbox


def browse_alert(alert_site, query="q=falls&status=Active", frequency=DAILY, owner="ann"):
    return alert_site.alerts.add(owner, f"{owner}@example.nhs.uk", instance="qi", repository="project", query=query,
                                 title="Projects matching “falls”, Status: Active", frequency=frequency)


def test_a_browse_view_sends_only_its_new_records_once_a_day(alert_site):
    alert_site.create("Falls before the alert", status="Active")
    alert = browse_alert(alert_site)
    new = alert_site.create("Falls on ward 3", status="Active")
    alert_site.create("Falls not yet active", status="Proposed")        # not in the view
    alert_site.create("Sepsis screening", status="Active")              # not in the view
    tomorrow = later(1)

    run = alert_site.digest(tomorrow)

    assert run.queued == [alert.id]
    [notice] = alert_site.digests()
    assert (notice.event, notice.channel, notice.to) == ("digest", "email", "ann@example.nhs.uk")
    assert (notice.instance, notice.repository) == ("qi", "project")
    assert notice.key == f"digest:{alert.id}:{alert.period(tomorrow)}"
    assert notice.details["count"] == 1 and notice.details["query_words"] == alert.title
    assert notice.details["records"] == [{"reference": new.reference, "title": "Falls on ward 3",
                                          "status": "Active", "url": f"/qi/project/{new.reference}",
                                          "instance": "qi", "repository": "project"}]
    assert read_token(SECRET, notice.unsubscribe.removeprefix("/unsubscribe/")) == ("alert", alert.id)
    assert alert_site.alerts.get(alert.id).last_sent == tomorrow

    assert alert_site.digest(tomorrow + timedelta(hours=2)).queued == []      # the same day again: nothing
    assert len(alert_site.digests()) == 1


def test_the_next_digest_has_only_what_changed_since_the_last(alert_site):
    alert = browse_alert(alert_site)
    first = alert_site.create("Falls audit", status="Active")
    second = alert_site.create("Falls clinic", status="Active")
    alert_site.digest(later(1))
    alert_site.alerts.mark_sent(alert.id, later(0))      # as if that digest were sent just now
    records = alert_site.site.records(alert_site.hosted())
    records.update(second.reference, {"title": "Falls clinic, extended"}, user="editor", expected_version=1)

    alert_site.digest(later(2))

    latest = alert_site.digests()[-1]
    assert [r["reference"] for r in latest.details["records"]] == [second.reference]
    assert first.reference not in str(latest.details)


def test_nothing_new_sends_nothing_but_the_alert_is_marked(alert_site):
    alert_site.create("Falls before the alert", status="Active")
    alert = browse_alert(alert_site)
    run = alert_site.digest(later(1))
    assert run.quiet == [alert.id] and alert_site.digests() == []
    assert alert_site.alerts.get(alert.id).last_sent is not None


def test_a_weekly_alert_waits_for_the_next_week(alert_site):
    alert = browse_alert(alert_site, frequency=WEEKLY)
    alert_site.create("Falls weekly", status="Active")
    if alert.period(later(1)) == alert.period(alert.created):
        assert alert_site.digest(later(1)).queued == []
    assert alert_site.digest(later(7)).queued == [alert.id]


def test_a_trust_wide_search_reads_only_what_its_owner_may_read(alert_site):
    alert_site.create("Falls, made before the alerts")
    alert_site.alerts.add("ann", "ann@example.nhs.uk", instance="", repository="", query="q=falls",
                          title="Every repository matching “falls”", frequency=DAILY)
    editors = alert_site.alerts.add("editor", "editor@example.nhs.uk", instance="", repository="",
                                    query="q=falls&instance=closed", title="closed falls", frequency=DAILY)
    shown = alert_site.create("Falls in the open team")
    alert_site.create("Falls in the closed team", instance="closed")    # Ann has no role there
    alert_site.create("Pressure ulcers")

    alert_site.digest(later(1))

    anns, theirs = sorted(alert_site.digests(), key=lambda notice: notice.to != "ann@example.nhs.uk")
    assert (anns.instance, anns.repository) == ("", "")
    assert [r["reference"] for r in anns.details["records"]] == [shown.reference]
    assert anns.details["records"][0]["instance"] == "qi"
    # the editor reads both teams, and asked for the closed one alone
    assert theirs.key.startswith(f"digest:{editors.id}:")
    assert [r["title"] for r in theirs.details["records"]] == ["Falls in the closed team"]


def test_the_command_queues_digests_signed_with_the_sites_own_key(alert_site, monkeypatch, capsys):
    alert = browse_alert(alert_site, query="q=falls")
    alert_site.create("Falls in the corridor")
    paths = alert_site.site.paths
    root = Path(alert_site.app.config["DATA"]).parent
    monkeypatch.setenv("REPO_ENGINE_DATA", alert_site.app.config["DATA"])
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("REPO_ENGINE_SECRET_KEY", raising=False)
    argv = ["--schemas", str(root / "schemas"), "--instances", str(root / "instances"), "digest",
            "--now", later(1).isoformat()]

    assert main(argv) == 0
    assert "1 digest queued" in capsys.readouterr().out
    assert main(argv) == 0
    assert "0 digests queued" in capsys.readouterr().out

    outbox = site_outbox(paths)
    [delivery] = outbox.deliveries()
    outbox.close()
    key = (paths.site_data / ".secret_key").read_text().strip()      # what the web app signs with, unset
    token = delivery.notice.unsubscribe.removeprefix("/unsubscribe/")
    assert read_token(key, token) == ("alert", alert.id)
    assert Alerts(paths.site_data).get(alert.id).last_sent is not None


def test_the_command_refuses_a_time_it_cannot_read(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["digest", "--now", "tomorrow"])
    assert stopped.value.code == 2
    assert "is not a time" in capsys.readouterr().err


def test_a_person_who_may_no_longer_read_the_list_is_sent_nothing(alert_site):
    alert = alert_site.alerts.add("ann", "ann@example.nhs.uk", instance="closed", repository="project",
                                  query="", title="Projects", frequency=DAILY)
    alert_site.create("Closed team's new project", instance="closed")
    assert alert_site.digest(later(1)).quiet == [alert.id]
    assert alert_site.digests() == []


def test_an_owner_without_an_account_or_an_address_is_sent_nothing(alert_site):
    gone = browse_alert(alert_site, owner="someone-removed")
    alert_site.site.accounts.add("noaddress")
    silent = alert_site.alerts.add("noaddress", "", instance="qi", repository="project", query="",
                                   title="Projects", frequency=DAILY)
    alert_site.create("Falls", status="Active")
    run = alert_site.digest(later(1))
    assert sorted(run.quiet) == sorted([gone.id, silent.id]) and alert_site.digests() == []
