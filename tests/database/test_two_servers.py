"""Two application servers, each with a data folder of its own, on one PostgreSQL database: one site. What
one server keeps (an account, a role, a draft, an alert, the count of wrong passwords, the secret key that
signs sessions, a spreadsheet held between an import's check and its confirm) the other sees on its next
request, and neither writes anything to its own disk."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from access_helpers import PASSWORD, signed_in_as
from engine.store.base import Query
from engine.web.app import create_app
from web.conftest import write_project


def _server(root: Path, number: int, url: str):
    return create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, "SIGN_IN_ATTEMPTS": 2,
                       "SCHEMAS": str(root / "schemas"), "INSTANCES": str(root / "instances"),
                       "DATA": str(root / f"data-{number}"), "DATABASE_URL": url})


@pytest.fixture
def servers(tmp_path, postgres_url):
    write_project(tmp_path)
    both = (_server(tmp_path, 1, postgres_url), _server(tmp_path, 2, postgres_url))
    yield both
    for app in both:
        app.extensions["repo_engine"].close()


def _site(app):
    return app.extensions["repo_engine"]


def _sign_in(app, username: str, password: str = PASSWORD):
    return app.test_client().post("/sign-in", data={"username": username, "password": password})


def test_an_account_added_on_one_server_signs_in_on_the_other(servers):
    first, second = servers
    _site(first).accounts.add("ann", PASSWORD, name="Ann Smith")
    _site(first).accounts.grant("ann", "qi", "editor")
    response = _sign_in(second, "ann")
    assert response.status_code == 302 and not response.location.startswith("/sign-in")
    assert _site(second).accounts.get("ann").role_in("qi") == "editor"


def test_a_role_revoked_on_one_server_is_refused_by_the_other_on_the_next_request(servers):
    first, second = servers
    _site(first).accounts.add("ann", PASSWORD)
    _site(first).accounts.grant("ann", "qi", "admin")
    client = signed_in_as(second.test_client(), second, "ann")
    assert client.get("/qi/members").status_code == 200
    _site(first).accounts.revoke("ann", "qi")
    assert client.get("/qi/members").status_code == 403


def test_a_session_begun_on_one_server_is_good_on_the_other(servers):
    first, second = servers
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    _site(first).accounts.add("ann", PASSWORD)
    client = first.test_client()
    client.post("/sign-in", data={"username": "ann", "password": PASSWORD})
    cookie = client.get_cookie("session")
    other = second.test_client()
    other.set_cookie(cookie.key, cookie.value)
    assert other.get("/account/alerts").status_code == 200


def test_wrong_passwords_are_counted_across_servers(servers):
    first, second = servers
    _site(first).accounts.add("ann", PASSWORD)
    assert _sign_in(first, "ann", "a wrong guess").status_code == 400
    assert _sign_in(second, "ann", "another guess").status_code == 400
    refused = _sign_in(first, "ann", PASSWORD)          # the limit (2) is reached, whichever server counted
    assert refused.status_code == 429 and "Too many attempts" in refused.get_data(as_text=True)


def test_a_draft_saved_on_one_server_is_seen_on_the_other(servers):
    first, second = servers
    _site(first).accounts.add("ann", PASSWORD)
    _site(first).accounts.grant("ann", "qi", "contributor")
    saved = signed_in_as(first.test_client(), first, "ann").post(
        "/qi/qi-project/drafts", data={"title": "Falls on wards", "save_draft": "1"})
    assert saved.status_code == 302
    page = signed_in_as(second.test_client(), second, "ann").get(saved.location)
    assert page.status_code == 200
    title = BeautifulSoup(page.get_data(as_text=True), "html.parser").select_one("input[name=title]")
    assert title["value"] == "Falls on wards"


def test_an_alert_saved_on_one_server_is_listed_and_deleted_on_the_other(servers):
    first, second = servers
    _site(first).accounts.add("ann", PASSWORD)
    saved = signed_in_as(first.test_client(), first, "ann").post(
        "/qi/qi-project/alert", data={"query": "q=falls", "frequency": "weekly"})
    assert saved.status_code == 302
    alerts = second.extensions["repo_engine_alerts"]
    [alert] = alerts.owned_by("ann")
    assert alert.query == "q=falls" and alert.frequency == "weekly"
    client = signed_in_as(second.test_client(), second, "ann")
    assert "falls" in client.get("/account/alerts").get_data(as_text=True)
    assert client.post(f"/account/alerts/{alert.id}/delete").status_code == 302
    assert first.extensions["repo_engine_alerts"].owned_by("ann") == []


def test_a_record_made_on_one_server_is_served_by_the_other(servers):
    first, second = servers
    hosted = _site(first).repository("qi", "qi-project")
    made = _site(first).records(hosted).create({"title": "Falls on wards", "division": "Medicine"}, user="ann")
    assert second.test_client().get(f"/qi/qi-project/{made.reference}").status_code == 200


def test_nothing_is_written_to_either_servers_disk(servers, tmp_path):
    first, second = servers
    _site(first).accounts.add("ann", PASSWORD)
    _site(first).accounts.grant("ann", "qi", "editor")
    assert _sign_in(second, "ann", "a wrong guess").status_code == 400
    client = first.test_client()
    client.post("/sign-in", data={"username": "ann", "password": PASSWORD})
    made = client.post("/qi/qi-project/new", content_type="multipart/form-data", data={
        "title": "Falls on wards", "division": "Medicine", "report": (io.BytesIO(b"the report"), "report.txt")})
    assert made.status_code == 302
    assert client.post("/qi/qi-project/drafts", data={"title": "Half", "save_draft": "1"}).status_code == 302
    assert client.post("/qi/qi-project/alert", data={"query": "q=falls", "frequency": "daily"}).status_code == 302
    assert second.test_client().get(made.location).status_code == 200
    written = [p for n in (1, 2) for p in (tmp_path / f"data-{n}").rglob("*") if p.is_file()]
    assert written == []


def test_an_import_checked_on_one_server_is_confirmed_on_the_other(servers):
    first, second = servers
    _site(first).accounts.add("ada", PASSWORD)
    _site(first).accounts.grant("ada", "qi", "admin")
    checked = signed_in_as(first.test_client(), first, "ada").post(
        "/qi/qi-project/import", content_type="multipart/form-data",
        data={"file": (io.BytesIO(b"Project title,Division\nSepsis screening,Medicine\n"), "projects.csv")})
    assert checked.status_code == 200
    form = BeautifulSoup(checked.get_data(as_text=True), "html.parser").select("#import-confirm input[type=hidden]")
    confirmed = signed_in_as(second.test_client(), second, "ada").post(
        "/qi/qi-project/import/confirm", data={field["name"]: field["value"] for field in form})
    assert confirmed.status_code == 302
    hosted = _site(first).repository("qi", "qi-project")
    assert [r.values["title"] for r in _site(first).store(hosted).query(Query()).records] == ["Sepsis screening"]
