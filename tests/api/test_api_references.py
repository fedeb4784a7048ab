"""A script setting a reference field through the API is told, by the field's name, when the record it names
does not exist; a record naming one that was deleted since can still be changed."""
from __future__ import annotations

from test_api_records import RECORDS, create


def test_a_new_record_naming_a_missing_record_is_a_422_naming_the_field(client, editor):
    response = client.post(RECORDS, json={"values": {"title": "Re-audit", "division": "Surgery",
                                                     "follows": "QI-9999"}}, headers=editor)
    assert response.status_code == 422
    assert response.json["errors"] == {"follows": "Select follows from the list of records: QI-9999 does not exist"}
    assert client.get(RECORDS).json["total"] == 0


def test_a_change_naming_a_missing_record_is_a_422_and_changes_nothing(client, editor):
    created = create(client, editor)
    url = f"{RECORDS}/{created['reference']}"
    response = client.patch(url, json={"version": 1, "values": {"follows": "QI-0002"}}, headers=editor)
    assert response.status_code == 422 and list(response.json["errors"]) == ["follows"]
    assert client.get(url).json["version"] == 1


def test_a_reference_to_a_live_record_is_saved(client, editor):
    first = create(client, editor)
    second = create(client, editor, follows=first["reference"])
    assert second["values"]["follows"] == "QI-0001"


def test_a_record_whose_linked_record_was_deleted_can_still_be_changed(app, client, editor):
    first = create(client, editor)
    second = create(client, editor, follows=first["reference"])
    site = app.extensions["repo_engine"]
    site.store(site.repository("qi", "qi-project")).delete(first["reference"], user="admin")
    response = client.patch(f"{RECORDS}/{second['reference']}", json={"version": 1, "values": {"aim": "Still going"}},
                            headers=editor)
    assert response.status_code == 200 and response.json["values"]["follows"] == "QI-0001"
    response = client.patch(f"{RECORDS}/{second['reference']}",
                            json={"version": 2, "values": {"follows": first["reference"]}}, headers=editor)
    assert response.status_code == 200      # the value it already held, sent back unchanged
