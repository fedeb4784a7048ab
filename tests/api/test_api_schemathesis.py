"""Schemathesis against the OpenAPI description: requests generated for every operation of every hosted
repository, sent in-process as a site admin, never meet a server error and are always answered as the
description says (status codes, content types, headers and bodies). Run on the test project (every field
type, an open and a members-only instance) and on the shipped project (the real repository types)."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings, strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (content_type_conformance, response_headers_conformance,
                                               response_schema_conformance, status_code_conformance)

from apikit import bearer, make_token

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]
SEEDS = [{"title": "Falls on ward 7", "division": "Surgery", "start_date": "2026-03-01", "keywords": ["falls"]},
         {"title": "Sepsis screening", "division": "Medicine", "budget": 1200, "patient_facing": True}]
#: (project, what is generated, examples per operation): valid requests on both projects, and requests that
#: break the description (wrong types, missing parts) on the test project. About 30 s in all on one core.
RUNS = [("test project", GenerationMode.POSITIVE, 30), ("test project", GenerationMode.NEGATIVE, 15),
        ("shipped project", GenerationMode.POSITIVE, 20)]


@pytest.fixture
def served(request):
    """(app, admin headers) with records in the test project's instances for the generated calls to find; the
    shipped project's records come from the generated creates, which run before the reads of their path."""
    project = request.param
    app = request.getfixturevalue("app" if project == "test project" else "shipped")
    admin = bearer(make_token(app, "ada", site_admin=True))
    if project == "test project":
        for instance in ("qi", "private"):
            for values in SEEDS:
                response = app.test_client().post(f"/api/v1/{instance}/qi-project/records",
                                                  json={"values": values}, headers=admin)
                assert response.status_code == 201, response.json
    return app, admin


def operations(app, admin: dict[str, str]) -> list:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, headers=admin)
    return [result.ok() for result in schema.get_all_operations()]


def known_references(app, path: str) -> list[str]:
    """References that may exist in the repository an operation's path names (most generated ones do not)."""
    parts = path.split("/")
    if len(parts) < 5 or parts[5:6] != ["records"]:
        return []
    prefix = app.extensions["repo_engine"].repository(parts[3], parts[4]).rtype.reference_prefix
    return [f"{prefix}-0001", f"{prefix}-0002"]


def test_every_repository_of_every_instance_is_exercised(shipped):
    admin = bearer(make_token(shipped, "ada", site_admin=True))
    labels = {operation.label for operation in operations(shipped, admin)}
    for instance, repo in shipped.extensions["repo_engine"].repositories:
        for method, path in (("GET", "records"), ("POST", "records"), ("PATCH", "records/{reference}"),
                             ("GET", "records/{reference}/history")):
            assert f"{method} /api/v1/{instance}/{repo}/{path}" in labels


@pytest.mark.parametrize("served, mode, examples", RUNS, indirect=["served"],
                         ids=[f"{project}, {mode.value}" for project, mode, _ in RUNS])
def test_generated_requests_get_described_answers_and_no_server_error(served, mode, examples):
    # Hypothesis is driven per operation here: schemathesis' own pytest fixture loader does not run under
    # this pytest version. Failures are gathered so one run names every operation at fault.
    app, admin = served
    failures = []
    for operation in operations(app, admin):
        references = st.sampled_from([None, *known_references(app, operation.path)])

        @given(case=operation.as_strategy(generation_mode=mode), known=references)
        @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def exercise(case, known):
            if known and "reference" in (case.path_parameters or {}):
                case.path_parameters["reference"] = known
            case.call_and_validate(headers=admin, checks=CHECKS)
        try:
            exercise()
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE, operation.label    # nothing to break in GET /api/v1/
        except Exception as failure:            # each operation's first failing example, kept to report
            failures.append(f"{operation.label}: {failure}")
    assert not failures, "\n\n".join(failures)
