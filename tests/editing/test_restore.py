"""Restore: an editor sees a record as it was at any version and can make that version current again, as a new
version noted "restored version N"; nothing earlier is lost."""
from __future__ import annotations

from bs4 import BeautifulSoup

from api.apikit import bearer, make_token
from editkit import BASE

API = "/api/v1/qi/project/records"


def page(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def _three_versions(site):
    app = site.start()
    records = site.records(app)
    ref = records.create({"title": "First title", "aim": "First aim"}, user="ann").reference
    records.update(ref, {"title": "Second title"}, user="bob", expected_version=1)
    records.update(ref, {"aim": None, "methodology": "Lean"}, user="bob", expected_version=2, status="In progress")
    return app, ref


def test_the_record_as_it_was_at_a_version(site):
    app, ref = _three_versions(site)
    shown = page(site.client(app, "rita", "reader").get(f"{BASE}{ref}/history/1"))
    assert shown.select_one("h1").get_text(strip=True) == "First title"
    assert "as it was at version 1" in shown.select_one(".app-as-of").get_text()
    assert not shown.select(".app-as-of form")            # a reader may look, not restore
    assert site.client(app).get(f"{BASE}{ref}/history/9").status_code == 404


def test_restoring_makes_a_new_version_and_keeps_every_earlier_one(site):
    app, ref = _three_versions(site)
    client = site.client(app)
    history = page(client.get(f"{BASE}{ref}/history"))
    assert len(history.select("form.app-restore")) == 2        # every version but the current one
    restored = client.post(f"{BASE}{ref}/history/1/restore", data={"version": "3"}, follow_redirects=True)
    assert "has been restored to version 1" in restored.get_data(as_text=True)
    store = site.records(app).store
    record = store.get(ref)
    assert record.version == 4 and record.status == "Proposed"
    assert record.values.get("title") == "First title" and record.values.get("aim") == "First aim"
    assert "methodology" not in record.values
    versions = store.history(ref)
    assert [v.note for v in versions][-1] == "restored version 1" and len(versions) == 4
    assert "Version 4: restored version 1" in page(client.get(f"{BASE}{ref}/history")).get_text()


def test_restoring_from_a_stale_page_changes_nothing(site):
    app, ref = _three_versions(site)
    response = site.client(app).post(f"{BASE}{ref}/history/1/restore", data={"version": "2"},
                                     follow_redirects=True)
    assert "was changed while you were looking" in response.get_data(as_text=True)
    assert site.records(app).store.get(ref).version == 3


def test_the_api_restores_a_version(site):
    app, ref = _three_versions(site)
    client, token = app.test_client(), bearer(make_token(app, "eve", qi="editor"))
    restored = client.post(f"{API}/{ref}/history/2/restore", json={"version": 3}, headers=token)
    assert restored.status_code == 200 and restored.json["version"] == 4
    assert restored.json["values"]["title"] == "Second title" and restored.json["values"]["aim"] == "First aim"
    stale = client.post(f"{API}/{ref}/history/1/restore", json={"version": 3}, headers=token)
    assert stale.status_code == 409
    reader = bearer(make_token(app, "rita", qi="reader"))
    assert client.post(f"{API}/{ref}/history/1/restore", json={"version": 4}, headers=reader).status_code == 403


def test_a_restored_value_no_longer_offered_is_restored_all_the_same(site):
    app = site.start()
    records = site.records(app)
    ref = records.create({"title": "Work", "methodology": "Six Sigma"}, user="ann").reference
    records.update(ref, {"methodology": "Lean"}, user="ann", expected_version=1)
    site.change("choices: [PDSA, Lean, Six Sigma, Other]", "choices: [PDSA, Lean, Other]")
    app = site.start()
    restored = site.records(app).restore_version(ref, 1, user="ann", expected_version=2)
    assert restored.values["methodology"] == "Six Sigma"
