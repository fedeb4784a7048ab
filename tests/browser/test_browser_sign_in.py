"""A member of staff signs in from a page, is brought back to it, and signs out again."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from access_helpers import PASSWORD
from browser_auth import account_nav, sign_in_with_form
from browser_site import STAFF, Site

pytestmark = pytest.mark.browser


def test_sign_in_from_a_page_comes_back_to_it_and_sign_out_ends_the_session(anonymous_page: Page, site: Site):
    page = anonymous_page
    page.goto(f"{site.browse}?q=sepsis")
    account_nav(page).get_by_role("link", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")

    assert sign_in_with_form(page, STAFF, PASSWORD) == 302
    expect(page).to_have_url(re.compile(re.escape(site.browse) + r"\?q=sepsis$"))
    expect(account_nav(page)).to_contain_text("Sam Staff")
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("You are signed in as Sam Staff")

    account_nav(page).get_by_role("link", name="My submissions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My submissions")

    account_nav(page).get_by_role("button", name="Sign out").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text("You have signed out")
    expect(account_nav(page).get_by_role("link", name="Sign in")).to_be_visible()
    page.goto("/mine")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


def test_a_wrong_password_is_explained_and_nobody_is_signed_in(anonymous_page: Page):
    page = anonymous_page
    page.goto("/sign-in")
    assert sign_in_with_form(page, STAFF, "not the password") == 400
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter a correct username and password")
    expect(page.get_by_label("Username")).to_have_value(STAFF)
    expect(account_nav(page)).to_have_count(0)      # the sign-in page itself offers no second sign-in link
