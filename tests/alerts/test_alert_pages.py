"""The pages: "Alert me" on a browse page and on the trust-wide search, Your alerts and watches (frequency,
delete, stop watching), and the site admins' outbox with its Resend button."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from alertkit import html
from engine.notify.alerts import DAILY, WEEKLY
from engine.notify.notice import FAILED, PENDING, Notice

VIEW = "/qi/project/?q=falls&status=Active"


def test_alert_me_is_offered_to_people_signed_in_only(alert_site):
    assert html(alert_site.client(None).get(VIEW)).select_one("form.app-alert-me") is None
    form = html(alert_site.client("ann").get(VIEW + "&page=1")).select_one("form.app-alert-me")
    assert form["action"] == "/qi/project/alert" and form["method"] == "post"
    assert form.select_one("input[name=query]")["value"] == "q=falls&status=Active&page=1"
    assert form.button.get_text(" ", strip=True).startswith("Alert me")
    search = html(alert_site.client("ann").get("/search?q=falls")).select_one("form.app-alert-me")
    assert search["action"] == "/search/alert"
    assert html(alert_site.client(None).get("/search?q=falls")).select_one("form.app-alert-me") is None


def test_saving_an_alert_from_a_browse_page(alert_site):
    client = alert_site.client("ann")
    choose = client.post("/qi/project/alert", data={"query": "q=falls&status=Active&page=3"})
    page = html(choose)
    assert choose.status_code == 200
    assert page.select_one("[data-testid=alert-title]").get_text() == "Projects matching “falls”, Status: Active"
    assert [radio["value"] for radio in page.select("input[name=frequency]")] == [DAILY, WEEKLY]
    assert alert_site.alerts.owned_by("ann") == []        # nothing saved before a frequency is chosen

    unchosen = client.post("/qi/project/alert", data={"query": "q=falls&status=Active", "chosen": "1"})
    assert unchosen.status_code == 400
    assert html(unchosen).select_one(".nhsuk-error-summary a")["href"] == "#frequency"

    saved = client.post("/qi/project/alert", data={"query": "q=falls&status=Active&page=3", "chosen": "1",
                                                   "frequency": WEEKLY})
    assert saved.status_code == 302 and saved.location == VIEW
    banner = html(client.get(saved.location)).select_one(".nhsuk-notification-banner--success")
    assert "Alert saved" in banner.get_text()
    [alert] = alert_site.alerts.owned_by("ann")
    assert (alert.instance, alert.repository, alert.query, alert.frequency, alert.email) == (
        "qi", "project", "q=falls&status=Active", WEEKLY, "ann@example.nhs.uk")


def test_saving_a_trust_wide_search(alert_site):
    client = alert_site.client("ann")
    saved = client.post("/search/alert", data={"query": "q=falls&instance=qi&state=open", "frequency": DAILY})
    assert saved.status_code == 302 and saved.location == "/search?q=falls&instance=qi&state=open"
    [alert] = alert_site.alerts.owned_by("ann")
    assert alert.trust_wide
    assert alert.title == "Every repository under way now matching “falls”, Department: The qi team"
    nothing = client.post("/search/alert", data={"query": "", "frequency": DAILY})
    assert nothing.status_code == 302 and len(alert_site.alerts.owned_by("ann")) == 1


def test_someone_not_signed_in_is_sent_to_sign_in_and_nothing_is_saved(alert_site):
    response = alert_site.client(None).post("/qi/project/alert", data={"query": "q=falls", "frequency": DAILY})
    assert response.status_code == 302 and response.location.startswith("/sign-in?next=")
    assert alert_site.alerts.all() == []


def test_a_members_only_list_is_refused_to_others(alert_site):
    response = alert_site.client("ann").post("/closed/project/alert", data={"query": "", "frequency": DAILY})
    assert response.status_code == 403 and alert_site.alerts.all() == []


def add(alert_site, owner="ann", query="q=falls"):
    return alert_site.alerts.add(owner, f"{owner}@example.nhs.uk", instance="qi", repository="project",
                                 query=query, title=f"Projects {query}", frequency=DAILY)


def test_your_alerts_lists_changes_and_deletes_them(alert_site):
    mine, other = add(alert_site), add(alert_site, query="q=sepsis")
    add(alert_site, owner="editor", query="q=theirs")
    client = alert_site.client("ann")
    page = html(client.get("/account/alerts"))
    rows = page.select("[data-testid=alerts] tbody tr")
    assert [row.a.get_text() for row in rows] == ["Projects q=falls", "Projects q=sepsis"]
    assert rows[0].a["href"] == "/qi/project/?q=falls"
    assert page.select_one("nav[aria-label=Account] a[href='/account/alerts']")

    changed = client.post(f"/account/alerts/{mine.id}/frequency", data={"frequency": WEEKLY})
    assert changed.status_code == 302
    assert alert_site.alerts.get(mine.id).frequency == WEEKLY
    assert client.post(f"/account/alerts/{mine.id}/frequency", data={"frequency": "hourly"}).status_code == 302
    assert alert_site.alerts.get(mine.id).frequency == WEEKLY

    assert client.post(f"/account/alerts/{other.id}/delete").status_code == 302
    assert [a.id for a in alert_site.alerts.owned_by("ann")] == [mine.id]


def test_another_persons_alert_is_not_found(alert_site):
    theirs = add(alert_site, owner="editor")
    client = alert_site.client("ann")
    assert client.post(f"/account/alerts/{theirs.id}/frequency", data={"frequency": WEEKLY}).status_code == 404
    assert client.post(f"/account/alerts/{theirs.id}/delete").status_code == 404
    assert alert_site.alerts.get(theirs.id).frequency == DAILY


def test_watches_are_listed_and_stopped(alert_site):
    record = alert_site.create("Falls audit")
    alert_site.store().set_watching(record.reference, "ann", True)
    client = alert_site.client("ann")
    row = html(client.get("/account/alerts")).select_one(f"[data-watch='{record.reference}']")
    assert row.a.get_text() == "Falls audit" and row.a["href"] == f"/qi/project/{record.reference}"

    stopped = client.post(f"/account/watching/qi/project/{record.reference}/stop")

    assert stopped.status_code == 302 and stopped.location == "/account/alerts"
    assert alert_site.store().watchers(record.reference) == frozenset()
    assert html(client.get("/account/alerts")).select_one("[data-watch]") is None


def test_a_watch_where_one_can_no_longer_read_shows_no_title(alert_site):
    record = alert_site.create("Closed team secret", instance="closed")
    alert_site.store("closed").set_watching(record.reference, "ann", True)
    row = html(alert_site.client("ann").get("/account/alerts")).select_one(f"[data-watch='{record.reference}']")
    assert "Closed team secret" not in row.get_text() and row.a is None
    assert row.select_one("form button")


# -- the outbox ---------------------------------------------------------------------------------------------
def given_up(alert_site) -> Notice:
    """A notice in the qi store's outbox whose sending failed for good."""
    notice = Notice(event="edited", channel="email", to="lead@example.nhs.uk", instance="qi", repository="project",
                    reference="PR-0001", title="Falls audit")
    outbox = alert_site.store().outbox
    outbox.queue([notice])
    now = datetime.now(timezone.utc)
    [claimed] = outbox.claim(holder="test", now=now, lease=timedelta(minutes=1))
    outbox.failed(claimed.id, "550 mailbox unavailable", now=now, retry_at=None)
    waiting = Notice(event="commented", channel="webhook", to="TEAMS_QI_WEBHOOK", instance="qi")
    outbox.queue([waiting])
    return notice


