"""Adding someone who has not signed in yet: an admin gives a role to an email address, the members page shows
the invitation and can remove it, nobody can sign in as it, and the role applies when an account with that
address is made or first signs in."""
from __future__ import annotations

import json

import pytest
from argon2 import PasswordHasher

from access_helpers import PASSWORD
from accesskit import html
from engine.access.accounts import AccountError, Accounts

FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
STARTER = "new.starter@nhs.net"


@pytest.fixture
def accounts(tmp_path):
    return Accounts(tmp_path, hasher=FAST)


def test_an_invitation_is_kept_with_the_accounts_and_is_no_account(accounts, tmp_path):
    assert accounts.invite("New.Starter@NHS.net", "qi", "editor", by="ida") is None
    assert accounts.invited_to("qi") == [(STARTER, "editor")]
    assert accounts.invited_to("audit") == []
    assert len(accounts) == 0 and accounts.get(STARTER) is None
    assert accounts.check_password(STARTER, "") is None
    saved = json.loads((tmp_path / "accounts.json").read_text())
    assert saved["users"] == {}
    assert saved["invitations"][STARTER]["qi"]["role"] == "editor"
    assert saved["invitations"][STARTER]["qi"]["by"] == "ida"
    assert Accounts(tmp_path, hasher=FAST).invited() == {STARTER: {"qi": "editor"}}     # another worker


@pytest.mark.parametrize("email", [
    "new.starter", "new.starter@", "@nhs.net", "new starter@nhs.net", "new.starter@nhs", "a@b@nhs.net",
    "<script>@nhs.net", "new.starter@-nhs.net", "x" * 65 + "@nhs.net", "a@" + "b" * 250 + ".net", "",
])
def test_an_address_that_is_not_one_is_refused_and_nothing_is_written(accounts, tmp_path, email):
    accounts.add("ann")
    before = (tmp_path / "accounts.json").read_bytes()
    with pytest.raises(AccountError, match="Enter an email address in the correct format"):
        accounts.invite(email, "qi", "reader")
    assert (tmp_path / "accounts.json").read_bytes() == before


def test_a_role_that_does_not_exist_is_refused(accounts):
    with pytest.raises(AccountError, match="no role called “owner”"):
        accounts.invite(STARTER, "qi", "owner")
    assert accounts.invited() == {}


@pytest.mark.parametrize("username, email", [("nstarter", "New.Starter@nhs.net"), ("New.Starter@nhs.net", "")])
def test_a_local_account_made_with_the_address_takes_up_the_role(accounts, username, email):
    accounts.invite(STARTER, "qi", "editor")
    accounts.invite(STARTER, "audit", "reader")
    made = accounts.add(username, PASSWORD, email=email)
    assert dict(made.roles) == {"qi": "editor", "audit": "reader"}
    assert accounts.invited() == {}


def test_single_sign_on_with_the_address_in_any_case_takes_up_the_role(accounts):
    accounts.invite(STARTER, "qi", "contributor")
    person = accounts.find_or_add_sso("https://login.example|xyz", "NEW.Starter@nhs.NET", "New Starter")
    assert person.role_in("qi") == "contributor"
    assert accounts.invited() == {}


def test_an_account_made_with_another_address_leaves_the_invitation_waiting(accounts):
    accounts.invite(STARTER, "qi", "editor")
    assert accounts.add("someone", email="someone.else@nhs.net").roles == {}
    assert accounts.invited_to("qi") == [(STARTER, "editor")]


def test_inviting_the_address_of_an_existing_account_gives_that_account_the_role(accounts):
    accounts.add("ann", email="Ann.Smith@nhs.net")
    assert accounts.invite("ann.smith@nhs.net", "qi", "editor") == "ann"
    assert accounts.get("ann").role_in("qi") == "editor" and accounts.invited() == {}


def test_an_address_two_accounts_share_is_refused(accounts):
    accounts.add("ann", email="shared@nhs.net")
    accounts.add("ann2", email="shared@nhs.net")
    with pytest.raises(AccountError, match="More than one account has the email address shared@nhs.net"):
        accounts.invite("shared@nhs.net", "qi", "editor")


