"""The members and bin pages when they cannot do or show everything: a role the account list refuses to change
is reported in its words (nobody's role changes), and a bin longer than it lists says so."""
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


def test_a_bin_longer_than_it_lists_says_how_many_it_holds(access_site, monkeypatch):
    from engine.web.views import manage
    site = access_site.app.extensions["repo_engine"]
    repository = site.repository("staff", "project")
    for n in range(3):
        record = site.records(repository).create({"title": f"Binned {n}"}, user="editor-staff")
        site.store(repository).delete(record.reference, user="editor-staff")
    monkeypatch.setattr(manage, "BIN_SHOWN", 2)
    main = page(access_site.client("admin", "staff").get("/staff/bin")).select_one("main")
    assert len(main.select("tbody tr")) == 2
    assert "Projects: the 2 most recently deleted of 3 are listed." in main.get_text(" ", strip=True)
