"""Saved-search alerts the way a person uses them: "Alert me" on a list, Your alerts and watches, the unsubscribe
page a mail links to, and the site admins' outbox, each passing an axe-core audit."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import Page, expect

from browser_axe import assert_accessible
from browser_site import ADMIN, Site
from engine.notify.notice import Notice
from engine.notify.unsubscribe import alert_path

pytestmark = pytest.mark.browser


def test_saving_an_alert_from_a_list_and_reading_it_on_your_alerts(page: Page, site: Site):
    page.goto(f"{site.browse}?q=falls&state=open")
    page.get_by_role("button", name="Alert me").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Get an alert about this list")
    assert_accessible(page)
    page.get_by_role("button", name="Save alert").click()          # nothing chosen yet: the page says so
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Choose how often")
    page.get_by_label("Every week").check()
    page.get_by_role("button", name="Save alert").click()

    expect(page).to_have_url(f"{site.browse}?q=falls&state=open")
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text("Alert saved")
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Alerts").click()
    row = page.locator("[data-testid=alerts] tbody tr").filter(has_text="matching “falls”")
    expect(row).to_have_count(1)
    expect(row.get_by_role("combobox")).to_have_value("weekly")
    assert_accessible(page)

    row.get_by_role("combobox").select_option("daily")
    row.get_by_role("button", name="Change").click()
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text("Every day")
    assert_accessible(page)


def test_the_unsubscribe_page_needs_no_sign_in(anonymous_page: Page, live_app):
    alerts = live_app.extensions["repo_engine_alerts"]
    alert = alerts.add(ADMIN, "admin@example.nhs.uk", instance="", repository="", query="q=sepsis",
                       title="Every repository matching “sepsis”", frequency="daily")
    anonymous_page.goto(alert_path(live_app.config["SECRET_KEY"], alert.id))
    expect(anonymous_page.get_by_role("main")).to_contain_text("Every repository matching “sepsis”")
    assert_accessible(anonymous_page)
    anonymous_page.get_by_role("button", name="Unsubscribe").click()
    expect(anonymous_page.get_by_role("heading", level=1)).to_have_text("You have unsubscribed")
    assert all(kept.id != alert.id for kept in alerts.all())
    assert_accessible(anonymous_page)

    assert anonymous_page.goto("/unsubscribe/made-up").status == 404
    expect(anonymous_page.get_by_role("heading", level=1)).to_have_text("This unsubscribe link is not valid")
    assert_accessible(anonymous_page)


def test_the_outbox_page_and_its_resend_button(page: Page, live_app, site: Site):
    app_site = live_app.extensions["repo_engine"]
    outbox = app_site.store(app_site.repository(site.instance, site.repository)).outbox
    notice = Notice(event="edited", channel="email", to="lead@example.nhs.uk", instance=site.instance,
                    repository=site.repository, reference="QI-0001", title="A project")
    outbox.queue([notice])
    now = datetime.now(timezone.utc)
    claimed = outbox.claim(holder="browser-test", now=now, lease=timedelta(minutes=1), limit=500)
    for delivery in claimed:
        retry = None if delivery.id == notice.id else now - timedelta(seconds=1)
        outbox.failed(delivery.id, "550 mailbox unavailable", now=now, retry_at=retry)

    page.goto("/admin/outbox")
    row = page.locator(f"[data-testid=failed] tr[data-notice='{notice.id}']")
    expect(row).to_contain_text("550 mailbox unavailable")
    assert_accessible(page)
    row.get_by_role("button", name="Resend").click()
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text("sent again")
    expect(page.locator(f"[data-testid=failed] tr[data-notice='{notice.id}']")).to_have_count(0)
