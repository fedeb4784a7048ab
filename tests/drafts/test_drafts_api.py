"""Drafts through the API: saved half-finished (what cannot be kept is left out and said), the caller's own,
changed from the version read, submitted with every rule (422 by field, then 201 as a new record) once."""
from __future__ import annotations

import pytest

API = "/api/v1/qi/qi-project"
DRAFTS = f"{API}/drafts"
COMPLETE = {"title": "Falls on Ward 12", "division": "Surgery"}


@pytest.fixture
def ann(token):
    return token("ann")


def new_draft(client, headers, **values) -> dict:
    response = client.post(DRAFTS, json={"values": values}, headers=headers)
    assert response.status_code == 201, response.json
    return response.json


def test_a_half_finished_record_is_saved_as_a_draft_and_read_back(client, ann):
    response = client.post(DRAFTS, json={"values": {"aim": "Fewer falls", "budget": 1200}}, headers=ann)
    assert response.status_code == 201
    draft = response.json
    assert response.headers["Location"] == f"{DRAFTS}/{draft['id']}"
    assert draft["owner"] == "ann" and draft["version"] == 1 and draft["left_out"] == {}
    assert draft["values"]["aim"] == "Fewer falls" and draft["values"]["title"] is None
    assert "report" not in draft["values"]          # files come when the draft is submitted
    assert draft["submit"] == f"{DRAFTS}/{draft['id']}/submit"
    again = client.get(f"{DRAFTS}/{draft['id']}", headers=ann).json
    assert again["values"] == draft["values"] and "left_out" not in again
    assert client.get(f"{API}/records", headers=ann).json["total"] == 0


def test_values_a_draft_cannot_keep_are_left_out_and_named(client, ann):
    draft = new_draft(client, ann, title="Falls\x1b on\x00 wards", budget="lots", colour="blue", report=["x"],
                      domains=["Safe", ["Caring"]], aim="")
    assert draft["values"]["title"] == "Falls on wards"
    assert set(draft["left_out"]) == {"budget", "colour", "report", "domains"}
    assert draft["left_out"]["budget"] == "Budget must be a number"
    assert "not a field" in draft["left_out"]["colour"] and "holds files" in draft["left_out"]["report"]


def test_the_list_holds_the_callers_own_drafts_only(client, ann, token):
    mine = new_draft(client, ann, title="Ann's")
    new_draft(client, token("cal"), title="Cal's")
    assert [d["id"] for d in client.get(DRAFTS, headers=ann).json["drafts"]] == [mine["id"]]


@pytest.mark.parametrize("who, role, status", [("eve", "editor", 200), ("ada", "admin", 200),
                                               ("cal", "contributor", 404), ("rob", "reader", 404)])
def test_others_drafts_are_seen_by_editors_and_admins_alone(client, ann, token, who, role, status):
    draft = new_draft(client, ann, title="Ann's")
    address = f"{DRAFTS}/{draft['id']}"
    headers = token(who, role)
    assert client.get(address, headers=headers).status_code == status
    if status == 404:
        assert client.put(address, json={"version": 1, "values": {}}, headers=headers).status_code == 404
        assert client.delete(address, headers=headers).status_code == 404
        assert client.post(f"{address}/submit", headers=headers).status_code == 404
        assert client.get(address, headers=ann).json["version"] == 1


def test_without_a_token_the_answer_is_401(client, ann):
    draft = new_draft(client, ann, title="Ann's")
    for response in (client.get(DRAFTS), client.post(DRAFTS, json={"values": {}}),
                     client.get(f"{DRAFTS}/{draft['id']}"), client.post(f"{DRAFTS}/{draft['id']}/submit")):
        assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_change_replaces_the_values_from_the_version_read(client, ann):
    draft = new_draft(client, ann, title="First", aim="An aim")
    address = f"{DRAFTS}/{draft['id']}"
    changed = client.put(address, json={"version": 1, "values": {"title": "Second"}}, headers=ann)
    assert changed.status_code == 200 and changed.json["version"] == 2
    assert changed.json["values"]["title"] == "Second" and changed.json["values"]["aim"] is None
    stale = client.put(address, json={"version": 1, "values": {"title": "Third"}}, headers=ann)
    assert stale.status_code == 409 and stale.json["current"]["values"]["title"] == "Second"
    bad = client.put(address, json={"values": {"title": "No version"}}, headers=ann)
    assert bad.status_code == 422 and "version" in bad.json["errors"]


