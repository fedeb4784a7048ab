"""The repository types and instances the engine ships with: they load, pass `repo-engine check`, and their
sample records are valid, cover every status and refer only to records loaded before them."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.cli import main
from engine.cli.seed import load_order, read_samples
from engine.config import Paths
from engine.fields import default_registry
from engine.schema import load_project
from engine.schema.compile import RecordValidator
from engine.schema.yamlfile import load_document

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
