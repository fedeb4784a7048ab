"""Workflow actions, comments and watching through the API: what a caller may take, taking it, the refusals
(403 naming who may, 409 for the record's state or version, 422 for the request's comment), the status a
change may not set, and the description of each."""
from __future__ import annotations

import textwrap

import pytest
from openapi_spec_validator import validate

from apikit import bearer, make_token
from engine.web.app import create_app

PROJECT = """
name: project
title: Improvement project
title_plural: Improvement projects
reference_prefix: QI
record_title: title
fields:
  - {name: title, type: text, label: Project title, required: true}
  - {name: start_date, type: date, label: Start date}
statuses: [Draft, Proposed, Approved]
workflow:
  - action: Submit for review
    from: [Draft]
    to: Proposed
    who: [creator, editor]
    comment: none
  - action: Approve
    from: [Proposed]
    to: Approved
    who: [editor]
    requires: [start_date]
  - action: Send back
    from: [Proposed]
    to: Draft
    who: [editor]
    comment: required
"""

BASE = "/api/v1/qi/project/records"


@pytest.fixture
def app(tmp_path):
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "project.yaml").write_text(textwrap.dedent(PROJECT))
    (tmp_path / "instances" / "qi").mkdir(parents=True)
    (tmp_path / "instances" / "qi" / "instance.yaml").write_text("title: QI Team\nrepositories: [project]\n")
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "SCHEMAS": str(tmp_path / "schemas"),
                      "INSTANCES": str(tmp_path / "instances"), "DATA": str(tmp_path / "data")})
    yield app
    app.extensions["repo_engine"].close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def editor(app):
    return bearer(make_token(app, "eve", qi="editor"))


@pytest.fixture
def reader(app):
    return bearer(make_token(app, "rob", qi="reader"))


def make(app, status: str = "Proposed", **values):
    site = app.extensions["repo_engine"]
    records = site.records(site.repository("qi", "project"))
    return records.create({"title": "Sepsis screening", "start_date": "2026-01-05", **values}, user="cat",
                          status=status, history=True)


def test_the_actions_listed_are_those_the_caller_may_take_now(client, app, editor, reader):
    record = make(app)
    body = client.get(f"{BASE}/{record.reference}/actions", headers=editor).json
    assert [(a["action"], a["slug"], a["to"], a["comment"]) for a in body["actions"]] == [
        ("Approve", "approve", "Approved", "optional"), ("Send back", "send-back", "Draft", "required")]
    assert body["actions"][0]["take"] == f"{BASE}/{record.reference}/actions/approve"
    assert client.get(f"{BASE}/{record.reference}/actions", headers=reader).json["actions"] == []
    assert client.get(f"{BASE}/{record.reference}/actions").json["actions"] == []


def test_taking_an_action_answers_the_record_as_its_get_does(client, app, editor):
    record = make(app)
    response = client.post(f"{BASE}/{record.reference}/actions/approve", headers=editor,
                           json={"version": record.version, "comment": "Go ahead"})
    assert response.status_code == 200, response.json
    assert response.json == client.get(f"{BASE}/{record.reference}", headers=editor).json
    assert response.json["status"] == "Approved"
    versions = client.get(f"{BASE}/{record.reference}/history", headers=editor).json["versions"]
    assert versions[-1]["note"] == "Approve"


def test_someone_who_may_not_is_told_who_may(client, app, reader):
    record = make(app)
    response = client.post(f"{BASE}/{record.reference}/actions/approve", headers=reader,
                           json={"version": record.version})
    assert response.status_code == 403
    assert response.json["message"].startswith("Only editors can use Approve on")
    anonymous = client.post(f"{BASE}/{record.reference}/actions/approve", json={"version": record.version})
    assert anonymous.status_code == 401


def test_a_missing_required_comment_is_a_422_naming_it(client, app, editor):
    record = make(app)
    response = client.post(f"{BASE}/{record.reference}/actions/send-back", headers=editor,
                           json={"version": record.version, "comment": "  "})
    assert response.status_code == 422
    assert response.json["errors"] == {"comment": "Enter a comment to send back"}


