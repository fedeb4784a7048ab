"""Schemathesis against the OpenAPI description, with its conformance checks: a request the description calls
valid is accepted (positive data), one it calls invalid is refused with a 4xx (negative data), none meets a
server error, and every answer's status, content type, headers and body are as described. Requests are
generated for every operation of every hosted repository and sent in-process as a site admin, on the test
project (every field type, an open and a members-only instance) and on the shipped project.

Some rules depend on what is stored, or on a grammar JSON Schema does not state; the description says them
in words. For those the run steers a valid request (``Steering``) to what the words say, rather than let the
fuzz guess at the state of the server; each rule is steered in one place, and nothing else is.
"""
from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings, strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (content_type_conformance, negative_data_rejection,
                                               positive_data_acceptance, response_headers_conformance,
                                               response_schema_conformance, status_code_conformance)

from apikit import bearer, make_token
from engine.api import idempotency
from engine.errors import NotFound
from engine.fields.base import CellError
from engine.fields.dates import DateType
from engine.fields.values import CONTROL_CHARACTERS, without_controls
from engine.merging import changed_names
from engine.store.drafts import MAX_DRAFTS_PER_PERSON

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance, negative_data_rejection, positive_data_acceptance]
SEEDS = [{"title": "Falls on ward 7", "division": "Surgery", "start_date": "2026-03-01", "keywords": ["falls"]},
         {"title": "Sepsis screening", "division": "Medicine", "budget": 1200, "patient_facing": True}]
#: (project, what is generated, examples per operation): valid and invalid requests on the test project, valid
#: and invalid ones on the shipped project: about 40 s of one core in all.
RUNS = [("test project", GenerationMode.POSITIVE, 25), ("test project", GenerationMode.NEGATIVE, 12),
        ("shipped project", GenerationMode.POSITIVE, 12), ("shipped project", GenerationMode.NEGATIVE, 6)]
#: No one generated request may take longer (a slow answer is a finding too, and it bounds the run).
DEADLINE = timedelta(seconds=5)


