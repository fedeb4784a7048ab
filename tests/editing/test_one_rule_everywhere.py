"""One rule engine on every path: a hidden field's value is dropped the same way from the form, the API, an
import and the write path itself, and said so; requirements with the new condition forms hold everywhere."""
from __future__ import annotations

import io

from bs4 import BeautifulSoup

from api.apikit import bearer, make_token
from editkit import BASE
from engine.errors import ValidationFailed

API = "/api/v1/qi/project/records"
HIDDEN = {"title": "Leaner clinics", "methodology": "Lean", "methodology_other": "Kaizen blitz"}


def test_the_api_drops_a_hidden_value_and_says_so(site):
    app = site.start()
    token = make_token(app, "eve", qi="editor")
    response = app.test_client().post(API, json={"values": HIDDEN}, headers=bearer(token))
    assert response.status_code == 201
    assert response.json["values"]["methodology_other"] is None
    assert response.json["dropped"] == {
        "methodology_other": "Other methodology was not saved: it applies only when methodology is Other"}
    stored = site.records(app).store.get(response.json["reference"])
    assert "methodology_other" not in stored.values


def test_a_patch_that_hides_a_field_drops_its_value_and_says_so(site):
    app = site.start()
    token = make_token(app, "eve", qi="editor")
    client = app.test_client()
    made = client.post(API, json={"values": {**HIDDEN, "methodology": "Other"}}, headers=bearer(token)).json
    assert made["values"]["methodology_other"] == "Kaizen blitz"
    changed = client.patch(f"{API}/{made['reference']}", json={"version": 1, "values": {"methodology": "Lean"}},
                           headers=bearer(token))
    assert changed.status_code == 200 and changed.json["values"]["methodology_other"] is None


def test_an_import_drops_a_hidden_value_and_its_report_says_so(site):
    app = site.start()
    client = site.client(app, "ada", "admin")
    csv = b"Project title,Methodology,Other methodology\nLeaner clinics,Lean,Kaizen blitz\n"
    checked = client.post(BASE + "import", data={"file": (io.BytesIO(csv), "projects.csv")},
                          content_type="multipart/form-data")
    assert checked.status_code == 200
    report = BeautifulSoup(checked.get_data(as_text=True), "html.parser").get_text(" ")
    assert "Other methodology was not saved: it applies only when methodology is Other" in report
    held = BeautifulSoup(checked.get_data(as_text=True), "html.parser").select_one("input[name=held]")["value"]
    assert client.post(BASE + "import/confirm", data={"held": held}).status_code == 302
    (record,) = site.records(app).store.iter_all()
    assert record.values.get("methodology") == "Lean" and "methodology_other" not in record.values


def test_the_write_path_itself_drops_a_hidden_value(site):
    app = site.start()
    record = site.records(app).create(HIDDEN, user="ann")
    assert "methodology_other" not in record.values


def test_a_comparison_condition_requires_on_every_path(site):
    app = site.start()
    token = make_token(app, "eve", qi="editor")
    refused = app.test_client().post(API, json={"values": {"title": "New scanner", "budget": 9000}},
                                     headers=bearer(token))
    assert refused.status_code == 422
    assert refused.json["errors"] == {"approval": "Enter finance approval (required when budget is more than 5000)"}
    form = site.client(app).post(BASE + "new", data={"title": "New scanner", "budget": "9000"})
    assert form.status_code == 400 and "Enter finance approval" in form.get_data(as_text=True)
    try:
        site.records(app).create({"title": "New scanner", "budget": 9000}, user="ann")
    except ValidationFailed as failed:
        assert list(failed.errors) == ["approval"]
    else:
        raise AssertionError("the write path accepted a record missing a required value")
    assert site.records(app).create({"title": "Small spend", "budget": 5000}, user="ann").reference
