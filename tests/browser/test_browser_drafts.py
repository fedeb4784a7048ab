"""A member of staff saves a half-finished project as a draft, finds it on My submissions, is told what is
missing when they submit it, finishes it and gets a reference; each draft page passes the accessibility audit."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from browser_axe import assert_accessible
from browser_forms import REFERENCE_URL, Project, error_summary, fill_required
from browser_site import Site

pytestmark = pytest.mark.browser

TITLE = "Earlier mobilisation after hip fracture surgery"
DRAFT_URL = re.compile(r"/drafts/[A-Za-z0-9_-]{16,}$")


def save_as_draft(page: Page) -> None:
    page.get_by_role("button", name="Save as draft").click()
    page.wait_for_url(DRAFT_URL)


def test_a_draft_is_saved_unfinished_then_submitted_with_every_rule(page: Page, site: Site):
    page.goto(site.new)
    page.get_by_label("Project title", exact=True).fill(TITLE)
    save_as_draft(page)
    draft = page.url
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Your draft has been saved")
    expect(page.get_by_label("Project title", exact=True)).to_have_value(TITLE)
    expect(page.locator(".app-draft-note")).to_contain_text("no reference until it is submitted")
    assert_accessible(page)

    page.get_by_role("link", name="My submissions").first.click()
    drafts = page.get_by_role("table", name="Your drafts")
    expect(drafts.get_by_role("link", name=TITLE, exact=True)).to_have_attribute("href", re.compile(DRAFT_URL.pattern))
    assert_accessible(page)
    drafts.get_by_role("link", name=TITLE, exact=True).click()
    expect(page).to_have_url(draft)

    page.get_by_role("button", name="Submit", exact=True).click()
    summary = error_summary(page)
    expect(summary.get_by_role("link", name=re.compile("aim", re.I))).to_be_visible()
    expect(page).to_have_url(draft)
    expect(page.get_by_label("Project title", exact=True)).to_have_value(TITLE)
    assert_accessible(page)

    fill_required(page, Project(title=TITLE))
    page.get_by_role("button", name="Submit", exact=True).click()
    page.wait_for_url(REFERENCE_URL)
    reference = page.url.rsplit("/", 1)[1]
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text(f"{reference} has been saved")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)

    page.goto("/mine")
    expect(page.get_by_role("table", name="Your drafts")).to_have_count(0)
    expect(page.get_by_role("link", name=reference)).to_be_visible()


def test_a_draft_is_deleted_from_my_submissions_after_asking(page: Page, site: Site):
    page.goto(site.new)
    page.get_by_label("Project title", exact=True).fill("A draft nobody needs")
    save_as_draft(page)
    page.goto("/mine")
    page.get_by_role("link", name="Delete the draft A draft nobody needs").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Are you sure you want to delete the draft “A draft nobody needs”?")
    assert_accessible(page)
    page.get_by_role("button", name="Delete draft").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("has been deleted")
    expect(page.get_by_role("link", name="A draft nobody needs")).to_have_count(0)
