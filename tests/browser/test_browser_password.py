"""A member of staff changes their password from the header, and signs in with the new one."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from access_helpers import PASSWORD
from browser_auth import account_nav, sign_in_with_form

pytestmark = pytest.mark.browser

USERNAME = "browser-changer"      # an account of this test's own: the shared ones keep their passwords
NEW = "seven tired herons at dusk"


def test_a_password_changed_from_the_header_is_the_one_that_signs_in(anonymous_page: Page, live_app):
    page = anonymous_page
    live_app.extensions["repo_engine"].accounts.add(USERNAME, PASSWORD, name="Chris Changer")
    page.goto("/sign-in")
    assert sign_in_with_form(page, USERNAME, PASSWORD) == 302

    account_nav(page).get_by_role("link", name="Change password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill(NEW)
    page.get_by_label("Confirm your new password").fill(NEW + " typo")
    page.get_by_role("button", name="Change password").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("The passwords you entered do not match")
    summary.get_by_role("link").click()
    expect(page.get_by_label("Confirm your new password")).to_be_focused()

    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill(NEW)
    page.get_by_label("Confirm your new password").fill(NEW)
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Your password has been changed")

    account_nav(page).get_by_role("button", name="Sign out").click()
    page.goto("/sign-in")
    assert sign_in_with_form(page, USERNAME, PASSWORD) == 400
    assert sign_in_with_form(page, USERNAME, NEW) == 302
    expect(account_nav(page)).to_contain_text("Chris Changer")
