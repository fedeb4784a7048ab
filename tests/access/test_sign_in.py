"""Signing in with a username and password, and out again: the form, its messages, the limit on guessing,
where it goes afterwards (never to another site), and CSRF on both posts."""
from __future__ import annotations

import pytest

from access_helpers import PASSWORD
from accesskit import html


def token(client, path="/sign-in") -> str:
    return html(client.get(path)).select_one("input[name=csrf_token]")["value"]


def sign_in(client, username="ann", password=PASSWORD, next_path=None):
    data = {"csrf_token": token(client), "username": username, "password": password}
    if next_path is not None:
        data["next"] = next_path
    return client.post("/sign-in", data=data)


def test_signing_in_returns_to_the_page_asked_for_and_shows_who_is_signed_in(app):
    client = app.test_client()
    assert client.get("/closed/project/").location == "/sign-in?next=/closed/project/"
    page = html(client.get("/sign-in?next=/closed/project/"))
    assert page.select_one("input[name=next]")["value"] == "/closed/project/"
    response = sign_in(client, next_path="/closed/project/")
    assert response.status_code == 302 and response.location == "/closed/project/"
    page = html(client.get("/closed/project/"))
    assert page.select_one("[data-testid=signed-in-as]").get_text() == "Ann Smith"
    assert page.select_one(".nhsuk-header__account-button").get_text() == "Sign out"


def test_a_wrong_password_and_an_unknown_user_get_the_same_message(app):
    client = app.test_client()
    for username, password in (("ann", "not the password"), ("nobody", PASSWORD)):
        response = sign_in(client, username, password)
        assert response.status_code == 400
        assert html(response).select_one(".nhsuk-error-summary__list a").get_text() == \
            "Enter a correct username and password"
    assert client.get("/closed/project/").status_code == 302


def test_empty_fields_are_named(app):
    response = sign_in(app.test_client(), "", "")
    assert [a.get_text() for a in html(response).select(".nhsuk-error-summary__list a")] == [
        "Enter your username", "Enter your password"]


def test_repeated_wrong_passwords_are_refused_for_a_while_even_with_the_right_one(app):
    client = app.test_client()
    for _ in range(5):
        assert sign_in(client, password="a wrong guess").status_code == 400
    response = sign_in(client)
    assert response.status_code == 429
    assert "Too many attempts to sign in" in html(response).select_one(".nhsuk-error-summary").get_text()
    assert client.get("/closed/project/").status_code == 302


@pytest.mark.parametrize("hostile", [
    "https://evil.example/", "//evil.example/", "/\\evil.example/", "\\\\evil.example", "/\t/evil.example",
    "javascript:alert(1)", "evil.example", "https:/evil.example", "",
])
def test_after_sign_in_it_never_goes_to_another_site(app, hostile):
    response = sign_in(app.test_client(), next_path=hostile)
    assert response.status_code == 302
    assert response.location == "/"


def test_sign_out_is_a_post_with_its_csrf_token(app):
    client = app.test_client()
    sign_in(client)
    assert client.get("/sign-out", follow_redirects=True).status_code in (404, 405)    # a link cannot
    assert client.post("/sign-out").status_code == 400               # no CSRF token: refused
    assert client.get("/closed/project/").status_code == 200
    response = client.post("/sign-out", data={"csrf_token": token(client, "/closed/project/")})
    assert response.status_code == 302
    assert client.get("/closed/project/").status_code == 302


def test_sign_in_without_its_csrf_token_is_refused(app):
    response = app.test_client().post("/sign-in", data={"username": "ann", "password": PASSWORD})
    assert response.status_code == 400
    assert html(response).select_one("main h1").get_text() == "Your form could not be sent"


def test_a_session_from_before_sign_in_is_not_kept(app):
    client = app.test_client()
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    sign_in(client)
    with client.session_transaction() as session:
        assert "planted" not in session and session["user"] == "ann"


def test_without_single_sign_on_configured_only_the_password_form_shows(app):
    page = html(app.test_client().get("/sign-in"))
    assert page.select_one("form input[name=password]") is not None
    assert not [a for a in page.select("main a") if "/sign-in/sso" in a.get("href", "")]
    assert app.test_client().get("/sign-in/sso").status_code == 404
