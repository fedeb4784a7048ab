"""Hostile values sent through the JSON API: stored as sent (less control characters, dropped as the form drops
them) or refused by name, shown as text on every page, and never stopping an export."""
from __future__ import annotations

import io

import pytest

from access_helpers import add_account
from engine.fields.values import without_controls
from hostile import CONTROL_CHARACTERS, XSS_PAYLOADS, assert_no_injected_markup, records_in, shows
from web.webpages import BASE

RECORDS = "/api/v1/qi/qi-project/records"


@pytest.fixture
def api(app):
    """Headers of an editor of ``qi`` calling the API with a token."""
    add_account(app, "tom", role="editor")
    token = app.extensions["repo_engine"].accounts.create_token("tom", "security tests")
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("payload", XSS_PAYLOADS + CONTROL_CHARACTERS)
def test_values_sent_through_the_api_are_shown_as_text_and_exported(app, client, api, payload):
    response = client.post(RECORDS, json={"values": {"title": payload, "aim": payload, "lead": payload,
                                                     "division": "Surgery", "keywords": [payload]}},
                           headers=api)
    assert response.status_code == 201, response.get_data(as_text=True)
    [saved] = records_in(app)
    assert saved.values["title"] == without_controls(payload)
    record = BASE + saved.reference
    for url in (record, record + "/edit", record + "/history", BASE):
        page = assert_no_injected_markup(client.get(url))
        if payload in XSS_PAYLOADS and url == record:
            assert shows(page, payload)
    for fmt in ("csv", "xlsx", "json"):
        export = client.get(BASE + "export", query_string={"format": fmt})
        assert export.status_code == 200, fmt
    if payload in CONTROL_CHARACTERS:
        from openpyxl import load_workbook
        xlsx = client.get(BASE + "export", query_string={"format": "xlsx"}).get_data()
        title = load_workbook(io.BytesIO(xlsx)).active["B2"].value     # the title follows the reference
        assert title == without_controls(payload)


@pytest.mark.parametrize("address", ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>",
                                     " javascript:alert(1)"])
def test_a_script_address_is_refused_by_the_api_too(app, client, api, address):
    response = client.post(RECORDS, json={"values": {"title": "Falls", "division": "Surgery", "website": address}},
                           headers=api)
    assert response.status_code == 422
    assert "website" in response.get_data(as_text=True)
    assert records_in(app) == []


@pytest.mark.parametrize("body", [
    b"{" * 100_000,
    b'{"values": {"title": "' + b"x" * 2_000_000 + b'"}}',
    b'{"values": {"title": "\xff\xfe"}}',
    b'{"values": ' + b"[" * 5000 + b"]" * 5000 + b"}",
])
def test_a_malformed_or_huge_body_gets_a_json_answer_never_a_500(app, client, api, body):
    response = client.post(RECORDS, data=body, content_type="application/json", headers=api)
    assert 400 <= response.status_code < 500 and response.is_json, response.status_code
    assert len(records_in(app)) <= 1


@pytest.mark.parametrize("depth", [100, 900])
def test_a_deeply_nested_value_is_refused_by_its_field_name(app, client, api, depth):
    body = b'{"values": {"division": "Surgery", "title": ' + b"[" * depth + b"]" * depth + b"}}"
    response = client.post(RECORDS, data=body, content_type="application/json", headers=api)
    assert response.status_code == 422
    assert response.json["errors"]["title"] == "Enter project title as text"
    assert records_in(app) == []
