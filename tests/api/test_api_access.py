"""Who may do what through the API: a token is the only way in (the browser's session cookie counts for
nothing), 401 with ``WWW-Authenticate`` when a token would help, 403 when the token's user may not."""
from __future__ import annotations

import pytest

from access_helpers import sign_in
from apikit import bearer

QI = "/api/v1/qi/qi-project/records"
PRIVATE = "/api/v1/private/qi-project/records"
VALUES = {"title": "Falls on ward 7", "division": "Surgery"}


def add(client, url, headers, **body):
    response = client.post(url, json={"values": VALUES, **body}, headers=headers)
    assert response.status_code == 201, response.json
    return response.json


@pytest.fixture
def admin(token):
    return bearer(token("ada", site_admin=True))


def test_writing_without_a_token_is_a_401_asking_for_one(client):
    response = client.post(QI, json={"values": VALUES})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get(QI).json["total"] == 0


@pytest.mark.parametrize("header", ["Bearer re_nothing_here", "Bearer ", "Basic YWRhOnNlY3JldA==", "token"])
def test_an_unknown_or_malformed_token_is_a_401_even_where_anyone_may_read(client, header):
    response = client.get(QI, headers={"Authorization": header})
    assert response.status_code == 401 and "Bearer" in response.headers["WWW-Authenticate"]


def test_a_revoked_token_stops_working_at_once(client, app, token):
    secret = token("ron", qi="editor")
    assert client.post(QI, json={"values": VALUES}, headers=bearer(secret)).status_code == 201
    app.extensions["repo_engine"].accounts.revoke_token(secret)
    assert client.post(QI, json={"values": VALUES}, headers=bearer(secret)).status_code == 401


def test_a_signed_in_browser_session_cannot_write_through_the_api(client, app):
    sign_in(client, app, "sam", role="admin")
    response = client.post(QI, json={"values": VALUES})
    assert response.status_code == 401
    assert client.get(QI).json["total"] == 0


def test_anyone_may_read_an_instance_open_to_anyone(client, admin):
    reference = add(client, QI, admin)["reference"]
    assert client.get(QI).status_code == 200
    assert client.get(f"{QI}/{reference}").status_code == 200
    assert client.get(f"{QI}/{reference}/history").status_code == 200


def test_a_members_only_instance_needs_a_members_token_to_read(client, token, admin):
    reference = add(client, PRIVATE, admin)["reference"]
    for url in (PRIVATE, f"{PRIVATE}/{reference}", f"{PRIVATE}/{reference}/history"):
        assert client.get(url).status_code == 401, url
        assert client.get(url, headers=bearer(token(f"out{len(url)}", qi="admin"))).status_code == 403, url
        assert client.get(url, headers=bearer(token(f"in{len(url)}", private="reader"))).status_code == 200, url


def test_a_token_for_one_instance_cannot_touch_another(client, editor, admin):
    reference = add(client, PRIVATE, admin)["reference"]
    assert client.post(PRIVATE, json={"values": VALUES}, headers=editor).status_code == 403
    response = client.patch(f"{PRIVATE}/{reference}", json={"version": 1, "values": {"aim": "x"}}, headers=editor)
    assert response.status_code == 403
    assert client.get(f"{PRIVATE}/{reference}", headers=admin).json["version"] == 1


def test_a_reader_may_not_submit_where_only_members_with_a_role_may(client, token):
    response = client.post(PRIVATE, json={"values": VALUES}, headers=bearer(token("rita", private="reader")))
    assert response.status_code == 403 and "add records" in response.json["message"]


def test_a_contributor_changes_their_own_records_but_not_others_nor_any_status(client, token, admin):
    ann = bearer(token("ann", qi="contributor"))
    own = add(client, QI, ann)["reference"]
    others = add(client, QI, admin)["reference"]
    assert client.patch(f"{QI}/{own}", json={"version": 1, "values": {"aim": "x"}}, headers=ann).status_code == 200
    assert client.patch(f"{QI}/{others}", json={"version": 1, "values": {"aim": "x"}},
                        headers=ann).status_code == 403
    assert client.patch(f"{QI}/{own}", json={"version": 2, "status": "In progress"}, headers=ann).status_code == 403
    assert client.post(QI, json={"values": VALUES, "status": "In progress"}, headers=ann).status_code == 403


def test_an_editor_may_change_the_status_of_anyones_record(client, editor, admin):
    reference = add(client, QI, admin)["reference"]
    response = client.patch(f"{QI}/{reference}", json={"version": 1, "status": "In progress"}, headers=editor)
    assert response.status_code == 200 and response.json["status"] == "In progress"
    assert response.json["updated_by"] == "eve"
