"""Edits merge: a save from an older version applies the fields this person changed and keeps the fields only
the other person changed; a field both changed differently is a choice (the form) or a 409 naming it (the API)."""
from __future__ import annotations

from bs4 import BeautifulSoup

from api.apikit import bearer, make_token
from editkit import BASE

API = "/api/v1/qi/project/records"
START = {"title": "Faster discharge", "aim": "Home by noon", "methodology": "Lean"}


def page(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def _made(site):
    app = site.start()
    record = site.records(app).create(START, user="ann")
    return app, record.reference


def _form(**changes):
    return {"version": "1", **START, **changes}


def test_two_people_changing_different_fields_both_keep_their_change(site):
    app, ref = _made(site)
    ann, bob = site.client(app, "ann"), site.client(app, "bob")
    assert ann.post(f"{BASE}{ref}/edit", data=_form(aim="Home by eleven")).status_code == 302
    merged = bob.post(f"{BASE}{ref}/edit", data=_form(title="Faster discharge home"), follow_redirects=True)
    assert merged.status_code == 200
    assert "combined with the changes saved since" in merged.get_data(as_text=True)
    record = site.records(app).store.get(ref)
    assert record.values["aim"] == "Home by eleven" and record.values["title"] == "Faster discharge home"
    assert record.version == 3


def test_both_changing_one_field_shows_theirs_and_yours_and_saves_nothing_until_chosen(site):
    app, ref = _made(site)
    ann, bob = site.client(app, "ann"), site.client(app, "bob")
    assert ann.post(f"{BASE}{ref}/edit", data=_form(aim="Home by eleven", title="Discharge sooner")).status_code == 302
    conflict = bob.post(f"{BASE}{ref}/edit", data=_form(aim="Home by ten", methodology="PDSA"))
    assert conflict.status_code == 409
    shown = page(conflict)
    labels = [label.get_text(" ", strip=True) for label in shown.select(".app-overlap label")]
    assert labels == ["Theirs: Home by eleven", "Yours: Home by ten"]
    # the form holds their title (only they changed it) and bob's methodology (only he changed it)
    assert shown.select_one("input[name=title]")["value"] == "Discharge sooner"
    assert shown.select_one("input[name=methodology][value=PDSA]").has_attr("checked")
    assert shown.select_one("input[name=version]")["value"] == "2"
    assert site.records(app).store.get(ref).version == 2            # nothing saved

    posted = {"version": "2", "title": "Discharge sooner", "aim": "Home by ten", "methodology": "PDSA",
              "conflicting": "aim"}
    unchosen = bob.post(f"{BASE}{ref}/edit", data=posted)
    assert unchosen.status_code == 400
    assert "Choose which version of aim to keep" in page(unchosen).select_one(".nhsuk-error-summary").get_text()
    assert site.records(app).store.get(ref).version == 2

    assert bob.post(f"{BASE}{ref}/edit", data={**posted, "resolve-aim": "theirs"}).status_code == 302
    record = site.records(app).store.get(ref)
    assert record.values["aim"] == "Home by eleven" and record.values["methodology"] == "PDSA"
    assert record.values["title"] == "Discharge sooner"


def test_choosing_yours_keeps_your_value(site):
    app, ref = _made(site)
    ann, bob = site.client(app, "ann"), site.client(app, "bob")
    ann.post(f"{BASE}{ref}/edit", data=_form(aim="Home by eleven"))
    bob.post(f"{BASE}{ref}/edit", data=_form(aim="Home by ten"))
    posted = {"version": "2", **START, "aim": "Home by ten", "conflicting": "aim", "resolve-aim": "mine"}
    assert bob.post(f"{BASE}{ref}/edit", data=posted).status_code == 302
    assert site.records(app).store.get(ref).values["aim"] == "Home by ten"


def test_the_api_merges_a_patch_that_touches_only_fields_nobody_else_changed(site):
    app, ref = _made(site)
    client, token = app.test_client(), bearer(make_token(app, "eve", qi="editor"))
    assert client.patch(f"{API}/{ref}", json={"version": 1, "values": {"aim": "Home by eleven"}},
                        headers=token).status_code == 200
    merged = client.patch(f"{API}/{ref}", json={"version": 1, "values": {"title": "Sooner"}}, headers=token)
    assert merged.status_code == 200 and merged.json["merged"] is True
    assert merged.json["values"]["aim"] == "Home by eleven" and merged.json["values"]["title"] == "Sooner"
    same = client.patch(f"{API}/{ref}", json={"version": 1, "values": {"aim": "Home by eleven"}}, headers=token)
    assert same.status_code == 200             # both gave the field the same value: nothing to choose


def test_an_api_overlap_is_a_409_naming_the_fields(site):
    app, ref = _made(site)
    client, token = app.test_client(), bearer(make_token(app, "eve", qi="editor"))
    client.patch(f"{API}/{ref}", json={"version": 1, "values": {"aim": "Home by eleven"}, "status": "In progress"},
                 headers=token)
    refused = client.patch(f"{API}/{ref}", json={"version": 1, "values": {"aim": "Home by ten", "title": "T"},
                                                 "status": "Completed"}, headers=token)
    assert refused.status_code == 409
    assert set(refused.json["errors"]) == {"status", "aim"}
    assert refused.json["conflicts"]["aim"] == {"theirs": "Home by eleven", "yours": "Home by ten"}
    assert refused.json["current"]["version"] == 2
    assert site.records(app).store.get(ref).values["title"] == START["title"]      # nothing of it saved


def test_an_unknown_starting_version_is_a_plain_conflict(site):
    app, ref = _made(site)
    client, token = app.test_client(), bearer(make_token(app, "eve", qi="editor"))
    refused = client.patch(f"{API}/{ref}", json={"version": 7, "values": {"aim": "x"}}, headers=token)
    assert refused.status_code == 409 and "errors" not in refused.json


def test_a_save_landing_between_reading_and_writing_is_merged_over_too(site, monkeypatch):
    app, ref = _made(site)
    records = site.records(app)
    store = records.store
    write = store.update
    landed = []

    def someone_saves_first(*args, **kwargs):
        if not landed:          # the other person's save lands after this one read the record
            landed.append(write(ref, {**store.get(ref).values, "aim": "Home by eleven"}, user="bob",
                                expected_version=store.get(ref).version))
        return write(*args, **kwargs)
    monkeypatch.setattr(store, "update", someone_saves_first)
    saved = records.update(ref, {"title": "Sooner"}, user="ann", expected_version=1)
    assert saved.version == 3 and saved.values["aim"] == "Home by eleven" and saved.values["title"] == "Sooner"
