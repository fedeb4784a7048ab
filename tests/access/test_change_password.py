"""Changing one's own password: the page linked from the header, its messages, the guessing limit on the current
password, a fresh session afterwards, and the page for people whose password their organisation manages."""
from __future__ import annotations

import pytest

from access_helpers import PASSWORD, accounts
from accesskit import html
from engine.web.auth.session import session_for

NEW = "a brand new passphrase"
PAGE = "/account/password"


def token(client, path=PAGE) -> str:
    return html(client.get(path)).select_one("input[name=csrf_token]")["value"]


def signed_in(app, username="ann", password=PASSWORD):
    client = app.test_client()
    response = client.post("/sign-in", data={"csrf_token": token(client, "/sign-in"), "username": username,
                                             "password": password})
    assert response.status_code == 302
    return client


def change(client, current=PASSWORD, new=NEW, confirm=NEW):
    return client.post(PAGE, data={"csrf_token": token(client), "current": current, "new": new,
                                   "confirm": confirm})


def problems(response) -> list[str]:
    return [a.get_text() for a in html(response).select(".nhsuk-error-summary__list a")]


def test_the_header_links_to_the_page_and_it_asks_for_both_passwords(app):
    client = signed_in(app)
    link = html(client.get("/")).select_one(".nhsuk-header__account a[href='/account/password']")
    assert link.get_text() == "Change password"
    page = html(client.get(PAGE))
    assert page.select_one("main h1").get_text() == "Change your password"
    assert [(label.get_text(), page.select_one(f"#{label['for']}")["type"]) for label in page.select("main label")] \
        == [("Current password", "password"), ("New password", "password"), ("Confirm your new password", "password")]


def test_someone_not_signed_in_is_sent_to_sign_in_first(app):
    assert app.test_client().get(PAGE).location == "/sign-in?next=/account/password"


def test_under_a_path_prefix_signing_in_first_comes_back_to_the_page(app):
    client = app.test_client()
    prefix = "http://localhost/library"
    sent_to = client.get(PAGE, base_url=prefix).location
    assert sent_to == "/library/sign-in?next=/library/account/password"
    form = html(client.get(sent_to.removeprefix("/library"), base_url=prefix))
    response = client.post("/sign-in", base_url=prefix, data={
        "csrf_token": form.select_one("input[name=csrf_token]")["value"], "username": "ann",
        "password": PASSWORD, "next": form.select_one("input[name=next]")["value"]})
    assert response.location == "/library/account/password"


def test_the_new_password_works_the_old_one_does_not_and_the_session_is_fresh(app):
    client = signed_in(app)
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    before = client.get_cookie("session").value
    old_token = token(client)
    response = change(client)
    assert response.status_code == 302 and response.location == "/"
    banner = html(client.get("/")).select_one(".nhsuk-notification-banner--success")
    assert banner.get_text(" ", strip=True).endswith("Your password has been changed.")
    with client.session_transaction() as session:
        assert session["user"] == "ann" and "planted" not in session
    assert client.get_cookie("session").value != before
    assert token(client) != old_token
    assert accounts(app).check_password("ann", PASSWORD) is None
    assert accounts(app).check_password("ann", NEW).username == "ann"


@pytest.mark.parametrize("current, new, confirm, expected", [
    ("", "", "", ["Enter your current password", "Enter a new password"]),
    (PASSWORD, "too short", "too short", ["Your new password must be at least 10 characters long"]),
    (PASSWORD, NEW, "", ["Enter your new password again to confirm it"]),
    (PASSWORD, NEW, NEW + " but typed differently", ["The passwords you entered do not match"]),
    ("not my password", NEW, NEW, ["Your current password is not correct"]),
])
def test_each_problem_is_named_and_nothing_changes(app, current, new, confirm, expected):
    client = signed_in(app)
    response = change(client, current, new, confirm)
    assert response.status_code == 400
    assert problems(response) == expected
    assert html(response).select_one("title").get_text().startswith("Error: ")
    first = html(response).select_one(".nhsuk-error-summary__list a")["href"]
    assert html(response).select_one(first)["aria-describedby"].split()[-1] == first[1:] + "-error"
    assert accounts(app).check_password("ann", PASSWORD) is not None


def test_wrong_current_passwords_count_towards_the_sign_in_limit(app):
    client = signed_in(app)
    for _ in range(5):
        assert change(client, current="a wrong guess").status_code == 400
    response = change(client)
    assert response.status_code == 429
    assert problems(response)[0].startswith("Too many attempts to sign in")
    assert accounts(app).check_password("ann", PASSWORD) is not None
    fresh = app.test_client()
    refused = fresh.post("/sign-in", data={"csrf_token": token(fresh, "/sign-in"), "username": "ann",
                                           "password": PASSWORD})
    assert refused.status_code == 429


def test_the_change_needs_its_csrf_token(app):
    client = signed_in(app)
    response = client.post(PAGE, data={"current": PASSWORD, "new": NEW, "confirm": NEW})
    assert response.status_code == 400
    assert html(response).select_one("main h1").get_text() == "Your form could not be sent"
    assert accounts(app).check_password("ann", PASSWORD) is not None


def test_someone_signed_in_with_their_organisation_is_told_who_manages_their_password(app):
    accounts(app).find_or_add_sso("https://login.example/tenant|abc", "sso@example.nhs.uk", "Sue Sso")
    client = app.test_client()
    with app.app_context():
        signed_in = session_for("sso@example.nhs.uk")
    with client.session_transaction() as session:
        session.update(signed_in)
    page = html(client.get(PAGE))
    assert "Your password is managed by your organisation" in page.select_one("main").get_text()
    assert page.select_one("main input[type=password]") is None
    csrf = html(client.get("/")).select_one("input[name=csrf_token]")["value"]
    response = client.post(PAGE, data={"csrf_token": csrf, "current": "x", "new": NEW, "confirm": NEW})
    assert response.status_code == 400
    assert not accounts(app).has_password("sso@example.nhs.uk")


def test_a_new_password_ends_every_other_session_of_that_person(app):
    """Someone who changes their password because it leaked signs the other holder of it out too."""
    mine, theirs = signed_in(app), signed_in(app)
    assert html(theirs.get("/mine")).select_one("h1").get_text(strip=True) == "My submissions"
    assert change(mine).status_code == 302
    assert mine.get("/mine").status_code == 200                           # this session was renewed
    assert theirs.get("/mine").status_code == 302                         # the other one was ended
    assert theirs.get("/mine").headers["Location"].startswith("/sign-in")


def test_a_password_set_from_the_command_line_ends_the_sessions_too(app):
    client = signed_in(app)
    accounts(app).set_password("ann", NEW)
    assert client.get("/mine").status_code == 302
