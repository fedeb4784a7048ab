"""A record is never locked by its own old values: after a type changes (a choice retired or removed, a limit
tightened, a field removed), editing anything else keeps what the record held and says so; only the values
the person changes are held to today's rules."""
from __future__ import annotations

from bs4 import BeautifulSoup

from api.apikit import bearer, make_token
from editkit import BASE

API = "/api/v1/qi/project/records"


def page(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def _six_sigma_record(site):
    app = site.start()
    record = site.records(app).create({"title": "Faster discharge", "methodology": "Six Sigma"}, user="ann")
    return record


def test_a_retired_choice_is_kept_when_another_field_is_edited(site):
    record = _six_sigma_record(site)
    site.change("choices: [PDSA, Lean, Six Sigma, Other]",
                "choices: [PDSA, Lean, {value: Six Sigma, retired: true}, Other]")
    app = site.start()
    client = site.client(app)
    form = page(client.get(f"{BASE}{record.reference}/edit"))
    assert "Six Sigma is no longer offered; it will be kept unless you change it" in form.select_one(".app-kept").get_text()
    option = form.select_one("input[name=methodology][value='Six Sigma']")
    assert option.has_attr("checked")
    assert "(no longer offered)" in form.select_one(f"label[for='{option['id']}']").get_text()
    saved = client.post(f"{BASE}{record.reference}/edit",
                        data={"version": "1", "title": "Faster discharge home", "methodology": "Six Sigma"})
    assert saved.status_code == 302
    assert site.records(app).store.get(record.reference).values["methodology"] == "Six Sigma"


def test_a_retired_choice_is_not_offered_and_not_accepted_as_a_change(site):
    _six_sigma_record(site)
    site.change("choices: [PDSA, Lean, Six Sigma, Other]",
                "choices: [PDSA, Lean, {value: Six Sigma, retired: true}, Other]")
    app = site.start()
    client = site.client(app)
    assert not page(client.get(BASE + "new")).select("input[name=methodology][value='Six Sigma']")
    refused = client.post(BASE + "new", data={"title": "Another", "methodology": "Six Sigma"})
    assert refused.status_code == 400
    assert "Six Sigma is no longer offered" in page(refused).select_one(".nhsuk-error-summary").get_text()
    token = make_token(app, "eve", qi="editor")
    api = app.test_client().post(API, json={"values": {"title": "Another", "methodology": "Six Sigma"}},
                                 headers=bearer(token))
    assert api.status_code == 422 and "no longer offered" in api.json["errors"]["methodology"]


def test_a_removed_choice_never_locks_the_record(site):
    record = _six_sigma_record(site)
    site.change("choices: [PDSA, Lean, Six Sigma, Other]", "choices: [PDSA, Lean, Other]")
    app = site.start()
    token = make_token(app, "eve", qi="editor")
    patched = app.test_client().patch(f"{API}/{record.reference}",
                                      json={"version": 1, "values": {"aim": "Home by noon"}}, headers=bearer(token))
    assert patched.status_code == 200, patched.json
    assert patched.json["values"]["methodology"] == "Six Sigma"
    client = site.client(app)
    form = page(client.get(f"{BASE}{record.reference}/edit"))
    assert form.select_one("input[name=methodology][value='Six Sigma']").has_attr("checked")
    saved = client.post(f"{BASE}{record.reference}/edit",
                        data={"version": "2", "title": "Faster discharge", "aim": "Home by eleven",
                              "methodology": "Six Sigma"})
    assert saved.status_code == 302


def test_changing_an_old_value_holds_it_to_todays_rules(site):
    record = _six_sigma_record(site)
    site.change("choices: [PDSA, Lean, Six Sigma, Other]", "choices: [PDSA, Lean, Other]")
    app = site.start()
    token = make_token(app, "eve", qi="editor")
    refused = app.test_client().patch(f"{API}/{record.reference}",
                                      json={"version": 1, "values": {"methodology": "Kanban"}},
                                      headers=bearer(token))
    assert refused.status_code == 422 and list(refused.json["errors"]) == ["methodology"]


def test_a_tightened_limit_keeps_the_old_value_until_it_is_changed(site):
    app = site.start()
    record = site.records(app).create({"title": "A long and winding project title"}, user="ann")
    site.change("{name: title, type: text, label: Project title, required: true}",
                "{name: title, type: text, label: Project title, required: true, max_length: 10}")
    app = site.start()
    records = site.records(app)
    kept = records.update(record.reference, {"aim": "Shorter waits"}, user="ann", expected_version=1)
    assert kept.values["title"] == "A long and winding project title"
    form = page(site.client(app).get(f"{BASE}{record.reference}/edit"))
    assert "does not meet today's rules" in form.select_one(".app-kept").get_text()


def test_a_field_added_as_required_does_not_lock_older_records(site):
    app = site.start()
    record = site.records(app).create({"title": "Older work"}, user="ann")
    site.change("{name: aim, type: textarea, label: Aim}", "{name: aim, type: textarea, label: Aim, required: true}")
    app = site.start()
    records = site.records(app)
    assert records.update(record.reference, {"budget": 10}, user="ann", expected_version=1).version == 2


def test_a_status_change_enforces_the_requirement_it_triggers(site):
    site.change("{name: lessons_learned, type: textarea, label: Lessons learned}",
                "{name: lessons_learned, type: textarea, label: Lessons learned, required_when: {status: Completed}}")
    app = site.start()
    record = site.records(app).create({"title": "Work"}, user="ann")
    token = make_token(app, "eve", qi="editor")
    refused = app.test_client().patch(f"{API}/{record.reference}", json={"version": 1, "status": "Completed"},
                                      headers=bearer(token))
    assert refused.status_code == 422 and list(refused.json["errors"]) == ["lessons_learned"]


def test_values_of_a_removed_field_are_kept_and_shown_and_never_block_a_save(site):
    app = site.start()
    record = site.records(app).create({"title": "Work", "lessons_learned": "Start small."}, user="ann")
    site.change("  - {name: lessons_learned, type: textarea, label: Lessons learned}\n", "")
    app = site.start()
    client = site.client(app)
    shown = page(client.get(f"{BASE}{record.reference}"))
    assert "Start small." in shown.get_text() and "Kept from earlier versions" in shown.get_text()
    saved = client.post(f"{BASE}{record.reference}/edit", data={"version": "1", "title": "Work, done"})
    assert saved.status_code == 302
    assert site.records(app).store.get(record.reference).values["lessons_learned"] == "Start small."
    token = make_token(app, "eve", qi="editor")
    patched = app.test_client().patch(f"{API}/{record.reference}", json={"version": 2, "values": {"aim": "x"}},
                                      headers=bearer(token))
    assert patched.status_code == 200


def test_a_retired_field_is_shown_but_not_filled_in_or_changed(site):
    app = site.start()
    record = site.records(app).create({"title": "Work", "lessons_learned": "Start small."}, user="ann")
    site.change("{name: lessons_learned, type: textarea, label: Lessons learned}",
                "{name: lessons_learned, type: textarea, label: Lessons learned, retired: true}")
    app = site.start()
    client = site.client(app)
    assert "Start small." in page(client.get(f"{BASE}{record.reference}")).get_text()
    assert not page(client.get(f"{BASE}{record.reference}/edit")).select("[name=lessons_learned]")
    assert client.post(f"{BASE}{record.reference}/edit", data={"version": "1", "title": "Work!"}).status_code == 302
    assert site.records(app).store.get(record.reference).values["lessons_learned"] == "Start small."
    token = make_token(app, "eve", qi="editor")
    refused = app.test_client().patch(f"{API}/{record.reference}",
                                      json={"version": 2, "values": {"lessons_learned": "Go big."}},
                                      headers=bearer(token))
    assert refused.status_code == 422 and "retired" in refused.json["errors"]["lessons_learned"]