class Steering:
    """Where a valid generated request is brought to what the description's words say, for rules JSON Schema
    cannot: a reference must name a live record (in a path and in a reference field), a draft must exist (and
    be complete, to be submitted), an ``Idempotency-Key`` sent with another body is refused, a person keeps at
    most ``MAX_DRAFTS_PER_PERSON`` drafts, text loses its control characters before any rule, a date filter's
    value (or range box's) of a described shape that its field type cannot read, a day that does not exist
    (2026-02-30, 31/02/2025, the year 0000), is left out, a date range's To may not come before its From (such a
    To is left out), and a change that makes a field required refuses it when the record holds none (expected,
    as a 422 naming it). Any other filter's value needs no steering: its field type's schema says exactly what
    is read."""

    def __init__(self, app, user: str, drafts: dict[str, dict[str, list[str]]]):
        self.site = app.extensions["repo_engine"]
        self.user = user
        self.drafts = drafts            # path prefix -> {"open": [draft ids], "complete": [draft ids]}
        self.keys = itertools.count()

    def repository(self, path: str):
        parts = path.split("/")
        return self.site.repository(parts[3], parts[4]) if len(parts) > 5 else None

    def known(self, path: str) -> list[str]:
        """Ids a generated call may be pointed at: records (most generated references name none) or drafts."""
        repository = self.repository(path)
        if repository is None:
            return []
        if "{draft_id}" in path:
            seeded = self.drafts.get("/".join(path.split("/")[:5]), {})
            return seeded.get("complete" if path.endswith("/submit") else "open", [])
        return [f"{repository.rtype.reference_prefix}-{number:04d}" for number in (1, 2)]

    def steer(self, case, known: str | None) -> None:
        repository = self.repository(case.operation.path)
        if not case.meta.is_negative_at(ParameterLocation.PATH):
            for name in ("reference", "draft_id"):
                if known and name in (case.path_parameters or {}):
                    case.path_parameters[name] = known
        if isinstance(case.body, dict):
            case.body = _without_control_characters(case.body)
        if repository is None or case.meta.generation.mode.is_negative:
            return
        self._live_references(case, repository)
        self._fresh_key(case)
        self._real_days(case, repository)
        self._ordered_ranges(case, repository)
        if case.method == "POST" and case.operation.path.endswith("/drafts"):
            self._room_for_a_draft(repository)

    def _live_references(self, case, repository) -> None:
        values = case.body.get("values") if isinstance(case.body, dict) else None
        if not isinstance(values, dict):
            return
        for field in repository.rtype.fields:
            if field.target and values.get(field.name):
                live = self._first_record(repository.instance, field.target)
                values[field.name] = ([live] if live else None) if field.multiple else live

    def _first_record(self, instance, target: str) -> str | None:
        """The first record of the ``target`` repository of ``instance``, if it hosts one and it is live."""
        if not instance.has_repository(target):
            return None
        repository = self.site.repository(instance.name, target)
        reference = f"{repository.rtype.reference_prefix}-0001"
        try:
            self.site.store(repository).get(reference)
        except NotFound:
            return None
        return reference

    def _fresh_key(self, case) -> None:
        key = (case.headers or {}).get(idempotency.HEADER)
        if key is not None:
            case.headers[idempotency.HEADER] = f"{key[:idempotency.MAX_LENGTH - 12]}-{next(self.keys):011d}"

    def _real_days(self, case, repository) -> None:
        query = case.query or {}
        for facet in repository.filters.values():
            if facet.field is None or not isinstance(facet.field.kind, DateType):
                continue
            if isinstance(query.get(facet.name), list):
                query[facet.name] = [value for value in query[facet.name] if _reads(facet.parse, value)]
            for box, _ in facet.range_inputs:
                ends = (query.get(box), "") if box.endswith("_from") else ("", query.get(box))
                if query.get(box) not in (None, "") and not _reads(facet.parse_range, *ends):
                    del query[box]

    def _ordered_ranges(self, case, repository) -> None:
        query = case.query or {}
        for facet in repository.filters.values():
            (start, _), (end, _) = facet.range_inputs or (("", ""), ("", ""))
            if start in query and end in query and not _reads_range(facet, query[start], query[end]):
                del query[end]

    def _room_for_a_draft(self, repository) -> None:
        drafts = self.site.drafts(repository)
        seeded = {draft for kind in self.drafts.values() for ids in kind.values() for draft in ids}
        kept = drafts.owned_by(self.user)
        for draft in [d for d in kept if d.id not in seeded][:max(0, len(kept) - MAX_DRAFTS_PER_PERSON + 2)]:
            drafts.delete(draft.id)

    def headers(self, case, admin: dict[str, str]) -> dict[str, str]:
        """The admin's token, unless leaving the token out is what makes the request invalid."""
        unsigned = case.meta.is_negative_at(ParameterLocation.HEADER) and "Authorization" not in (case.headers or {})
        return {} if unsigned else admin

    def needs_files(self, operation) -> bool:
        """Is it the create of a type that always needs a file, which no body can give (only the record's
        page adds files), so that the description says no body is valid?"""
        repository = self.repository(operation.path)
        return (repository is not None and operation.method.upper() == "POST" and operation.path.endswith("/records")
                and any(f.kind.holds_files and f.required and f.show_when is None for f in repository.rtype.fields))

    def unmet_requirements(self, case) -> set[str]:
        """For a valid change: the fields it makes required (by a status or a value their condition reads) that
        neither it nor the record gives, which the server refuses by name. None for anything else."""
        repository = self.repository(case.operation.path)
        if case.method != "PATCH" or repository is None or case.meta.generation.mode.is_negative:
            return set()
        body = case.body if isinstance(case.body, dict) else {}
        try:
            current = self.site.store(repository).get(case.path_parameters["reference"])
        except NotFound:
            return set()
        fields = repository.rtype.field_map
        sent = {name: None if name in fields and fields[name].kind.is_empty(value) else value
                for name, value in (body.get("values") or {}).items()}
        status = body.get("status") or current.status
        planned = repository.validator.settle(without_controls({**current.values, **sent}), status)
        changed = changed_names(repository.rtype, current, sent, body.get("status"))
        return set(repository.validator.validate(planned, status, changed=changed)) - set(sent)