def test_submitting_runs_every_rule_then_answers_as_a_new_record(client, ann):
    draft = new_draft(client, ann, aim="Fewer falls", lead_email="not an email")
    submit = f"{DRAFTS}/{draft['id']}/submit"
    refused = client.post(submit, headers=ann)
    assert refused.status_code == 422
    assert set(refused.json["errors"]) == {"title", "division", "lead_email"}
    assert client.get(f"{DRAFTS}/{draft['id']}", headers=ann).status_code == 200     # kept
    client.put(f"{DRAFTS}/{draft['id']}", json={"version": 1, "values": {**COMPLETE, "aim": "Fewer falls"}},
               headers=ann)
    made = client.post(submit, headers=ann)
    assert made.status_code == 201
    assert made.json["reference"] == "QI-0001" and made.json["created_by"] == "ann"
    assert made.json["values"]["aim"] == "Fewer falls" and made.json["attachments"] == []
    assert made.headers["Location"] == f"{API}/records/QI-0001"
    assert "Idempotent-Replayed" not in made.headers
    assert client.get(f"{DRAFTS}/{draft['id']}", headers=ann).status_code == 404
    assert client.get(DRAFTS, headers=ann).json["drafts"] == []


def test_a_submit_sent_again_gives_back_the_record_it_made(client, ann):
    draft = new_draft(client, ann, **COMPLETE)
    submit = f"{DRAFTS}/{draft['id']}/submit"
    first, again = client.post(submit, headers=ann), client.post(submit, headers=ann)
    assert first.status_code == again.status_code == 201
    assert again.json["reference"] == first.json["reference"] == "QI-0001"
    assert again.headers["Idempotent-Replayed"] == "true"
    assert client.get(f"{API}/records", headers=ann).json["total"] == 1


def test_deleting_a_draft(client, ann):
    draft = new_draft(client, ann, title="Not needed")
    assert client.delete(f"{DRAFTS}/{draft['id']}", headers=ann).status_code == 204
    assert client.get(f"{DRAFTS}/{draft['id']}", headers=ann).status_code == 404


def test_the_limits_are_said_in_the_answer(client, ann, drafts):
    drafts.max_per_person, drafts.max_bytes = 1, 1000
    too_large = client.post(DRAFTS, json={"values": {"aim": "x" * 2000}}, headers=ann)
    assert too_large.status_code == 413 and "Shorten the longest answers" in too_large.json["message"]
    new_draft(client, ann, title="One")
    too_many = client.post(DRAFTS, json={"values": {"title": "Two"}}, headers=ann)
    assert too_many.status_code == 422 and "already have 1 drafts" in too_many.json["message"]


def test_a_damaged_drafts_file_is_a_503_in_json(client, ann, drafts):
    new_draft(client, ann, title="Before")
    drafts.path.write_text("[]")
    response = client.get(DRAFTS, headers=ann)
    assert response.status_code == 503 and response.json["message"].startswith("Your drafts here")


def test_the_openapi_description_names_every_drafts_operation(client, ann):
    description = client.get("/api/v1/openapi.json", headers=ann).json
    paths = description["paths"]
    assert set(paths[DRAFTS]) == {"get", "post"}
    assert {"get", "put", "delete"} <= set(paths[f"{DRAFTS}/{{draft_id}}"])
    submit = paths[f"{DRAFTS}/{{draft_id}}/submit"]["post"]
    assert submit["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/qi.qi-project.RecordDetail"}
    assert submit["security"] == [{"bearerToken": []}]
