"""Attachments through the API: a record's files are listed with their metadata and downloaded with the
same permission as the record; a file field cannot be set from JSON."""
from __future__ import annotations

from access_helpers import sign_in
from apikit import bearer
from web.webpages import submit, upload

PDF = b"%PDF-1.4 the falls report"


def record_with_a_file(app, client) -> str:
    """Submitted through the form in ``qi``, as files arrive only that way; returns the record's API address."""
    browser = app.test_client()
    sign_in(browser, app, "web", role="editor")
    page = submit(browser, report=upload(content=PDF))
    return "/api/v1/qi/qi-project/records/" + page.rsplit("/", 1)[1]


def test_a_record_lists_its_attachments_and_each_downloads(app, client):
    url = record_with_a_file(app, client)
    record = client.get(url).json
    [attachment] = record["attachments"]
    assert record["values"]["report"] == [attachment["id"]]
    assert attachment["filename"] == "report.pdf" and attachment["size"] == len(PDF)
    assert attachment["download"] == f"{url}/attachments/{attachment['id']}"
    download = client.get(attachment["download"])
    assert download.status_code == 200 and download.data == PDF
    assert client.get(f"{url}/attachments/nothing-here").status_code == 404


def test_a_file_field_keeps_its_files_when_a_record_is_changed(app, client, editor):
    url = record_with_a_file(app, client)
    before = client.get(url).json
    response = client.patch(url, json={"version": before["version"], "values": {"aim": "Fewer falls"}},
                            headers=editor)
    assert response.status_code == 200
    assert response.json["values"]["report"] == before["values"]["report"]
    refused = client.patch(url, json={"version": 2, "values": {"report": None}}, headers=editor)
    assert refused.status_code == 422 and list(refused.json["errors"]) == ["report"]
    assert client.get(url).json["values"]["report"] == before["values"]["report"]


def test_a_members_only_attachment_needs_a_members_token(app, client, token):
    admin = bearer(token("ada", site_admin=True))
    created = client.post("/api/v1/private/qi-project/records",
                          json={"values": {"title": "Private", "division": "Surgery"}}, headers=admin)
    url = f"/api/v1/private/qi-project/records/{created.json['reference']}/attachments/anything"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=admin).status_code == 404
