"""The repository types and instances the engine ships with: they load, pass `repo-engine check`, and their
sample records are valid, cover every status and refer only to records loaded before them; the types use
workflows, notify rules, review dates and superseding, and the guideline samples show them."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from engine.cli import main
from engine.cli.seed import load_order, read_samples
from engine.config import Paths
from engine.fields import default_registry
from engine.schema import load_project
from engine.schema.compile import RecordValidator
from engine.schema.model import Review
from engine.schema.yamlfile import load_document
from sitekit import shipped_site

ROOT = Path(__file__).resolve().parent.parent
PATHS = Paths(schemas=ROOT / "schemas", instances=ROOT / "instances")
SAMPLE_FILES = sorted((ROOT / "instances").glob("*/samples/*.yaml"))


@pytest.fixture(scope="module")
def project():
    return load_project(PATHS, default_registry())


def hosted(project, sample_file: Path):
    instance = project.instances[sample_file.parent.parent.name]
    return instance, instance.repository(sample_file.stem)


def test_check_passes_on_the_shipped_schemas_and_instances(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    assert main(["check"]) == 0, capsys.readouterr().out


def test_the_four_repository_types_are_hosted_by_the_five_instances(project):
    assert set(project.types) >= {"qi-project", "clinical-audit", "local-guideline", "evidence-search"}
    hosts = {name: sorted(r.name for r in instance.repositories) for name, instance in project.instances.items()}
    assert hosts == {
        "quality-improvement": ["qi-project"],
        "clinical-audit": ["clinical-audit"],
        "clinical-governance": ["local-guideline"],
        "library-services": ["evidence-search", "qi-project"],
        "research": ["qi-project"],
    }
    assert {i.organisation for i in project.instances.values()} == {"Example NHS Foundation Trust"}


def test_every_hosted_repository_has_samples(project):
    for instance in project.instances.values():
        for rtype in instance.repositories:
            assert (PATHS.instances / instance.name / "samples" / f"{rtype.name}.yaml").is_file(), \
                f"{instance.name} has no samples for {rtype.name}"


@pytest.mark.parametrize("sample_file", SAMPLE_FILES, ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_every_sample_record_passes_the_record_validator(project, sample_file):
    instance, rtype = hosted(project, sample_file)
    samples = read_samples(sample_file, rtype)      # raises, listing every invalid record, when one fails
    assert 6 <= len(samples) <= 12


@pytest.mark.parametrize("sample_file", SAMPLE_FILES, ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_samples_show_every_status_of_their_repository(project, sample_file):
    instance, rtype = hosted(project, sample_file)
    statuses = {sample.status for sample in read_samples(sample_file, rtype)}
    assert statuses == set(rtype.status_names)


@pytest.mark.parametrize("sample_file", SAMPLE_FILES, ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_sample_references_point_at_records_loaded_before_them(project, sample_file):
    instance, rtype = hosted(project, sample_file)
    order = [r.name for r in load_order(instance)]
    for position, sample in enumerate(read_samples(sample_file, rtype), start=1):
        for field in rtype.fields:
            value = sample.values.get(field.name)
            if field.type_name != "reference" or not value:
                continue
            target = instance.repository(field.target)
            prefix, number = re.fullmatch(r"([A-Z0-9]+)-(\d+)", value).groups()
            assert prefix == target.reference_prefix
            if target.name == rtype.name:
                assert int(number) < position, f"record {position} refers to {value}, not loaded yet"
            else:
                assert order.index(target.name) < order.index(rtype.name)
                loaded = len(load_document(sample_file.parent / f"{target.name}.yaml").data)
                assert int(number) <= loaded, f"record {position} refers to {value}, which no sample becomes"


def test_research_adapts_the_shared_project_tracker(project):
    shared = project.instances["quality-improvement"].repository("qi-project")
    research = project.instances["research"].repository("qi-project")
    assert {"ethics_reference", "funder", "study_design"} <= set(research.field_map)
    assert "methodology" not in research.field_map and "methodology" in shared.field_map
    assert research.field("division").choice_values != shared.field("division").choice_values
    assert "Clinical Trials Unit" in research.field("division").choice_values
    assert research.field("project_lead").label == "Principal investigator"
    assert research.reference_prefix == "RD" and shared.reference_prefix == "QI"
    # Unchanged fields are inherited as they are.
    assert research.field("outcomes").required_when == shared.field("outcomes").required_when


def test_outcomes_are_required_when_a_project_is_completed(project):
    rtype = project.types["qi-project"]
    values = {"title": "Fewer falls", "aim": "Reduce falls by 20%", "background": "Falls are rising",
              "project_lead": "Sam Okafor", "division": "Medicine", "methodology": "Lean",
              "start_date": "2025-01-06"}
    validator = RecordValidator(rtype)
    assert validator.validate(values, "In progress") == {}
    assert "outcomes" in validator.validate(values, "Completed")
    assert validator.validate({**values, "outcomes": "Falls fell by 27%"}, "Completed") == {}


def test_a_guideline_cannot_be_approved_without_its_approval_details(project):
    rtype = project.types["local-guideline"]
    values = {"title": "Sepsis in adults", "version_number": "1.0", "category": "Clinical guideline",
              "audience": ["Doctors"], "owner": "Dr A Rahman", "document": ["sepsis.pdf"]}
    errors = RecordValidator(rtype).validate(values, "Approved")
    assert {"approving_committee", "approval_date", "review_date"} <= set(errors)
    assert "document" in RecordValidator(rtype).validate({**values, "document": []}, "Draft")


# -- workflow, notify, review and superseding in the shipped types ------------------------------------------

def _action(rtype, name):
    found = rtype.workflow.action(name)
    assert found is not None, f"{rtype.name} has no action {name}"
    return found


def _told(rtype, event, action=None):
    """What the rules on ``event`` (an action's name for ``action``) name: roles, fields and creator."""
    rules = [rule for rule in rtype.notify if rule.event == event and (action is None or rule.action == action)]
    assert rules, f"{rtype.name} has no notify rule on {event} {action or ''}"
    return ({role for rule in rules for role in rule.to.roles}, {name for rule in rules for name in rule.to.fields},
            any(rule.to.creator for rule in rules))


def test_improvement_projects_are_submitted_approved_or_sent_back_and_moved_on(project):
    rtype = project.types["qi-project"]
    assert rtype.initial_status == "Proposed" and rtype.start_statuses == ("Proposed",)
    submit, approve, send_back = (_action(rtype, name) for name in ("Submit for review", "Approve", "Send back"))
    assert submit.to == "Proposed" and submit.who.creator and submit.who.roles == ("contributor",)
    assert approve.from_statuses == ("Proposed",) and approve.who.roles == ("editor",)
    assert approve.comment == "optional" and approve.requires
    assert send_back.comment == "required" and send_back.from_statuses == ("Proposed",)
    assert send_back.to in submit.from_statuses         # what is sent back can be submitted again
    complete = _action(rtype, "Complete")
    assert complete.to == "Completed" and "outcomes" in complete.requires
    assert {a.to for a in rtype.workflow.actions} >= {"Approved", "In progress", "On hold", "Completed", "Stopped"}
    assert _told(rtype, "submitted") == ({"editor"}, set(), False)
    assert _told(rtype, "action", "Approve") == (set(), {"lead_email"}, True)
    assert _told(rtype, "action", "Send back") == (set(), set(), True)
    assert _told(rtype, "commented")[2]
    # Research adapts the tracker but keeps its workflow.
    assert project.instances["research"].repository("qi-project").workflow == rtype.workflow


def test_outcomes_can_be_filled_in_before_a_project_is_completed(project):
    """Complete requires outcomes, so the form must offer them while the project is In progress."""
    rtype = project.types["qi-project"]
    validator = RecordValidator(rtype)
    values = {"title": "Fewer falls", "aim": "Reduce falls by 20%", "background": "Falls are rising",
              "project_lead": "Sam Okafor", "division": "Medicine", "methodology": "Lean",
              "start_date": "2025-01-06", "outcomes": "Falls fell by 27%"}
    assert validator.settle(values, "In progress").get("outcomes") == "Falls fell by 27%"


def test_guidelines_are_approved_by_editors_superseding_and_reviewed(project):
    rtype = project.types["local-guideline"]
    approve = _action(rtype, "Approve")
    assert approve.who.roles == ("editor",) and not approve.who.creator
    assert approve.then_superseded == "Superseded" and "Superseded" in rtype.closed_statuses
    assert {"approving_committee", "approval_date", "review_date"} <= set(approve.requires)
    assert rtype.review == Review(date="review_date", owner="owner_email", remind=(90, 30, 0))
    assert rtype.field("owner_email").type_name == "email"
    field = rtype.superseding_field
    assert (field.name, field.label, field.target, field.type_name) == \
        ("supersedes", "Replaces", "local-guideline", "reference")
    assert _told(rtype, "action", "Approve")[1:] == ({"owner_email"}, True)


def test_audits_are_registered_and_their_registration_approved_by_editors(project):
    rtype = project.types["clinical-audit"]
    assert rtype.initial_status == "Registered"
    approve = _action(rtype, "Approve registration")
    assert approve.from_statuses == ("Registered",) and approve.who.roles == ("editor",)
    assert _told(rtype, "submitted")[0] == {"editor"}


@pytest.mark.parametrize("name", ["qi-project", "local-guideline", "clinical-audit"])
def test_the_shipped_workflow_types_tell_people_and_reach_every_status(project, name):
    rtype = project.types[name]
    assert rtype.workflow is not None and rtype.notify
    reached = {a.to for a in rtype.workflow.actions} | {a.then_superseded for a in rtype.workflow.actions}
    assert set(rtype.status_names) - {rtype.initial_status} <= reached


def _guideline_samples(project):
    rtype = project.instances["clinical-governance"].repository("local-guideline")
    path = PATHS.instances / "clinical-governance" / "samples" / "local-guideline.yaml"
    return rtype, read_samples(path, rtype)


def test_the_guideline_samples_show_superseding_and_review_due_and_overdue(project):
    rtype, samples = _guideline_samples(project)
    first, second = samples[0], samples[1]
    assert first.status == "Superseded" and second.values["supersedes"] == "GL-0001"
    assert second.status not in rtype.closed_statuses
    open_dated = [(number, date.fromisoformat(s.values["review_date"])) for number, s in enumerate(samples, 1)
                  if s.status not in rtype.closed_statuses and s.values.get("review_date")]
    assert any(due < date.today() for _, due in open_dated), "no open guideline is overdue for review"
    assert [number for number, due in open_dated if 0 <= (due - REMIND_DAY).days <= 30] == [3]


REMIND_DAY = date(2026, 12, 2)      # the due-soon sample (GL-0003, due 30 December 2026) is 28 days away


def test_seeded_guidelines_get_their_reminders_once(tmp_path, monkeypatch, capsys):
    shipped_site(tmp_path, monkeypatch)
    assert main(["seed", "--instance", "clinical-governance"]) == 0
    capsys.readouterr()
    for _ in range(2):
        assert main(["remind", "--today", REMIND_DAY.isoformat(), "clinical-governance"]) == 0
    first, second = capsys.readouterr().out.strip().splitlines()
    assert first.startswith("clinical-governance/local-guideline: Queued 3 reminders: ")
    assert "GL-0003 due in 28 days (fatima.hussain@example.nhs.uk)" in first
    assert "GL-0006 overdue since 22 November 2026 (ben.carter@example.nhs.uk)" in first
    assert "GL-0001" not in first        # superseded: never due
    assert second == "clinical-governance/local-guideline: No reminders to queue."
