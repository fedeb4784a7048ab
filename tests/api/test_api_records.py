"""The record endpoints as a script uses them: add, read, change with the version, see the history, and be
told in JSON which field was wrong."""
from __future__ import annotations

import pytest

from apikit import bearer

RECORDS = "/api/v1/qi/qi-project/records"
FALLS = {"title": "Falls on ward 7", "division": "Surgery", "start_date": "2026-03-01", "keywords": ["falls"]}


def create(client, headers, **values):
    response = client.post(RECORDS, json={"values": {**FALLS, **values}}, headers=headers)
    assert response.status_code == 201, response.json
    return response.json


def test_create_answers_201_with_the_record_and_where_it_lives(client, editor):
    response = client.post(RECORDS, json={"values": FALLS}, headers=editor)
    assert response.status_code == 201
    record = response.json
    assert response.headers["Location"] == f"{RECORDS}/{record['reference']}"
    assert record["reference"] == "QI-0001" and record["version"] == 1 and record["status"] == "Proposed"
    assert record["created_by"] == record["updated_by"] == "eve"
    assert record["values"]["start_date"] == "2026-03-01" and record["values"]["keywords"] == ["falls"]
    assert record["values"]["aim"] is None            # every field is present, null when empty
    assert record["created"].endswith("+00:00") and record["attachments"] == []


def test_get_answers_what_was_saved(client, editor):
    created = create(client, editor)
    response = client.get(f"{RECORDS}/{created['reference']}")
    assert response.status_code == 200 and response.json == created


def test_refused_values_are_named_field_by_field_and_nothing_is_saved(client, editor):
    response = client.post(RECORDS, json={"values": {"title": "", "budget": "lots", "colour": "red"}},
                           headers=editor)
    assert response.status_code == 422
    assert response.json["errors"] == {
        "title": "Enter project title", "division": "Select division",
        "budget": response.json["errors"]["budget"], "colour": "colour is not a field of quality improvement project"}
    assert "Budget" in response.json["errors"]["budget"]
    assert client.get(RECORDS).json["total"] == 0


@pytest.mark.parametrize("body, name", [
    ({"values": FALLS, "reference": "QI-0042"}, "reference"),
    ({"values": ["title"]}, "values"),
    ({"values": FALLS, "status": "Finished"}, "status"),
    ({"values": {**FALLS, "report": ["f1"]}}, "report"),
])
def test_what_cannot_be_set_is_refused_by_name(client, editor, body, name):
    response = client.post(RECORDS, json=body, headers=editor)
    assert response.status_code == 422 and list(response.json["errors"]) == [name]


@pytest.mark.parametrize("data", [b"not json", b"[1, 2]", b'{"values": {"budget": NaN}}'])
def test_a_body_that_is_not_a_json_object_is_a_400(client, editor, data):
    response = client.post(RECORDS, data=data, content_type="application/json", headers=editor)
    assert response.status_code == 400 and "JSON object" in response.json["message"]


def test_update_with_the_version_changes_only_the_fields_sent(client, editor):
    created = create(client, editor)
    url = f"{RECORDS}/{created['reference']}"
    response = client.patch(url, json={"version": 1, "status": "In progress",
                                       "values": {"aim": "Fewer falls", "keywords": None}}, headers=editor)
    assert response.status_code == 200
    saved = response.json
    assert saved["version"] == 2 and saved["status"] == "In progress"
    assert saved["values"]["aim"] == "Fewer falls" and saved["values"]["keywords"] is None
    assert saved["values"]["title"] == FALLS["title"]
    assert response.headers["Location"] == url


def test_an_update_from_an_old_version_is_a_409_with_the_record_as_it_is_now(client, editor):
    created = create(client, editor)
    url = f"{RECORDS}/{created['reference']}"
    assert client.patch(url, json={"version": 1, "values": {"aim": "First"}}, headers=editor).status_code == 200
    response = client.patch(url, json={"version": 1, "values": {"aim": "Second"}}, headers=editor)
    assert response.status_code == 409
    assert response.json["current"]["version"] == 2 and response.json["current"]["values"]["aim"] == "First"
    assert client.get(url).json["values"]["aim"] == "First"


@pytest.mark.parametrize("version", [None, "2", 0, True])
def test_an_update_needs_a_whole_version_number(client, editor, version):
    created = create(client, editor)
    body = {"values": {"aim": "x"}} if version is None else {"version": version, "values": {"aim": "x"}}
    response = client.patch(f"{RECORDS}/{created['reference']}", json=body, headers=editor)
    assert response.status_code == 422 and list(response.json["errors"]) == ["version"]


def test_an_update_is_validated_like_the_form(client, editor):
    created = create(client, editor)
    response = client.patch(f"{RECORDS}/{created['reference']}", json={"version": 1, "status": "Completed"},
                            headers=editor)
    assert response.status_code == 422
    assert response.json["errors"] == {"outcomes": "Enter outcomes (required when status is Completed)"}


def test_history_lists_every_version_oldest_first_with_what_changed(client, editor):
    created = create(client, editor)
    url = f"{RECORDS}/{created['reference']}"
    client.patch(url, json={"version": 1, "values": {"aim": "Fewer falls"}}, headers=editor)
    response = client.get(f"{url}/history")
    assert response.status_code == 200
    versions = response.json["versions"]
    assert [v["version"] for v in versions] == [1, 2]
    assert {"field": "aim", "old": None, "new": "Fewer falls"} in versions[1]["changes"]
    assert versions[0]["record"]["values"]["aim"] is None


@pytest.mark.parametrize("url", [f"{RECORDS}/QI-9999", f"{RECORDS}/QI-9999/history",
                                 "/api/v1/qi/no-such-type/records", "/api/v1/nowhere/qi-project/records",
                                 "/api/v1/no/such/path/at/all"])
def test_what_does_not_exist_is_a_json_404(client, url):
    response = client.get(url)
    assert response.status_code == 404 and response.is_json and response.json["message"]


def test_a_method_not_offered_is_a_json_405(client, editor):
    response = client.delete(RECORDS, headers=editor)
    assert response.status_code == 405 and response.is_json


def test_the_index_names_the_readable_instances_and_their_repositories(client, token):
    anonymous = client.get("/api/v1/").json["instances"]
    assert [i["name"] for i in anonymous] == ["qi"]
    assert anonymous[0]["repositories"][0]["records"] == RECORDS
    member = client.get("/api/v1/", headers=bearer(token("pat", private="reader"))).json["instances"]
    assert sorted(i["name"] for i in member) == ["private", "qi"]


def test_a_method_not_offered_says_which_are(client, editor):
    response = client.put(f"{RECORDS}/QI-0001", json={}, headers=editor)
    assert response.status_code == 405 and "PATCH" in response.headers["Allow"]


def test_a_body_over_the_size_limit_is_a_json_413(app, client, editor):
    app.config["MAX_CONTENT_LENGTH"] = 200
    response = client.post(RECORDS, json={"values": {**FALLS, "aim": "x" * 500}}, headers=editor)
    assert response.status_code == 413 and response.is_json
    assert client.get(RECORDS).json["total"] == 0


def test_a_server_error_is_json_without_a_traceback(app, client, monkeypatch):
    store = app.extensions["repo_engine"].store(app.extensions["repo_engine"].repository("qi", "qi-project"))
    monkeypatch.setattr(store, "query", lambda query: 1 / 0)
    response = client.get(RECORDS)
    assert response.status_code == 500 and response.is_json
    assert "ZeroDivisionError" not in response.get_data(as_text=True)