def test_withdrawing_an_invitation(accounts):
    accounts.invite(STARTER, "qi", "editor")
    accounts.invite(STARTER, "audit", "reader")
    assert accounts.withdraw("New.Starter@nhs.net", "qi") is True
    assert accounts.withdraw(STARTER, "qi") is False
    assert accounts.invited() == {STARTER: {"audit": "reader"}}
    accounts.add("nstarter", email=STARTER)
    assert dict(accounts.get("nstarter").roles) == {"audit": "reader"}


def test_an_accounts_file_from_before_invitations_is_read_and_can_take_them(tmp_path):
    (tmp_path / "accounts.json").write_text(json.dumps({"users": {}, "tokens": {}}))
    accounts = Accounts(tmp_path, hasher=FAST)
    assert accounts.invited() == {}
    accounts.invite(STARTER, "qi", "reader")
    assert accounts.invited_to("qi") == [(STARTER, "reader")]


# -- the members page ---------------------------------------------------------------------------------------

def give(client, who: str, role: str = "editor"):
    return client.post("/closed/members", data={"username": who, "role": role})


def invited_rows(client) -> list[list[str]]:
    rows = html(client.get("/closed/members")).select("tr[data-testid=invited]")
    return [[cell.get_text(" ", strip=True) for cell in row.select("td")] for row in rows]


def banner(response) -> str:
    return html(response).select_one(".nhsuk-notification-banner").get_text(" ", strip=True)


def test_an_admin_invites_by_email_and_the_page_shows_it_until_they_sign_in(access_site):
    admin = access_site.client("admin", "closed")
    response = give(admin, "Jo.Bloggs@nhs.net")
    assert response.status_code == 302
    assert ("jo.bloggs@nhs.net is invited as editor in The closed team. The role applies when they first "
            "sign in.") in banner(admin.get(response.location))
    assert invited_rows(admin) == [["jo.bloggs@nhs.net", "Invited, not signed in yet", "editor",
                                    "Remove the invitation of jo.bloggs@nhs.net"]]
    visitor = access_site.app.test_client()
    for password in ("", "anything at all"):
        assert visitor.post("/sign-in", data={"username": "jo.bloggs@nhs.net", "password": password}
                            ).status_code == 400
    assert visitor.get("/closed/project/").status_code == 302
    access_site.app.extensions["repo_engine"].accounts.add("jbloggs", PASSWORD, email="jo.bloggs@nhs.net")
    assert invited_rows(admin) == []
    members = {row.select("td")[1].get_text(): row.select("td")[2].get_text()
               for row in html(admin.get("/closed/members")).select("tbody tr")}
    assert members["jbloggs"] == "editor"


def test_an_admin_removes_an_invitation(access_site):
    admin = access_site.client("admin", "closed")
    admin.get(give(admin, "leaving.soon@nhs.net", "reader").location)
    response = admin.post("/closed/members/invited/leaving.soon@nhs.net/remove", follow_redirects=True)
    assert "The invitation of leaving.soon@nhs.net to The closed team has been removed." in banner(response)
    assert invited_rows(admin) == []
    again = admin.post("/closed/members/invited/leaving.soon@nhs.net/remove", follow_redirects=True)
    assert "leaving.soon@nhs.net had no invitation to The closed team." in banner(again)
    made = access_site.app.extensions["repo_engine"].accounts.add("leaver", email="leaving.soon@nhs.net")
    assert made.roles == {}


@pytest.mark.parametrize("who, message", [
    ("jo.bloggs@nhs", "Enter an email address in the correct format, like name@example.nhs.uk"),
    ("jo bloggs@nhs.net", "Enter an email address in the correct format, like name@example.nhs.uk"),
    ("nobody-here", "There is no account called “nobody-here”. To add someone who has not signed in yet, "
                    "enter their email address"),
    ("", "Enter the username or email address of the person to add"),
])
def test_what_cannot_be_invited_is_named_in_the_error_summary(access_site, who, message):
    admin = access_site.client("admin", "closed")
    response = give(admin, who)
    assert response.status_code == 400
    assert [a.get_text() for a in html(response).select(".nhsuk-error-summary__list a")] == [message]
    assert invited_rows(admin) == []


def test_the_form_asks_for_a_username_or_an_email_address(access_site):
    page = html(access_site.client("admin", "closed").get("/closed/members"))
    assert page.select_one("label[for=username]").get_text(strip=True) == "Username or email address"
    assert "has not signed in yet" in page.select_one("#username-hint").get_text()