def test_the_outbox_page_lists_failed_and_pending_deliveries_of_every_outbox(alert_site):
    notice = given_up(alert_site)
    page = html(alert_site.client("root").get("/admin/outbox"))
    counts = {dd["data-state"]: dd.get_text() for dd in page.select("[data-testid=counts] dd")}
    assert counts == {"failed": "1", "pending": "1", "sending": "0", "sent": "0"}
    failed = page.select_one(f"[data-testid=failed] tr[data-notice='{notice.id}']")
    cells = [cell.get_text(" ", strip=True) for cell in failed.select("td")]
    assert "Edited of PR-0001" in cells[0] and cells[1] == "lead@example.nhs.uk"
    assert cells[2] == "1" and "550 mailbox unavailable" in cells[3]
    assert "Webhook TEAMS_QI_WEBHOOK" in page.select_one("[data-testid=pending]").get_text()


def test_resend_makes_a_failed_delivery_pending_again(alert_site):
    notice = given_up(alert_site)
    response = alert_site.client("root").post(f"/admin/outbox/{notice.id}/resend")
    assert response.status_code == 302 and response.location == "/admin/outbox"
    states = {d.id: d.state for d in alert_site.store().outbox.deliveries()}
    assert states[notice.id] == PENDING
    assert alert_site.client("root").post("/admin/outbox/nothing-by-that-id/resend").status_code == 404


def test_the_site_outbox_is_listed_too(alert_site):
    from engine.store.outbox import site_outbox
    outbox = site_outbox(alert_site.site.paths)
    outbox.queue([Notice(event="digest", channel="email", to="ann@example.nhs.uk", instance="", key="d:1")])
    outbox.close()
    page = html(alert_site.client("root").get("/admin/outbox"))
    assert "alert digests" in page.select_one("[data-testid=pending]").get_text()


@pytest.mark.parametrize("who, status", [(None, 302), ("ann", 403), ("editor", 403)])
def test_the_outbox_is_for_site_admins_only(alert_site, who, status):
    notice = given_up(alert_site)
    client = alert_site.client(who)
    assert client.get("/admin/outbox").status_code == status
    assert client.post(f"/admin/outbox/{notice.id}/resend").status_code == status
    assert {d.id: d.state for d in alert_site.store().outbox.deliveries()}[notice.id] == FAILED
