"""A create sent again with the same ``Idempotency-Key`` (a client that timed out and retries) answers with the
record the first one made instead of making a second; the same key with other values is refused."""
from __future__ import annotations

from datetime import timedelta

import pytest

from apikit import bearer
from engine.store import tinydb
from engine.store.base import IDEMPOTENCY_WINDOW

RECORDS = "/api/v1/qi/qi-project/records"
FALLS = {"title": "Falls on ward 7", "division": "Surgery", "start_date": "2026-03-01", "keywords": ["falls"]}


def post(client, headers, key: str | None, body=None):
    sent = {**headers, **({"Idempotency-Key": key} if key is not None else {})}
    return client.post(RECORDS, json=body or {"values": FALLS}, headers=sent)


def total(client) -> int:
    return client.get(RECORDS).json["total"]


def test_a_retry_with_the_same_key_answers_with_the_record_first_made(client, editor):
    first = post(client, editor, "4f7c1a2e-retry")
    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
    again = post(client, editor, "4f7c1a2e-retry", {"values": dict(reversed(list(FALLS.items())))})
    assert again.status_code == 201, again.json
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json == first.json and again.headers["Location"] == first.headers["Location"]
    assert total(client) == 1


def test_a_retry_answers_with_the_record_as_it_is_now(client, editor):
    first = post(client, editor, "edited-since").json
    url = f"{RECORDS}/{first['reference']}"
    client.patch(url, json={"version": 1, "values": {"aim": "Fewer falls"}}, headers=editor)
    again = post(client, editor, "edited-since")
    assert again.status_code == 201 and again.json["reference"] == first["reference"]
    assert again.json["version"] == 2 and again.json["values"]["aim"] == "Fewer falls"


@pytest.mark.parametrize("other", [{"values": {**FALLS, "title": "Sepsis screening"}},
                                   {"values": FALLS, "status": "In progress"}])
def test_the_same_key_with_another_body_is_refused_and_writes_nothing(client, editor, other):
    first = post(client, editor, "one-key").json
    refused = post(client, editor, "one-key", other)
    assert refused.status_code == 422 and refused.is_json
    assert first["reference"] in refused.json["message"] and "Idempotency-Key" in refused.json["message"]
    assert total(client) == 1
    assert client.get(f"{RECORDS}/{first['reference']}").json["values"]["title"] == FALLS["title"]


def test_two_accounts_sending_the_same_key_make_a_record_each(client, editor, token):
    other = bearer(token("olu", qi="editor"))
    mine, theirs = post(client, editor, "1"), post(client, other, "1")
    assert mine.status_code == theirs.status_code == 201 and "Idempotent-Replayed" not in theirs.headers
    assert mine.json["reference"] != theirs.json["reference"]
    assert (mine.json["created_by"], theirs.json["created_by"]) == ("eve", "olu")
    assert total(client) == 2


@pytest.mark.parametrize("key", ["", "x" * 256, "caf\u00e9", "tab\there"])
def test_a_key_that_is_not_1_to_255_printable_ascii_characters_is_a_400(client, editor, key):
    response = post(client, editor, key)
    assert response.status_code == 400 and "Idempotency-Key" in response.json["message"]
    assert total(client) == 0


def test_a_key_of_255_printable_characters_is_taken(client, editor):
    key = "".join(chr(33 + n % 94) for n in range(255))
    assert post(client, editor, key).status_code == 201
    assert post(client, editor, key).headers["Idempotent-Replayed"] == "true"


def test_without_a_key_every_create_makes_a_record(client, editor):
    first, second = post(client, editor, None), post(client, editor, None)
    assert first.status_code == second.status_code == 201
    assert first.json["reference"] != second.json["reference"] and "Idempotent-Replayed" not in second.headers
    assert total(client) == 2


def test_a_key_is_forgotten_after_its_window(client, editor, monkeypatch):
    first = post(client, editor, "next-day").json
    later = tinydb.utc_now() + IDEMPOTENCY_WINDOW + timedelta(minutes=1)
    monkeypatch.setattr(tinydb, "utc_now", lambda: later)
    again = post(client, editor, "next-day")
    assert again.status_code == 201 and "Idempotent-Replayed" not in again.headers
    assert again.json["reference"] != first["reference"]
    assert total(client) == 2
    assert post(client, editor, "next-day").json["reference"] == again.json["reference"]


def test_the_description_names_the_header(client, editor):
    operation = client.get("/api/v1/openapi.json", headers=editor).json["paths"][RECORDS]["post"]
    [parameter] = [p for p in operation["parameters"] if p["in"] == "header"]
    assert parameter["name"] == "Idempotency-Key" and parameter["schema"]["maxLength"] == 255
    assert "Idempotent-Replayed" in operation["responses"]["201"]["headers"]
