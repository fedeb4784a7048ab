"""RecordValidator: the record JSON Schema built from a type, and its messages in the user's words."""
from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator

from engine.fields import default_registry
from engine.schema import load_project
from engine.schema.compile import RecordValidator


@pytest.fixture
def validator(project):
    project.edit("schemas/qi.yaml", "    choices: [Medicine, Surgery]",
                 "    choices: [Medicine, Surgery, Other]\n"
                 "  - name: other_division\n"
                 "    type: text\n"
                 "    label: Other division\n"
                 "    show_when: {division: Other}\n"
                 "    required_when: {division: Other}")
    project.edit("schemas/research.yaml", "  division: {choices: [Cancer, Cardiology]}",
                 "  division: {choices: [Cancer, Cardiology, Other]}")
    return RecordValidator(load_project(project.paths, default_registry()).types["qi"])


def test_a_complete_record_is_valid(validator):
    assert validator.validate({"title": "Fewer falls", "division": "Surgery", "compliance": 80}, "Proposed") == {}


def test_a_required_field_left_empty_asks_for_it_by_label(validator):
    assert validator.validate({}, "Proposed") == {"title": "Enter project title"}
    assert validator.validate({"title": "   "[:0]}, "Proposed") == {"title": "Enter project title"}


@pytest.mark.parametrize("status, errors", [
    ("In progress", {}),
    ("Completed", {"outcomes": "Enter outcomes (required when status is Completed)"}),
])
def test_required_when_follows_the_status(validator, status, errors):
    assert validator.validate({"title": "Fewer falls"}, status) == errors


@pytest.mark.parametrize("division, errors", [
    ("Surgery", {}),
    ("Other", {"other_division": "Enter other division (required when division is Other)"}),
])
def test_a_hidden_field_is_not_required(validator, division, errors):
    assert validator.validate({"title": "Fewer falls", "division": division}, "Proposed") == errors


@pytest.mark.parametrize("compliance, errors", [
    (0, {}), (100, {}), (55.5, {}),
    (101, {"compliance": "Compliance must be between 0 and 100"}),
    (-1, {"compliance": "Compliance must be between 0 and 100"}),
    ("high", {"compliance": "Compliance must be a number"}),
])
def test_number_bounds(validator, compliance, errors):
    assert validator.validate({"title": "Fewer falls", "compliance": compliance}, "Proposed") == errors


def test_a_value_outside_the_choices_is_refused(validator):
    errors = validator.validate({"title": "Fewer falls", "division": "Cardiology"}, "Proposed")
    assert errors == {"division": "Select division from the options given"}


def test_unknown_keys_and_statuses_are_refused(validator):
    errors = validator.validate({"title": "Fewer falls", "colour": "blue"}, "Finished")
    assert errors == {"colour": "colour is not a field of improvement project",
                      "status": "Status must be one of: Proposed, In progress, Completed"}


def test_errors_come_in_form_order(validator):
    errors = validator.validate({"compliance": 300, "division": "Mars"}, "Completed")
    assert list(errors) == ["title", "division", "outcomes", "compliance"]
