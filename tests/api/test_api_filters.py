"""Filters as the description gives them and the server reads them: each filter typed by its field type
(``FieldType.filter_schema``), a date's range boxes described, and the trust-wide search refusing a parameter
given twice as the list does. A value the description allows is taken; one it does not is a 400 naming it."""
from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from apikit import bearer, make_token

RECORDS = "/api/v1/qi/qi-project/records"
PROJECTS = [
    {"title": "Falls on ward 7", "division": "Surgery", "start_date": "2026-03-01", "budget": 1000,
     "patient_facing": True, "keywords": ["falls"]},
    {"title": "Sepsis screening", "division": "Medicine", "start_date": "2025-06-30", "budget": 250.5},
]


@pytest.fixture
def admin(app) -> dict[str, str]:
    return bearer(make_token(app, "ada", site_admin=True))


@pytest.fixture
def parameters(client, admin) -> dict[str, dict]:
    described = client.get("/api/v1/openapi.json", headers=admin).json
    return {p["name"]: p for p in described["paths"][RECORDS]["get"]["parameters"]}


@pytest.fixture
def projects(client, admin) -> list[str]:
    made = [client.post(RECORDS, json={"values": values}, headers=admin) for values in PROJECTS]
    assert all(response.status_code == 201 for response in made)
    return [response.json["reference"] for response in made]


def allowed(parameter: dict, raw: str) -> bool:
    """Does the description allow ``raw`` for the parameter, read as OpenAPI reads a query value: the text, or
    the number or boolean it writes?"""
    schema = parameter["schema"]
    item = schema["items"] if schema.get("type") == "array" else schema
    validator = Draft202012Validator(item, format_checker=FormatChecker())
    try:
        typed = json.loads(raw)
    except ValueError:
        typed = raw
    return validator.is_valid(raw) or validator.is_valid(typed)


def test_each_filter_is_described_by_its_field_type(app, parameters):
    repository = app.extensions["repo_engine"].repository("qi", "qi-project")
    for field in repository.rtype.fields:
        assert parameters[field.name]["schema"]["items"] == field.kind.filter_schema(field), field.name
    assert parameters["division"]["schema"]["items"] == {"enum": ["Medicine", "Surgery", "Women and Children"]}
    assert parameters["budget"]["schema"]["items"]["type"] == "number"
    assert parameters["patient_facing"]["schema"]["items"] == {"type": "boolean"}
    assert parameters["report"]["schema"]["items"] == {"type": "boolean"}
    assert parameters["start_date"]["schema"]["items"]["description"].startswith("a day (2025-03-31")
    assert parameters["title"]["schema"]["items"] == {"type": "string"}


@pytest.mark.parametrize("query, matching", [
    ("division=Surgery", [0]), ("division=surgery", None), ("division=Nowhere", None),
    ("domains=Safe", []), ("domains=safe", None),
    ("budget=1000", [0]), ("budget=1e3", [0]), ("budget=250.5", [1]), ("budget=lots", None),
    ("budget=10..2000", None),
    ("start_date=2026-03-01", [0]), ("start_date=2026", [0]), ("start_date=01/03/2026", [0]),
    ("start_date=March 2026", [0]), ("start_date=2026-3", [0]), ("start_date=soon", None),
    ("start_date=2026-03-01T10:00", None),
    ("patient_facing=true", [0]), ("patient_facing=false", []), ("patient_facing=yes", None),
    ("report=false", [0, 1]), ("report=maybe", None),
    ("keywords=falls", [0]), ("keywords=%20", None),
    ("follows=QI-0001", []), ("follows=nothing", None),
    ("title=anything", []),
])
def test_a_filter_value_is_taken_exactly_when_the_description_allows_it(client, parameters, projects, query,
                                                                         matching):
    name, raw = query.split("=", 1)
    response = client.get(f"{RECORDS}?{query}")
    assert allowed(parameters[name], raw.replace("%20", " ")) is (matching is not None)
    if matching is None:
        assert response.status_code == 400 and list(response.json["errors"]) == [name], response.json
        assert parameters[name]["schema"]["items"] != {"type": "string"}
    else:
        assert response.status_code == 200, response.json
        assert {r["reference"] for r in response.json["records"]} == {projects[i] for i in matching}


