"""The members page when the account list refuses a change: the person managing members reads why, in the
message the account list gave, and nobody's role changes."""
from __future__ import annotations

from accesskit import html as page
from engine.access.accounts import AccountError

BUSY = "The account list is busy; nothing was changed. Try again."


def banner_titles(response) -> list[str]:
    return [h.get_text() for h in page(response).select(".nhsuk-notification-banner__title")]


def test_removing_someone_without_an_account_says_there_is_no_such_account(access_site):
    admin = access_site.client("admin", "staff")
    response = admin.post("/staff/members/ghost/revoke", follow_redirects=True)
    text = page(response).select_one("main").get_text()
    assert "There is no account called “ghost”." in text
    assert "had no role" not in text
    assert banner_titles(response) == ["Important"]      # a refusal, not a "Success"


def test_a_busy_account_list_is_reported_when_removing_a_role(access_site, monkeypatch):
    accounts = access_site.app.extensions["repo_engine"].accounts
    accounts.add("busybody")
    accounts.grant("busybody", "staff", "reader")

    def busy(*_args, **_kwargs):
        raise AccountError(BUSY)
    monkeypatch.setattr(accounts, "revoke", busy)
    response = access_site.client("admin", "staff").post("/staff/members/busybody/revoke",
                                                          follow_redirects=True)
    text = page(response).select_one("main").get_text()
    assert BUSY in text and "had no role" not in text
    assert banner_titles(response) == ["Important"]
    assert accounts.get("busybody").role_in("staff") == "reader"


def test_a_busy_account_list_is_shown_in_the_error_summary_when_giving_a_role(access_site, monkeypatch):
    accounts = access_site.app.extensions["repo_engine"].accounts
    accounts.add("waiting")

    def busy(*_args, **_kwargs):
        raise AccountError(BUSY)
    monkeypatch.setattr(accounts, "grant", busy)
    response = access_site.client("admin", "staff").post("/staff/members",
                                                          data={"username": "waiting", "role": "editor"})
    assert response.status_code == 400
    assert [a.get_text() for a in page(response).select(".nhsuk-error-summary__list a")] == [BUSY.rstrip(".")]
    assert accounts.get("waiting").role_in("staff") is None


def test_a_role_removed_is_reported_as_done(access_site):
    accounts = access_site.app.extensions["repo_engine"].accounts
    accounts.add("mover")
    accounts.grant("mover", "staff", "reader")
    response = access_site.client("admin", "staff").post("/staff/members/mover/revoke", follow_redirects=True)
    assert "mover no longer has a role in" in page(response).select_one("main").get_text()
    assert banner_titles(response) == ["Success"]