@pytest.mark.parametrize("status, values, key", [("Approved", {}, "status"),
                                                 ("Proposed", {"start_date": None}, "start_date")])
def test_what_the_records_state_refuses_is_a_409_with_the_record(client, app, editor, status, values, key):
    record = make(app, status, **values)
    response = client.post(f"{BASE}/{record.reference}/actions/approve", headers=editor,
                           json={"version": record.version})
    assert response.status_code == 409
    assert set(response.json["errors"]) == {key} and response.json["current"]["status"] == status


def test_an_old_version_is_a_409(client, app, editor):
    record = make(app)
    response = client.post(f"{BASE}/{record.reference}/actions/approve", headers=editor,
                           json={"version": record.version + 5})
    assert response.status_code == 409 and response.json["current"]["version"] == record.version


@pytest.mark.parametrize("body", [{}, {"version": 1, "comment": 3}, {"version": 1, "note": "x"}])
def test_a_body_that_is_not_as_described_is_a_422(client, app, editor, body):
    record = make(app)
    response = client.post(f"{BASE}/{record.reference}/actions/approve", headers=editor, json=body)
    assert response.status_code == 422 and response.json["errors"]


def test_an_action_the_type_lacks_is_a_404(client, app, editor):
    record = make(app)
    response = client.post(f"{BASE}/{record.reference}/actions/publish", headers=editor, json={"version": 1})
    assert response.status_code == 404


def test_a_change_of_status_is_refused_with_the_workflows_words(client, app, editor):
    record = make(app)
    response = client.patch(f"{BASE}/{record.reference}", headers=editor,
                            json={"version": record.version, "status": "Approved"})
    assert response.status_code == 422
    assert "changes only through its actions" in response.json["errors"]["status"]
    created = client.post(BASE, headers=editor, json={"status": "Approved", "values": {"title": "New"}})
    assert created.status_code == 422 and "status" in created.json["errors"]


def test_comments_are_added_and_listed(client, app, reader):
    record = make(app)
    response = client.post(f"{BASE}/{record.reference}/comments", headers=reader, json={"text": "Looks good"})
    assert response.status_code == 201
    assert (response.json["by"], response.json["text"]) == ("rob", "Looks good")
    listed = client.get(f"{BASE}/{record.reference}/comments").json["comments"]
    assert [c["text"] for c in listed] == ["Looks good"]
    empty = client.post(f"{BASE}/{record.reference}/comments", headers=reader, json={"text": " "})
    assert empty.status_code == 422 and set(empty.json["errors"]) == {"text"}
    assert client.post(f"{BASE}/{record.reference}/comments", json={"text": "Hi"}).status_code == 401


def test_watching_and_stopping(client, app, reader):
    record = make(app)
    store = app.extensions["repo_engine"].store(app.extensions["repo_engine"].repository("qi", "project"))
    response = client.put(f"{BASE}/{record.reference}/watch", headers=reader)
    assert response.status_code == 200 and response.json == {"reference": record.reference, "watching": True}
    assert store.watchers(record.reference) == {"rob"}
    assert client.delete(f"{BASE}/{record.reference}/watch", headers=reader).json["watching"] is False
    assert store.watchers(record.reference) == frozenset()
    assert client.put(f"{BASE}/{record.reference}/watch").status_code == 401


def test_the_description_has_one_path_per_action_with_its_comment_rule(client, app, editor):
    served = client.get("/api/v1/openapi.json", headers=editor).json
    validate(served)
    paths = {p for p in served["paths"] if "/{reference}/" in p}
    base = "/api/v1/qi/project/records/{reference}"
    assert {f"{base}/actions", f"{base}/comments", f"{base}/watch", f"{base}/actions/submit-for-review",
            f"{base}/actions/approve", f"{base}/actions/send-back"} <= paths
    schemas = served["components"]["schemas"]
    assert schemas["qi.project.Act.send-back"]["required"] == ["version", "comment"]
    assert schemas["qi.project.Act.approve"]["required"] == ["version"]
    assert schemas["qi.project.Changes"]["properties"]["status"]["enum"] == [None]
    assert schemas["qi.project.NewRecord"]["properties"]["status"]["enum"] == ["Draft", None]