def test_a_day_of_the_described_shape_that_does_not_exist_is_refused_in_the_readers_words(client, parameters,
                                                                                           projects):
    # The description gives the shapes a browse URL writes a date in; whether the day exists is the reader's.
    assert allowed(parameters["start_date"], "2026-02-30")
    response = client.get(f"{RECORDS}?start_date=2026-02-30&start_date_from=31/02/2025")
    assert response.status_code == 400
    assert set(response.json["errors"]) == {"start_date", "start_date_from"}
    assert "not a real date" in response.json["errors"]["start_date_from"]


def test_a_refused_filter_says_what_it_takes(client, projects):
    errors = client.get(f"{RECORDS}?division=surgery&budget=lots").json["errors"]
    assert errors == {"division": "Division: “surgery” is not one of: Medicine, Surgery, Women and Children",
                      "budget": "Budget: 'lots' is not a number"}     # the browse page's words


def test_a_dates_range_boxes_are_described_as_days_with_the_fields_label(app, parameters):
    repository = app.extensions["repo_engine"].repository("qi", "qi-project")
    boxes = {name for name in parameters if name.endswith(("_from", "_to"))}
    assert boxes == {"start_date_from", "start_date_to"}
    for box in boxes:
        one = repository.rtype.field("start_date").kind.filter_schema(repository.rtype.field("start_date"))
        assert parameters[box]["schema"]["anyOf"] == [one, {"const": ""}]
        assert parameters[box]["description"].startswith("Start date on or")


@pytest.mark.parametrize("query, matching", [
    ("start_date_from=2026-01-01", [0]), ("start_date_to=2025-12-31", [1]),
    ("start_date_from=2025-01-01&start_date_to=2026-12-31", [0, 1]),
    ("start_date_from=2025", [0, 1]), ("start_date_to=31/12/2025", [1]), ("start_date_from=", [0, 1]),
    ("start_date_to=31 December 2025", [1]), ("start_date_from=next week", None),
])
def test_a_range_box_takes_a_day_as_described(client, parameters, projects, query, matching):
    response = client.get(f"{RECORDS}?{query}")
    values = [pair.split("=", 1) for pair in query.split("&")]
    assert all(allowed(parameters[name], raw) for name, raw in values) is (matching is not None)
    if matching is None:
        assert response.status_code == 400 and set(response.json["errors"]) == {values[0][0]}, response.json
    else:
        assert response.status_code == 200
        assert {r["reference"] for r in response.json["records"]} == {projects[i] for i in matching}


def test_a_range_that_ends_before_it_starts_is_a_400_naming_both_boxes(client, projects):
    response = client.get(f"{RECORDS}?start_date_from=2026-01-01&start_date_to=2025-01-01")
    assert response.status_code == 400
    assert set(response.json["errors"]) == {"start_date_from", "start_date_to"}


@pytest.mark.parametrize("query", ["q=falls&q=sepsis", "q=falls&state=open&state=closed",
                                   "q=falls&page=1&page=2"])
def test_the_trust_wide_search_refuses_a_parameter_given_twice_as_the_list_does(client, query):
    name = query.split("&")[-1].split("=")[0]
    response = client.get(f"/api/v1/search?{query}")
    assert response.status_code == 400
    assert response.json["errors"] == {name: f"{name} takes one value: it was given 2 times"}
    assert response.json["message"] == client.get(f"{RECORDS}?{name}=1&{name}=2").json["message"]


def test_the_trust_wide_search_says_which_parameters_take_one_value(client, admin):
    described = client.get("/api/v1/openapi.json", headers=admin).json
    words = {p["name"]: p["description"] for p in described["paths"]["/api/v1/search"]["get"]["parameters"]}
    for name in ("q", "state", "page", "per_page"):
        assert "twice is a 400" in words[name], name