def _reads_range(facet, start: Any, end: Any) -> bool:
    return _reads(facet.parse_range, start, end)


def _reads(reader, *raw: Any) -> bool:
    try:
        reader(*map(str, raw))
    except CellError:
        return False
    return True


def _without_control_characters(value: Any) -> Any:
    """Each control character as a letter: the text keeps its length, and no rule meets text that becomes
    empty once the server drops them."""
    if isinstance(value, str):
        return CONTROL_CHARACTERS.sub("x", value)
    if isinstance(value, list):
        return [_without_control_characters(item) for item in value]
    if isinstance(value, dict):
        return {key: _without_control_characters(item) for key, item in value.items()}
    return value


@pytest.fixture
def served(request):
    """(app, admin headers, steering). The test project gets two records and drafts in each instance for the
    generated calls to find; the shipped project's records come from the generated creates, which run before
    the calls on their paths."""
    project = request.param
    app = request.getfixturevalue("app" if project == "test project" else "shipped")
    admin = bearer(make_token(app, "ada", site_admin=True))
    drafts: dict[str, dict[str, list[str]]] = {}
    if project == "test project":
        client = app.test_client()
        for instance in ("qi", "private"):
            base = f"/api/v1/{instance}/qi-project"
            for values in SEEDS:
                response = client.post(f"{base}/records", json={"values": values}, headers=admin)
                assert response.status_code == 201, response.json
            made = {kind: [client.post(f"{base}/drafts", json={"values": values}, headers=admin).json["id"]
                           for values in SEEDS] for kind in ("open", "complete")}
            drafts[base] = made
    return app, admin, Steering(app, "ada", drafts)


def operations(app, admin: dict[str, str]) -> list:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, headers=admin)
    return [result.ok() for result in schema.get_all_operations()]


def test_every_repository_of_every_instance_is_exercised(shipped):
    admin = bearer(make_token(shipped, "ada", site_admin=True))
    labels = {operation.label for operation in operations(shipped, admin)}
    for instance, repo in shipped.extensions["repo_engine"].repositories:
        for method, path in (("GET", "records"), ("POST", "records"), ("PATCH", "records/{reference}"),
                             ("GET", "records/{reference}/history"), ("POST", "drafts")):
            assert f"{method} /api/v1/{instance}/{repo}/{path}" in labels


@pytest.mark.parametrize("served, mode, examples", RUNS, indirect=["served"],
                         ids=[f"{project}, {mode.value}" for project, mode, _ in RUNS])
def test_generated_requests_are_answered_as_described(served, mode, examples):
    # Hypothesis is driven per operation here: schemathesis' own pytest fixture loader does not run under
    # this pytest version. Failures are gathered so one run names every operation at fault.
    app, admin, steering = served
    failures = []
    for operation in operations(app, admin):
        @given(case=operation.as_strategy(generation_mode=mode),
               known=st.sampled_from([None, *steering.known(operation.path)]))
        @settings(max_examples=examples, deadline=DEADLINE, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def exercise(case, known):
            steering.steer(case, known)
            unmet, headers = steering.unmet_requirements(case), steering.headers(case, admin)
            if not unmet:
                case.call_and_validate(headers=headers, checks=CHECKS)
                return
            response = case.call_and_validate(headers=headers, checks=[c for c in CHECKS
                                                                      if c is not positive_data_acceptance])
            assert response.status_code in (409, 422), response.text
            assert response.status_code == 409 or set(response.json()["errors"]) == unmet, response.text
        try:
            exercise()
        except Unsatisfiable:     # nothing to break in GET /api/v1/; nothing valid to send to some creates
            assert mode is GenerationMode.NEGATIVE or steering.needs_files(operation), operation.label
        except Exception as failure:            # each operation's first failing example, kept to report
            failures.append(f"{operation.label}: {failure}")
    assert not failures, "\n\n".join(failures)
