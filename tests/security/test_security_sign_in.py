"""Hostile input to the sign-in and members forms: markup in a username or role is shown as text, a ``next``
address never leads to another site, and very long or odd values get the usual message."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from access_helpers import PASSWORD, add_account
from hostile import CONTROL_CHARACTERS, XSS_PAYLOADS, assert_no_injected_markup, page_of

OFF_SITE = [
    "//evil.example/", "https://evil.example/", "http:evil.example", "/\\evil.example", "\\\\evil.example",
    "/\t/evil.example", "/%09/evil.example", "javascript:alert(1)", "data:text/html,<script>alert(1)</script>",
    " //evil.example", "/\x00/evil.example", "https:/\\evil.example", "//evil.example@qi/",
]


@pytest.fixture
def visitor(app):
    add_account(app, "nina", role="reader", password=PASSWORD)
    return app.test_client()


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_markup_in_the_username_is_shown_back_as_text(visitor, payload):
    response = visitor.post("/sign-in", data={"username": payload, "password": "wrong", "next": payload})
    assert response.status_code == 400
    page = assert_no_injected_markup(response)
    assert page.select_one("#username")["value"] == payload.strip()


@pytest.mark.parametrize("target", OFF_SITE)
def test_after_signing_in_a_next_address_never_leaves_the_site(visitor, target):
    form = page_of(visitor.get("/sign-in", query_string={"next": target}))
    assert_no_injected_markup(visitor.get("/sign-in", query_string={"next": target}))
    kept = form.select_one("input[name=next]")
    assert kept is None or not urlsplit(kept["value"]).netloc
    response = visitor.post("/sign-in", data={"username": "nina", "password": PASSWORD, "next": target})
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.netloc in ("", "localhost") and location.scheme in ("", "http"), response.headers["Location"]
    assert not location.path.startswith("//") and "\\" not in location.path


def test_a_next_address_on_the_site_is_followed(visitor):
    response = visitor.post("/sign-in", data={"username": "nina", "password": PASSWORD,
                                              "next": "/qi/qi-project/?q=falls"})
    assert response.headers["Location"] == "/qi/qi-project/?q=falls"


@pytest.mark.parametrize("username, password", [("x" * 100_000, "y"), ("nina", "p" * 100_000)]
                         + [(text, text) for text in CONTROL_CHARACTERS])
def test_very_long_or_odd_credentials_are_refused_with_the_usual_message(visitor, username, password):
    response = visitor.post("/sign-in", data={"username": username, "password": password})
    assert response.status_code in (400, 429)
    assert page_of(response).select_one(".nhsuk-error-summary")
    assert_no_injected_markup(response)


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_markup_given_as_a_member_or_role_is_shown_back_as_text(app, payload):
    from access_helpers import sign_in
    admin = app.test_client()
    sign_in(admin, app, "ida", role="admin")
    before = [(user.username, role) for user, role in app.extensions["repo_engine"].accounts.members("qi")]
    for data in ({"username": payload, "role": "editor"}, {"username": "nina", "role": payload}):
        response = admin.post("/qi/members", data=data)
        assert response.status_code == 400
        assert_no_injected_markup(response)
        assert page_of(response).select_one(".nhsuk-error-summary")
    revoke = admin.post(f"/qi/members/{payload.replace('/', '%2F')}/revoke")
    assert revoke.status_code in (302, 400, 404)
    assert_no_injected_markup(admin.get("/qi/members"))
    after = [(user.username, role) for user, role in app.extensions["repo_engine"].accounts.members("qi")]
    assert after == before
