"""Signing in and out the way a person does: the header's link, the form's labels, the Sign out button."""
from __future__ import annotations

from playwright.sync_api import Page


def sign_in_with_form(page: Page, username: str, password: str) -> int:
    """Fill in and send the sign-in form on the current page; the HTTP status of the post."""
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.get_by_role("button", name="Sign in").click()
    return posted.value.status


def account_nav(page: Page):
    return page.get_by_role("navigation", name="Account")
