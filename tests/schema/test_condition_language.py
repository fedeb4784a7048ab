"""Every condition form the language has is accepted and means what ``parse_condition`` reads; any other is
refused at its line, in the author's words."""
from __future__ import annotations

import pytest
import yaml

from engine.fields import default_registry
from engine.schema import load_project
from engine.schema.conditions import parse_condition

QI = "schemas/qi.yaml"
LINE = "    required_when: {status: Completed}"

VALID = [
    "{status: Completed}",
    "{status: [Proposed, Completed]}",
    "{division: {not: Surgery}}",
    "{division: {not: [Surgery, Medicine]}}",
    "{division: {one_of: [Surgery]}}",
    "{compliance: {empty: false}}",
    "{compliance: {greater_than: 50}, shared: true}",
    "{compliance: {at_least: 10, at_most: 90.5}}",
    "{compliance: {less_than: 5}}",
    "{any: [{status: Completed}, {shared: true}]}",
    "{all: [{division: Medicine}, {any: [{compliance: {empty: true}}, {status: Proposed}]}]}",
]


@pytest.mark.parametrize("written", VALID)
def test_every_form_is_accepted_and_read_as_written(project, written):
    project.edit(QI, LINE, f"    required_when: {written}")
    project.edit("schemas/research.yaml", "  division: {choices: [Cancer, Cardiology]}",
                 "  division: {choices: [Medicine, Surgery]}")
    project.edit("schemas/research.yaml", "drop_fields: [compliance]", "")
    outcomes = load_project(project.paths, default_registry()).types["qi"].field("outcomes")
    assert outcomes.required_when == parse_condition(yaml.safe_load(written))


WRONG = [
    ("{compliance: {greater: 3}}", "field 'outcomes': 'required_when.compliance': unknown operator 'greater' "
                                   "(did you mean 'greater_than'?); the operators are not, one_of, empty, "
                                   "greater_than, less_than, at_least, at_most"),
    ("{compliance: {empty: yes}}", "'required_when.compliance.empty' must be true or false"),
    ("{compliance: {}}", "'required_when.compliance' must not be empty"),
    ("{any: []}", "'required_when.any' must not be empty"),
    ("{any: {status: Completed}}", "'required_when.any' must be a list"),
    ("{compliance: {at_least: [1, 2]}}", "'required_when.compliance.at_least' must be a number or text"),
    ("{division: {not: Cardio}}", "field 'outcomes': 'required_when' 'Cardio' is not a choice of 'division'"),
    ("{division: {greater_than: Medicine}}", "'required_when' compares 'division' with 'greater_than', which "
                                             "works on number and date fields only ('division' is a choice field)"),
    ("{compliance: {at_most: lots}}", "'required_when' compares 'compliance' with 'lots', which is not a valid "
                                      "number value"),
    ("{status: {less_than: Completed}}", "'required_when' compares status with 'less_than', which works on "
                                         "number and date fields only"),
    ("{any: [{status: Done}]}", "'required_when' names status 'Done', which is not a status"),
    ("{all: [{shared: maybe}]}", "'required_when' 'maybe' is not a value 'shared' can take"),
    ("{all: [{any: [{divisions: Medicine}]}]}", "'required_when' names 'divisions', which is not a field "
                                                "(did you mean 'division'?)"),
]


@pytest.mark.parametrize("written, words", WRONG, ids=[w for w, _ in WRONG])
def test_a_wrong_condition_is_reported_at_its_line(project, check, written, words):
    project.edit(QI, LINE, f"    required_when: {written}")
    code, lines = check()
    assert code == 1
    assert [line for line in lines[:-1] if words in line and line.startswith(f"{QI}:21: ")], "\n".join(lines)
