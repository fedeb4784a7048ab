"""The description and the server say the same thing: a body or a query string the description calls valid
is taken, one it calls invalid is refused with a status the description gives for that call, and every status
a call can answer is described (414 and 413 too). Each case here is one the fuzzing found the two disagreeing
on; ``test_api_schemathesis`` keeps looking for others."""
from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator

from apikit import bearer, make_token

RECORDS = "/api/v1/qi/qi-project/records"
PROJECT = {"title": "Falls on ward 7", "division": "Surgery"}


@pytest.fixture
def admin(app) -> dict[str, str]:
    return bearer(make_token(app, "ada", site_admin=True))


@pytest.fixture
def described(client, admin) -> dict:
    return client.get("/api/v1/openapi.json", headers=admin).json


def valid(described: dict, schema_name: str, body) -> bool:
    schema = {**described["components"]["schemas"][schema_name], "components": described["components"]}
    return Draft202012Validator(schema).is_valid(body)


@pytest.mark.parametrize("body, taken", [
    ({"values": PROJECT}, True),
    ({"values": PROJECT, "status": None}, True),                            # null: the first status
    ({"values": {**PROJECT, "aim": [], "budget": ""}}, True),               # what the type calls empty: null
    ({"values": {**PROJECT, "outcomes": 5}}, True),                         # hidden: left out, whatever it is
    ({"values": {**PROJECT, "outcomes": "Fewer falls"}, "status": "Completed"}, True),
    ({}, False),
    ({"values": {**PROJECT, "title": ""}}, False),                          # required, so not empty
    ({"values": PROJECT, "status": "Completed"}, False),                    # outcomes required when Completed
    ({"values": {**PROJECT, "outcomes": 5}, "status": "Completed"}, False),
    ({"values": {**PROJECT, "colour": None}}, False),                       # no such field, even with null
])
def test_a_new_record_is_taken_exactly_when_the_description_says_it_is_valid(client, admin, described, body, taken):
    assert valid(described, "qi.qi-project.NewRecord", body) is taken
    response = client.post(RECORDS, json=body, headers=admin)
    assert response.status_code == (201 if taken else 422), response.json


def test_a_version_written_as_a_whole_float_is_a_version(client, admin, described):
    created = client.post(RECORDS, json={"values": PROJECT}, headers=admin).json
    change = {"version": 1.0, "values": {"aim": "Fewer falls"}}
    assert valid(described, "qi.qi-project.Changes", change)
    response = client.patch(f"{RECORDS}/{created['reference']}", json=change, headers=admin)
    assert response.status_code == 200 and response.json["version"] == 2
    restored = client.post(f"{RECORDS}/{created['reference']}/history/1/restore", json={"version": 2.0},
                           headers=admin)
    assert restored.status_code == 200 and restored.json["values"]["aim"] is None


@pytest.mark.parametrize("query", ["?sort=title&sort=-title", "?page=1&page=2", "?per_page=5&per_page=10",
                                   "?q=falls&q=sepsis", "?state=open&state=closed",
                                   "?start_date_from=2025&start_date_from=2026"])
def test_a_parameter_taking_one_value_given_twice_is_a_400_naming_it(client, query):
    name = query[1:].split("=")[0]
    response = client.get(RECORDS + query)
    assert response.status_code == 400
    assert response.json["errors"] == {name: f"{name} takes one value: it was given 2 times"}


def test_per_page_given_twice_to_the_trust_wide_search_is_a_400_naming_it(client):
    response = client.get("/api/v1/search?q=falls&per_page=5&per_page=10")
    assert response.status_code == 400 and list(response.json["errors"]) == ["per_page"]


def test_a_filter_repeats_for_any_of_several_values(client, admin):
    for division in ("Surgery", "Medicine"):
        client.post(RECORDS, json={"values": {**PROJECT, "division": division}}, headers=admin)
    assert client.get(RECORDS + "?division=Surgery&division=Medicine").json["total"] == 2


