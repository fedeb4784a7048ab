"""`repo-engine seed`: sample records go into empty repositories only, through the one write path, and a bad
sample is reported with its file, line and record number while nothing of its repository is loaded."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.cli import main
from engine.config import Paths
from engine.fields import default_registry
from engine.records import Records
from engine.schema import load_project
from engine.schema.compile import RecordValidator
from engine.schema.yamlfile import load_document
from engine.store import Stores
from sitekit import shipped_site

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def site(tmp_path, monkeypatch):
    """A copy of the shipped schemas and instances, with instance data in a folder of its own."""
    return shipped_site(tmp_path, monkeypatch)


def seed(*args: str) -> int:
    return main(["seed", *args])


def counts(paths: Paths) -> dict[tuple[str, str], int]:
    """How many live records each repository of each instance holds."""
    project = load_project(paths, default_registry())
    stores = Stores(paths)
    try:
        return {(instance.name, rtype.name): stores.get(instance, rtype).count()
                for instance in project.instances.values() for rtype in instance.repositories}
    finally:
        stores.close()


def sample_count(paths: Paths, instance: str, repository: str) -> int:
    return len(load_document(paths.instances / instance / "samples" / f"{repository}.yaml").data)


def test_seed_loads_every_sample_into_empty_repositories(site, capsys):
    assert seed() == 0
    out = capsys.readouterr().out
    loaded = counts(site)
    for (instance, repository), count in loaded.items():
        assert count == sample_count(site, instance, repository), (instance, repository)
    assert "quality-improvement / qi-project: loaded 10 sample records (QI-0001 to QI-0010)" in out
    assert "research / qi-project: loaded 7 sample records (RD-0001 to RD-0007)" in out


def test_seeded_records_keep_their_status_author_references_and_documents(site):
    assert seed() == 0
    project = load_project(site, default_registry())
    stores = Stores(site)
    try:
        library = project.instances["library-services"]
        search = stores.get(library, library.repository("evidence-search")).get("ES-0001")
        project_store = stores.get(library, library.repository("qi-project"))
        assert search.status == "Completed" and search.created_by == "Claire Dawson"
        assert project_store.get(search["linked_project"]).values["title"].startswith("Reducing hospital-acquired")
        guidelines = project.instances["clinical-governance"]
        store = stores.get(guidelines, guidelines.repository("local-guideline"))
        current = store.get("GL-0002")
        assert current["supersedes"] == "GL-0001"
        [document] = store.attachments("GL-0002")
        assert document.filename == "sepsis-adults-v4.pdf" and current["document"] == [document.id]
    finally:
        stores.close()


def test_a_second_run_loads_nothing(site, capsys):
    assert seed() == 0
    first = counts(site)
    capsys.readouterr()
    assert seed() == 0
    out = capsys.readouterr().out
    assert counts(site) == first
    assert "loaded" not in out
    assert "quality-improvement / qi-project: left alone, it already holds 10 records" in out


def test_a_repository_with_one_real_record_is_left_untouched(site, capsys):
    project = load_project(site, default_registry())
    instance = project.instances["quality-improvement"]
    rtype = instance.repository("qi-project")
    stores = Stores(site)
    try:
        real = Records(rtype, stores.get(instance, rtype), RecordValidator(rtype)).create(
            {"title": "Real project", "aim": "Improve", "background": "Real data", "project_lead": "Jo Bloggs",
             "division": "Medicine", "methodology": "Lean", "start_date": "2025-05-01"}, user="Jo Bloggs")
    finally:
        stores.close()
    assert seed() == 0
    assert "quality-improvement / qi-project: left alone, it already holds 1 record" in capsys.readouterr().out
    loaded = counts(site)
    assert loaded[("quality-improvement", "qi-project")] == 1
    assert loaded[("clinical-audit", "clinical-audit")] == sample_count(site, "clinical-audit", "clinical-audit")
    stores = Stores(site)
    try:
        kept = stores.get(instance, rtype).get(real.reference)
        assert kept.values["title"] == "Real project" and kept.version == 1
    finally:
        stores.close()


def test_a_bad_sample_is_reported_and_nothing_of_its_repository_is_loaded(site, capsys):
    samples = site.instances / "clinical-audit" / "samples" / "clinical-audit.yaml"
    text = samples.read_text()
    # The third record loses its (required) lead; the sixth gets a compliance of 120%.
    lines = text.splitlines(keepends=True)
    starts = [number for number, line in enumerate(lines) if line.startswith("- title:")]
    third = next(n for n in range(starts[2], starts[3]) if lines[n].startswith("  lead:"))
    del lines[third]
    samples.write_text("".join(lines).replace("  sample_size: 200\n", "  sample_size: 200\n  compliance: 120\n"))

    assert seed() == 1
    out = capsys.readouterr().out
    assert f"instances/clinical-audit/samples/clinical-audit.yaml:{starts[2] + 1}: record 3: " in out
    assert "record 6: " in out and "Overall compliance" in out
    assert "clinical-audit / clinical-audit: nothing loaded" in out
    loaded = counts(site)
    assert loaded[("clinical-audit", "clinical-audit")] == 0
    assert loaded[("quality-improvement", "qi-project")] == 10    # other repositories are still seeded


def test_a_sample_naming_an_unknown_field_or_status_is_refused(site, capsys):
    samples = site.instances / "research" / "samples" / "qi-project.yaml"
    text = samples.read_text()
    samples.write_text(text.replace("status: On hold", "status: Paused", 1)
                       + "- title: Extra\n  methodology: Lean\n")
    assert seed("--instance", "research") == 1
    out = capsys.readouterr().out
    assert "status 'Paused' is not one of Proposed, Approved" in out
    assert "record 8: 'methodology' is not a field of qi-project" in out
    assert counts(site)[("research", "qi-project")] == 0


def test_seed_can_be_limited_to_one_instance(site, capsys):
    assert seed("--instance", "clinical-governance") == 0
    loaded = counts(site)
    assert loaded[("clinical-governance", "local-guideline")] == 9
    assert sum(loaded.values()) == 9
    assert seed("--instance", "no-such-place") == 1
    assert "There is no instance 'no-such-place'" in capsys.readouterr().out


@pytest.mark.parametrize("command", [["seed"], ["export", "quality-improvement", "qi-project"]])
def test_a_broken_schema_stops_a_command_with_its_problems_and_does_nothing(site, capsys, command):
    path = site.schemas / "qi-project.yaml"
    path.write_text(path.read_text().replace("    label: Project title", "    lable: Project title", 1))
    assert main(command) == 1
    captured = capsys.readouterr()
    said = captured.out + captured.err
    assert "qi-project.yaml:" in said and "unknown key 'lable'" in said
    assert "fix the schemas first (repo-engine check)" in said
    assert not list(site.data.rglob("records.json"))


def test_a_missing_document_or_a_misnamed_samples_file_is_reported(site, capsys):
    guidelines = site.instances / "clinical-governance" / "samples"
    (guidelines / "files" / "pph-draft.pdf").unlink()
    (guidelines / "local-guidelines.yaml").write_text("- title: Misnamed\n")
    assert seed("--instance", "clinical-governance") == 1
    out = capsys.readouterr().out
    assert "record 7: no such file instances/clinical-governance/samples/files/pph-draft.pdf" in out
    assert "clinical-governance hosts no repository 'local-guidelines' (it hosts local-guideline)" in out
    assert counts(site)[("clinical-governance", "local-guideline")] == 0
