"""Text sent through the API loses its control characters exactly as the form's does: one rule, one write path."""
from __future__ import annotations

import pytest

from access_helpers import sign_in
from web.webpages import BASE, project

RECORDS = "/api/v1/qi/qi-project/records"
SENT = {"title": "Falls\x00 on ward\x07 7\x1b[0m", "aim": "Fewer\x00 falls.\nEvery\tward\x1b.",
        "lead": "Ann\x07 Lee", "keywords": ["falls\x1b", "\x00wards"]}
STORED = {"title": "Falls on ward 7[0m", "aim": "Fewer falls.\nEvery\tward.", "lead": "Ann Lee",
          "keywords": ["falls", "wards"]}


def stored(app, reference: str) -> dict:
    site = app.extensions["repo_engine"]
    record = site.store(site.repository("qi", "qi-project")).get(reference)
    return {name: record.values.get(name) for name in SENT}


def test_the_api_stores_the_text_the_form_would(app, client, editor):
    response = client.post(RECORDS, json={"values": {"division": "Surgery", **SENT}}, headers=editor)
    assert response.status_code == 201, response.json
    assert {name: response.json["values"][name] for name in SENT} == STORED
    assert stored(app, response.json["reference"]) == STORED

    browser = app.test_client()
    sign_in(browser, app, "ann", "editor", "qi")
    form = browser.post(BASE + "new", data=project(**{**SENT, "keywords": ", ".join(SENT["keywords"])}))
    assert form.status_code == 302
    assert stored(app, form.headers["Location"].rsplit("/", 1)[1]) == STORED


def test_a_change_through_the_api_is_cleaned_too(app, client, editor):
    created = client.post(RECORDS, json={"values": {"title": "Falls", "division": "Surgery"}}, headers=editor).json
    response = client.patch(f"{RECORDS}/{created['reference']}", json={"version": 1, "values": SENT}, headers=editor)
    assert response.status_code == 200, response.json
    assert stored(app, created["reference"]) == STORED


@pytest.mark.parametrize("sent, kept", [
    ("C1\x85 next line\x9b", "C1 next line"),
    ("del\x7f", "del"),
    ("\U0001F3E5 clinic \u05e9\u05dc\u05d5\u05dd \u200d", "\U0001F3E5 clinic \u05e9\u05dc\u05d5\u05dd \u200d"),
])
def test_only_control_characters_are_dropped(client, editor, sent, kept):
    response = client.post(RECORDS, json={"values": {"title": sent, "division": "Surgery"}}, headers=editor)
    assert response.status_code == 201 and response.json["values"]["title"] == kept


def test_a_title_of_control_characters_alone_is_an_empty_title(client, editor):
    response = client.post(RECORDS, json={"values": {"title": "\x00\x07\x1b", "division": "Surgery"}},
                           headers=editor)
    assert response.status_code == 422 and list(response.json["errors"]) == ["title"]
    assert client.get(RECORDS).json["total"] == 0


def test_half_a_character_sent_as_json_is_dropped_on_either_backend(backend, app, client, editor):
    """JSON may escape half of a character (a lone surrogate, ``\\ud800``), which no page nor database can
    encode: it goes as a control character goes, and the record saves, shows and reads back on both backends."""
    body = '{"values": {"title": "Falls \\ud83d audit\\udfff", "division": "Surgery", "keywords": ["\\ud800x"]}}'
    response = client.post(RECORDS, data=body, content_type="application/json", headers=editor)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert stored(app, response.json["reference"])["title"] == "Falls  audit"
    assert response.json["values"]["keywords"] == ["x"]
    page = client.get(f"{BASE}{response.json['reference']}")
    assert page.status_code == 200 and "Falls  audit" in page.get_data(as_text=True)