@pytest.mark.parametrize("query", ["?page=", "?per_page=", "?sort=", "?state=", "?division="])
def test_an_empty_value_where_there_is_none_is_a_400_naming_it(client, query):
    response = client.get(RECORDS + query)
    assert response.status_code == 400 and list(response.json["errors"]) == [query[1:-1]]


@pytest.mark.parametrize("query", ["?q=", "?title=", "?sort=relevance", "?sort=relevance&q=", "?sort=relevance&q=%3A"])
def test_what_asks_for_nothing_is_the_list_as_the_browse_page_shows_it(client, admin, query):
    for title in ("Falls on ward 7", "Sepsis screening"):
        client.post(RECORDS, json={"values": {**PROJECT, "title": title}}, headers=admin)
    listed = client.get(RECORDS + query)
    assert listed.status_code == 200
    assert listed.json["records"] == client.get(RECORDS).json["records"]


@pytest.mark.parametrize("query", ["?page=%C2%B2", "?per_page=%C2%B2"])       # "²", a digit int() cannot read
def test_a_number_in_other_digits_is_a_400_not_a_server_error(client, query):
    response = client.get(RECORDS + query)
    assert response.status_code == 400 and list(response.json["errors"]) == [query[1:].split("=")[0]]


def test_a_search_of_only_spaces_is_invalid_and_refused(client, described):
    pattern = next(p for p in described["paths"]["/api/v1/search"]["get"]["parameters"] if p["name"] == "q")
    assert not Draft202012Validator(pattern["schema"]).is_valid("\u00a0\u2003 ")
    assert Draft202012Validator(pattern["schema"]).is_valid(" falls ")
    assert client.get("/api/v1/search?q=%C2%A0%E2%80%83+").status_code == 400


def test_every_call_describes_a_too_long_address_and_every_body_a_too_large_one(app, client, admin, described):
    for path, item in described["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            assert "414" in operation["responses"], (method, path)
            assert ("413" in operation["responses"]) == ("requestBody" in operation), (method, path)
    megabytes = app.config["MAX_CONTENT_LENGTH"] / (1024 * 1024)
    assert f"({megabytes:g} MB)" in described["components"]["responses"]["TooLarge"]["description"]


def test_a_body_larger_than_the_site_takes_is_the_described_413(app, client, admin, described):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post(RECORDS, json={"values": {**PROJECT, "aim": "x" * 2000}}, headers=admin)
    assert response.status_code == 413 and response.is_json
    assert valid(described, "Error", response.json)


def test_a_draft_keeps_what_it_can_and_answers_as_described(client, admin, described):
    body = {"values": {"title": "Falls", "website": "not yet", "budget": "about 2k", "colour": "red"}}
    assert valid(described, "qi.qi-project.NewDraft", body)
    response = client.post("/api/v1/qi/qi-project/drafts", json=body, headers=admin)
    assert response.status_code == 201 and set(response.json["left_out"]) == {"budget", "colour"}
    assert response.json["values"]["website"] == "not yet"        # kept unchecked: the submit checks it
    assert valid(described, "qi.qi-project.Draft", response.json)


def test_a_type_that_needs_a_file_says_no_body_can_make_one(shipped):
    admin = bearer(make_token(shipped, "ada", site_admin=True))
    client = shipped.test_client()
    described = client.get("/api/v1/openapi.json", headers=admin).json
    body = {"values": {"title": "Sepsis in adults", "category": "Care pathway"}}
    assert not valid(described, "clinical-governance.local-guideline.NewRecord", body)
    response = client.post("/api/v1/clinical-governance/local-guideline/records", json=body, headers=admin)
    assert response.status_code == 422 and "document" in response.json["errors"]
    said = response.json["errors"]["document"]
    assert "JSON body cannot carry" in said and said.endswith("/clinical-governance/local-guideline/new")
    assert "JSON body carries no files" in described["paths"][
        "/api/v1/clinical-governance/local-guideline/records"]["post"]["description"]
