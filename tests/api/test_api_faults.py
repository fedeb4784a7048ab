"""The API when a repository's data is damaged or the disk is full: the error shape every refusal has, with
503 and 507; the trust-wide search and the description carry on without the damaged repository and say so."""
from __future__ import annotations

import logging

import pytest

from apikit import bearer
from engine.errors import IdempotencyKeyReused
from faultkit import FAULT, FULL_DISK, FULL_MESSAGE, USER_MESSAGE, damage, raising, refuse_writes, store_of

RECORDS = "/api/v1/{instance}/qi-project/records"
FALLS = {"title": "Falls on ward 7", "division": "Surgery"}


@pytest.fixture
def both(token) -> dict[str, str]:
    """Headers of an editor of ``qi`` and of the members-only ``private``."""
    return bearer(token("eve", qi="editor", private="editor"))


def create(client, headers, instance: str = "qi", **values) -> dict:
    response = client.post(RECORDS.format(instance=instance), json={"values": {**FALLS, **values}},
                           headers=headers)
    assert response.status_code == 201, response.json
    return response.json


@pytest.mark.parametrize("method, path", [
    ("get", ""), ("get", "/QI-0001"), ("get", "/QI-0001/history"), ("post", ""), ("patch", "/QI-0001"),
])
def test_a_damaged_repository_answers_503_in_json(app, client, both, monkeypatch, caplog, method, path):
    create(client, both, "private")
    damaged = damage(monkeypatch, app, "private", "qi-project")
    body = {"values": FALLS} if method == "post" else {"version": 1, "values": FALLS}
    response = getattr(client, method)(RECORDS.format(instance="private") + path, headers=both,
                                       json=body if method != "get" else None)
    assert response.status_code == 503 and response.is_json
    assert response.json == {"status": 503, "message": USER_MESSAGE}
    logged = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR and FAULT in r.getMessage()]
    assert len(logged) == 1 and str(damaged.path) in logged[0] and "private/qi-project" in logged[0]


@pytest.mark.parametrize("kind", FULL_DISK)
def test_a_create_on_a_full_disk_answers_507_in_json(app, client, editor, monkeypatch, kind):
    refuse_writes(monkeypatch, store_of(app, "qi", "qi-project"), FULL_DISK[kind]("records.json"))
    response = client.post(RECORDS.format(instance="qi"), json={"values": FALLS}, headers=editor)
    assert response.status_code == 507 and response.is_json
    assert response.json == {"status": 507, "message": FULL_MESSAGE}


def test_an_idempotency_key_used_for_other_values_is_a_422_saying_so(app, client, editor, monkeypatch):
    site = app.extensions["repo_engine"]
    records = site.records(site.repository("qi", "qi-project"))
    monkeypatch.setattr(records, "create", raising(IdempotencyKeyReused("QI-0007")))
    response = client.post(RECORDS.format(instance="qi"), json={"values": FALLS}, headers=editor)
    assert response.status_code == 422 and response.is_json
    assert response.json["message"] == str(IdempotencyKeyReused("QI-0007"))
    assert "QI-0007" in response.json["message"]


def test_the_trust_wide_search_leaves_out_the_damaged_repository_and_says_which(app, client, both, monkeypatch):
    create(client, both, "qi", title="Falls at night")
    create(client, both, "private", title="Falls in the day unit")
    damage(monkeypatch, app, "private", "qi-project")
    response = client.get("/api/v1/search?q=falls", headers=both)
    assert response.status_code == 200
    assert [hit["title"] for hit in response.json["records"]] == ["Falls at night"]
    assert response.json["left_out"] == [{
        "instance": "private", "repository": "qi-project",
        "message": "Quality improvement projects (Private Improvement Team) could not be read and is not included."}]


def test_a_search_with_nothing_damaged_leaves_nothing_out(client, both):
    create(client, both, "qi", title="Falls at night")
    response = client.get("/api/v1/search?q=falls", headers=both)
    assert response.status_code == 200 and response.json["left_out"] == []


def test_the_description_and_the_index_answer_while_a_repository_is_damaged(app, client, both, monkeypatch):
    damage(monkeypatch, app, "private", "qi-project")
    assert client.get("/api/v1/", headers=both).status_code == 200
    described = client.get("/api/v1/openapi.json", headers=both)
    assert described.status_code == 200
    create_op = described.json["paths"]["/api/v1/private/qi-project/records"]["post"]
    assert {"503", "507"} <= set(create_op["responses"])
    assert "left_out" in described.json["components"]["schemas"]["SearchResults"]["required"]
    assert client.get(RECORDS.format(instance="qi"), headers=both).status_code == 200
