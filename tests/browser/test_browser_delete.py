"""An editor deletes a record by mistake, through the page that asks first, and an admin restores it from the bin."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from browser_site import ADMIN, Site

pytestmark = pytest.mark.browser


@pytest.fixture
def record(live_app, site: Site) -> str:
    """A QI project made for this test alone: its reference."""
    engine = live_app.extensions["repo_engine"]
    hosted = engine.repository(site.instance, site.repository)
    sample = engine.store(hosted).get("QI-0001").values
    values = {**{name: value for name, value in sample.items() if name != "documents"},
              "title": "Hand hygiene on the acute medical unit"}
    return engine.records(hosted).create(values, user=ADMIN).reference


def test_delete_asks_first_then_the_bin_restores_the_record(page: Page, site: Site, record: str):
    page.goto(site.record(record))
    page.get_by_role("button", name=f"Delete {record}").click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(f"Are you sure you want to delete Hand hygiene on the acute medical unit ({record})?")

    page.get_by_role("link", name="Cancel").click()
    expect(page).to_have_url(site.record(record))     # nothing deleted: the record page opens again
    page.get_by_role("button", name=f"Delete {record}").click()
    page.get_by_role("button", name="Delete record").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text(f"{record} has been deleted")
    assert page.goto(site.record(record)).status == 404

    page.goto(f"/{site.instance}/bin")
    page.get_by_role("button", name=f"Restore {record}").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text(f"{record} has been restored")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hand hygiene on the acute medical unit")
