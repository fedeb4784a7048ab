"""`repo-engine show TYPE [--instance I]`: a type as resolved, printed as YAML an author could write."""
from __future__ import annotations

import dataclasses

import pytest
import yaml

from engine.cli import main
from engine.cli.show import condition_yaml
from engine.fields import default_registry
from engine.schema import load_project
from engine.schema.conditions import parse_condition


@pytest.fixture
def show(project, capsys):
    """Run `repo-engine show ...`: (exit code, standard output, standard error)."""
    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--schemas", "schemas", "--instances", "instances", "show", *args])
        out, err = capsys.readouterr()
        return code, out, err
    return run


def test_show_prints_every_key_with_the_defaults_filled_in(project, show):
    project.write("schemas/audit.yaml", "name: audit\ntitle: Audit\nfields: [{name: title, type: text, label: Title}]\n"
                                        "statuses: [Registered, {name: Completed, closed: true}]\n")
    code, out, _ = show("audit")
    shown = yaml.safe_load(out)
    assert code == 0
    assert out.startswith("# audit, as resolved from schemas/audit.yaml:1\n")
    assert (shown["title_plural"], shown["reference_prefix"], shown["record_title"]) == ("Audits", "AUD", "title")
    assert shown["listing"] == {"columns": ["reference", "title", "status", "updated"], "facets": ["status"],
                                "sort": "-updated", "per_page": 25}
    assert shown["statuses"] == [{"name": "Registered", "closed": False}, {"name": "Completed", "closed": True}]
    assert shown["fields"] == [{"name": "title", "type": "text", "label": "Title", "required": False,
                                "searchable": True, "search_weight": 5.0, "retired": False}]


def test_each_field_names_the_line_it_was_written_at_and_an_instance_applies_its_adaptation(show):
    code, out, _ = show("research", "--instance", "team")
    shown = yaml.safe_load(out)
    assert code == 0
    assert out.startswith("# research, as resolved in instance 'team', from instances/team/instance.yaml:5\n")
    assert [f["name"] for f in shown["fields"]] == [
        "title", "ethics_reference", "division", "outcomes", "related", "shared", "funder"]
    comments = [line.strip() for line in out.splitlines() if line.startswith("  # ")]
    assert comments == ["# schemas/qi.yaml:9", "# schemas/research.yaml:7", "# schemas/qi.yaml:14",
                        "# schemas/qi.yaml:18", "# schemas/qi.yaml:27", "# schemas/qi.yaml:31",
                        "# instances/team/instance.yaml:6"]
    division = shown["fields"][2]
    assert division["choices"] == ["Cancer", "Cardiology"]
    assert shown["fields"][3]["required_when"] == {"status": "Completed"}
    assert shown["fields"][4]["target"] == "audit"


def test_renames_and_retirement_are_shown(project, show):
    project.edit("schemas/qi.yaml", "    choices: [Medicine, Surgery]",
                 "    renamed_from: [directorate]\n"
                 "    retired: true\n"
                 "    choices: [Medicine, {value: Surgery, renamed_from: Theatres}, {value: Estates, retired: true}]")
    division = next(f for f in yaml.safe_load(show("qi")[1])["fields"] if f["name"] == "division")
    assert (division["retired"], division["renamed_from"]) == (True, ["directorate"])
    assert division["choices"] == ["Medicine", {"value": "Surgery", "label": "Surgery", "renamed_from": ["Theatres"]},
                                   {"value": "Estates", "label": "Estates", "retired": True}]


def test_what_show_prints_resolves_to_the_same_type(project, show):
    printed = yaml.safe_load(show("qi")[1])
    printed.update(name="qi-copy", reference_prefix="QC")
    project.write("schemas/qi-copy.yaml", yaml.safe_dump(printed, sort_keys=False))
    types = load_project(project.paths, default_registry()).types
    unweighted = [dataclasses.replace(f, search_weight=None) for f in types["qi-copy"].fields]
    assert unweighted == list(types["qi"].fields)
    assert types["qi-copy"].listing == types["qi"].listing
    assert types["qi-copy"].statuses == types["qi"].statuses


@pytest.mark.parametrize("raw", [
    {"status": "Completed"},
    {"audit_type": ["Re-audit", "National"]},
    {"methodology": {"not": "Lean"}},
    {"methodology": {"not": ["Lean", "Other"]}},
    {"end_date": {"empty": False}, "cost": {"greater_than": 5000}},
    {"cost": {"at_least": 1, "at_most": 5}},
    {"any": [{"status": "Completed"}, {"re_audit": True}]},
    {"all": [{"cost": {"at_least": 1}}, {"cost": {"at_least": 2}}]},
    {"division": "Surgery", "any": [{"status": "Completed"}, {"all": [{"a": 1}, {"b": {"empty": True}}]}]},
])
def test_a_condition_is_shown_in_a_form_that_reads_back_the_same(raw):
    condition = parse_condition(raw)
    assert parse_condition(condition_yaml(condition)) == condition


@pytest.mark.parametrize("args, words", [
    (("qj",), "There is no repository type 'qj' in the schemas. Repository types: audit, qi, research"),
    (("qi", "--instance", "teem"), "There is no instance 'teem'. Instances: solo, team"),
    (("qi", "--instance", "solo"), "solo hosts no repository 'qi'. Its repositories: audit"),
])
def test_an_unknown_type_or_instance_names_the_known_ones(show, args, words):
    code, out, err = show(*args)
    assert (code, out) == (1, "")
    assert err == f"repo-engine: {words}\n"


def test_workflow_notify_and_review_are_shown_as_written_and_read_back_the_same(project, show):
    project.write("schemas/audit.yaml", """name: audit
title: Audit
fields:
  - {name: title, type: text, label: Title}
  - {name: lead_email, type: email, label: Lead email}
  - {name: due, type: date, label: Review due}
  - {name: replaces, type: reference, label: Replaces, target: audit, supersedes: true}
statuses: [Registered, Approved, {name: Superseded, closed: true}]
workflow:
  - action: Approve
    from: Registered
    to: Approved
    who: [editor, {field: lead_email}]
    comment: required
    requires: [due]
    then: {superseded: Superseded}
notify:
  - on: {action: Approve}
    to: [creator, watchers]
  - on: submitted
    webhook: {url_env: AUDIT_HOOK}
review: {date: due, owner: lead_email, remind: [30, 0]}
""")
    code, out, _ = show("audit")
    shown = yaml.safe_load(out)
    assert code == 0
    assert shown["workflow"] == [{"action": "Approve", "from": ["Registered"], "to": "Approved",
                                  "who": ["editor", {"field": "lead_email"}], "comment": "required",
                                  "requires": ["due"], "then": {"superseded": "Superseded"}}]
    assert shown["notify"] == [{"on": {"action": "Approve"}, "to": ["creator", "watchers"]},
                               {"on": "submitted", "webhook": {"url_env": "AUDIT_HOOK"}}]
    assert shown["review"] == {"date": "due", "owner": "lead_email", "remind": [30, 0]}
    assert [f for f in shown["fields"] if f["name"] == "replaces"][0]["supersedes"] is True
    project.write("schemas/audit.yaml", out)        # what show prints is a type that loads as the same one
    assert yaml.safe_load(show("audit")[1]) == shown
