"""Single sign-on against a real OpenID Connect provider (oidc-provider-mock) answering over HTTP on a thread:
discovery, the redirect, the code exchange, the signed ID token and its nonce are all the real thing."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests
from oidc_provider_mock import User, run_server_in_thread

from access_helpers import signed_in_as
from accesskit import html, make_site

# The provider is built on Authlib's server side, which warns about its own older calls.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

PERSON = User(sub="00000000-aaaa-4bbb-8ccc-000000000001",
              claims={"email": "alice.jones@nhs.net", "name": "Alice Jones"})
STARTER = User(sub="00000000-aaaa-4bbb-8ccc-000000000002",
               claims={"email": "New.Starter@NHS.net", "name": "New Starter"})


@pytest.fixture(scope="module")
def provider():
    with run_server_in_thread(require_nonce=True, user_claims=(PERSON, STARTER)) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def app(tmp_path, provider):
    site = make_site(tmp_path, OIDC_ISSUER=provider, OIDC_CLIENT_ID="repository-engine",
                     OIDC_CLIENT_SECRET="a client secret", OIDC_LABEL="Sign in with your NHS.net account")
    yield site.app
    site.app.extensions["repo_engine"].close()


def at_provider(client, next_path: str = "", choice: dict | None = None) -> str:
    """Start single sign-on, answer the provider's page as the person would; the URL it sends them back to."""
    start = client.get("/sign-in/sso" + (f"?next={next_path}" if next_path else ""))
    assert start.status_code == 302 and start.location.startswith("http://localhost:")
    answer = requests.post(start.location, data=choice or {"sub": PERSON.sub}, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:500]
    return answer.headers["Location"]


def come_back(client, url: str):
    parts = urlsplit(url)
    assert parts.path == "/sign-in/sso/return"
    return client.get(f"{parts.path}?{parts.query}")


def test_the_sign_in_page_offers_the_trust_account(app):
    page = html(app.test_client().get("/sign-in?next=/staff/"))
    button = page.select_one("main a.nhsuk-button")
    assert button.get_text(strip=True) == "Sign in with your NHS.net account"
    assert button["href"] == "/sign-in/sso?next=/staff/"


def test_first_sign_in_makes_an_account_with_no_roles_and_returns_to_the_page(app):
    client = app.test_client()
    response = come_back(client, at_provider(client, "/staff/project/"))
    assert response.status_code == 302 and response.location == "/staff/project/"
    page = html(client.get("/staff/project/"))
    assert page.select_one("[data-testid=signed-in-as]").get_text() == "Alice Jones"
    person = app.extensions["repo_engine"].accounts.get("alice.jones@nhs.net")
    assert person.roles == {} and not person.site_admin
    assert client.get("/closed/project/").status_code == 403      # staff, not a member


def test_signing_in_again_finds_the_same_account_with_its_roles(app):
    client = app.test_client()
    come_back(client, at_provider(client))
    accounts = app.extensions["repo_engine"].accounts
    accounts.grant("alice.jones@nhs.net", "closed", "editor")
    client = app.test_client()
    come_back(client, at_provider(client))
    assert [u.username for u in accounts.users() if u.email == "alice.jones@nhs.net"] == ["alice.jones@nhs.net"]
    assert client.get("/closed/project/").status_code == 200


def test_an_invitation_to_the_address_applies_on_first_sign_in_whatever_its_case(app):
    admin = app.test_client()
    signed_in_as(admin, app, "admin-closed")
    assert admin.post("/closed/members", data={"username": "new.starter@nhs.net", "role": "editor"}
                      ).status_code == 302
    client = app.test_client()
    come_back(client, at_provider(client, choice={"sub": STARTER.sub}))
    assert client.get("/closed/project/").status_code == 200
    accounts = app.extensions["repo_engine"].accounts
    assert accounts.get("new.starter@nhs.net").role_in("closed") == "editor"
    assert accounts.invited() == {}
    rows = html(admin.get("/closed/members")).select("tbody tr")
    assert not [row for row in rows if "Invited, not signed in yet" in row.get_text()]


def test_a_refusal_at_the_provider_signs_nobody_in(app):
    client = app.test_client()
    response = come_back(client, at_provider(client, choice={"action": "deny"}))
    assert response.status_code == 400
    assert "cancelled or refused" in html(response).select_one("main").get_text()
    assert client.get("/staff/").status_code == 302


def test_a_return_that_this_browser_did_not_start_is_refused(app):
    victim, attacker = app.test_client(), app.test_client()
    url = at_provider(attacker)             # the attacker's own code and state, sent to someone else
    at_provider(victim)
    response = come_back(victim, url)
    assert response.status_code == 400
    assert victim.get("/staff/").status_code == 302


def test_after_single_sign_on_it_never_goes_to_another_site(app):
    client = app.test_client()
    response = come_back(client, at_provider(client, "//evil.example/"))
    assert response.status_code == 302 and response.location == "/"
