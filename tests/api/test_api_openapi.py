"""The OpenAPI description: valid OpenAPI 3.1, one set of paths for every repository every instance hosts
(the shipped project's included), and record schemas taken from the field types' own JSON Schema."""
from __future__ import annotations

import pytest
from openapi_spec_validator import validate

from apikit import bearer, make_token


def description(app) -> dict:
    """The description as a site admin, who may read every instance, sees it (once per app: a new account)."""
    response = app.test_client().get("/api/v1/openapi.json", headers=bearer(make_token(app, "ada", site_admin=True)))
    assert response.status_code == 200 and response.is_json
    return response.json


def test_the_description_is_valid_openapi_3_1(app, shipped):
    for served in (description(app), description(shipped)):
        assert served["openapi"].startswith("3.1")
        validate(served)


@pytest.mark.parametrize("roles, described", [({}, {"qi"}), ({"private": "reader"}, {"qi", "private"})])
def test_the_description_shows_only_the_instances_the_caller_may_read(app, client, roles, described):
    headers = bearer(make_token(app, "pat", **roles)) if roles else {}
    served = client.get("/api/v1/openapi.json", headers=headers).json
    shown = {path.split("/")[3] for path in served["paths"] if path.count("/") > 3}
    assert shown == described
    assert {name.split(".")[0] for name in served["components"]["schemas"] if "." in name} == described
    validate(served)


def test_every_hosted_repository_has_its_operations(shipped):
    served = description(shipped)
    hosted = shipped.extensions["repo_engine"].repositories
    assert len(hosted) >= 5
    for instance, repo in hosted:
        base = f"/api/v1/{instance}/{repo}/records"
        assert set(served["paths"][base]) == {"get", "post"}
        assert "patch" in served["paths"][base + "/{reference}"]
        assert "get" in served["paths"][base + "/{reference}/history"]


def test_record_values_are_described_by_each_field_types_own_schema(shipped):
    schemas = description(shipped)["components"]["schemas"]
    for (instance, repo), repository in shipped.extensions["repo_engine"].repositories.items():
        values = schemas[f"{instance}.{repo}.Values"]["properties"]
        new = schemas[f"{instance}.{repo}.NewRecord"]["properties"]["values"]
        for field in repository.rtype.fields:
            fragment = field.kind.json_schema(field)
            assert values[field.name]["anyOf"][0] == fragment and values[field.name]["title"] == field.label
            if field.kind.holds_files:
                assert field.name not in new["properties"]
            elif field.required:
                assert field.name in new["required"] and new["properties"][field.name]["type"] == fragment["type"]


def test_the_browse_filters_are_the_list_parameters(app):
    operation = description(app)["paths"]["/api/v1/qi/qi-project/records"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    repository = app.extensions["repo_engine"].repository("qi", "qi-project")
    boxes = {"start_date_from", "start_date_to"}       # the one date field's range, as the filter panel's boxes
    assert set(parameters) == {"q", "state", "sort", "page", "per_page", *repository.filters, *boxes}
    for box in boxes:
        assert {"const": ""} in parameters[box]["schema"]["anyOf"] and "Start date" in parameters[box]["description"]
    assert parameters["division"]["schema"]["items"]["enum"] == ["Medicine", "Surgery", "Women and Children"]
    assert parameters["status"]["schema"]["items"]["enum"] == ["Proposed", "In progress", "Completed", "Stopped"]


def test_reading_needs_a_token_only_where_the_instance_is_not_open_to_anyone(app):
    paths = description(app)["paths"]
    assert {} in paths["/api/v1/qi/qi-project/records"]["get"]["security"]
    assert paths["/api/v1/private/qi-project/records"]["get"]["security"] == [{"bearerToken": []}]
    assert paths["/api/v1/qi/qi-project/records"]["post"]["security"] == [{"bearerToken": []}]


def test_a_reference_field_says_its_records_must_exist(app):
    values = description(app)["components"]["schemas"]["qi.qi-project.Values"]["properties"]
    assert "must name a live qi-project record" in values["follows"]["description"]
    assert "must name a live" not in values["title"].get("description", "")
