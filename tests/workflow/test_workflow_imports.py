"""Imports, samples and the site into a type with a workflow: statuses as the file gives them only for an admin
importing history (the report says so), otherwise a new record starts in a start status and an update keeps
its status; and every path makes its write path with the same rules."""
from __future__ import annotations

import textwrap

import pytest

from engine.cli import main
from engine.errors import ValidationFailed
from engine.exchange.applying import carry_out_all
from engine.exchange.plan import ImportOptions, plan_import
from engine.exchange.readers import read_table
from engine.exchange.report import report_lines
from engine.exchange.rows import HISTORY_NOTE
from engine.exchange.write import ImportRefused
from engine.cli.seed import seed_repository
from workflowkit import PROJECT

CSV = "Project title,Status,Start date\nSepsis screening,Approved,2025-01-05\nFalls,Draft,\n"


def planned(project, text: str = CSV, history: bool = False, update: bool = False):
    table = read_table(text.encode("utf-8"), "projects.csv")
    return plan_import(project.records, table, options=ImportOptions(history=history, update=update))


def test_an_import_gives_new_records_only_the_start_status(project):
    plan = planned(project)
    assert [(p.row, p.column, p.message) for p in plan.problems] == [
        (2, "Status", "Approved cannot be imported: a new improvement project starts as Draft and its status then "
                      "changes only through its actions (only an admin of the instance can import other "
                      "statuses, as history)")]
    assert HISTORY_NOTE not in list(report_lines(plan))
    with pytest.raises(ImportRefused):
        carry_out_all(plan, project.records, user="ann")
    assert project.store.count() == 0


def test_an_admin_importing_history_keeps_the_statuses_and_the_report_says_so(project):
    plan = planned(project, history=True)
    assert plan.ok
    assert HISTORY_NOTE in list(report_lines(plan))
    outcome = carry_out_all(plan, project.records, user="ada")
    assert [r.status for r in outcome.created] == ["Approved", "Draft"]
    assert project.store.outbox.deliveries() == []         # an import tells nobody of its new records


def test_the_report_says_nothing_of_history_for_a_type_without_a_workflow(tmp_path):
    from workflowkit import Project
    plain = Project(tmp_path, workflow=None)
    try:
        plan = planned(plain)
        assert plan.ok and HISTORY_NOTE not in list(report_lines(plan))
        assert [r.status for r in carry_out_all(plan, plain.records, user="ann").created] == ["Approved", "Draft"]
    finally:
        plain.close()


def test_an_update_may_change_a_status_only_when_an_admin_imports_history(project):
    record = project.proposed()
    text = f"Reference,Project title,Status\n{record.reference},Sepsis screening,Approved\n"
    plan = planned(project, text, update=True)
    assert [(p.column, p.message) for p in plan.problems] == [
        ("Status", "The status of an improvement project changes only through its actions. From Proposed: "
                   "Approve (editors or the person named in Project lead), Send back (editors). Only an admin of "
                   "the instance can import other statuses.")]
    as_admin = planned(project, text, update=True, history=True)
    assert as_admin.ok
    carry_out_all(as_admin, project.records, user="ada")
    assert project.store.get(record.reference).status == "Approved"


def test_an_update_keeping_the_status_is_no_problem(project):
    record = project.proposed()
    plan = planned(project, f"Reference,Project title,Status\n{record.reference},Sepsis in ED,Proposed\n", update=True)
    assert plan.ok
    carry_out_all(plan, project.records, user="ann")
    assert project.store.get(record.reference).values["title"] == "Sepsis in ED"


def test_samples_load_at_every_stage_of_a_workflow_and_tell_nobody(project, tmp_path, capsys):
    samples = tmp_path / "samples.yaml"
    samples.write_text("- {title: Sepsis screening, status: Approved, start_date: 2025-01-05}\n"
                       "- {title: Falls, status: Proposed}\n")
    assert seed_repository(project.instance, project.records, samples) == []
    assert [r.status for r in project.store.iter_all()] == ["Approved", "Proposed"]
    assert project.store.outbox.deliveries() == []


WORKFLOW_YAML = """
workflow:
  - action: Submit for review
    from: [Draft]
    to: Proposed
    who: [creator, editor]
  - action: Approve
    from: [Proposed]
    to: Approved
    then: {superseded: Superseded}
  - action: Close
    from: [Approved]
    to: Closed
  - action: Replace
    from: [Approved]
    to: Superseded
"""


@pytest.fixture
def shipped(tmp_path, monkeypatch, capsys):
    """The project type with its workflow written in YAML, and ``run(*args)`` for ``repo-engine``."""
    from workflowkit import write_project
    paths = write_project(tmp_path)
    written = textwrap.dedent(PROJECT).replace("target: project,", "target: project, supersedes: true,")
    (paths.schemas / "project.yaml").write_text(written + textwrap.dedent(WORKFLOW_YAML))
    monkeypatch.setenv("REPO_ENGINE_DATA", str(paths.data))

    def run(*args: str) -> tuple[int, str, str]:
        status = main(["--schemas", str(paths.schemas), "--instances", str(paths.instances), *args])
        out, err = capsys.readouterr()
        return status, out, err
    return paths, run


def test_the_command_line_imports_history_as_the_people_who_run_the_site(shipped, tmp_path):
    paths, run = shipped
    (tmp_path / "projects.csv").write_text(CSV)
    status, out, err = run("import", "qi", "project", str(tmp_path / "projects.csv"), "--quiet")
    assert status == 0, out + err
    assert HISTORY_NOTE in out
    status, out, _ = run("export", "qi", "project", "--format", "csv")
    assert "Sepsis screening,Approved" in out.replace('"', "")


def test_the_site_makes_its_write_path_with_the_workflow_and_the_accounts(shipped):
    from engine.web.app import create_app
    paths, _ = shipped
    app = create_app({"TESTING": True, "SECRET_KEY": "site-secret", "SCHEMAS": str(paths.schemas),
                      "INSTANCES": str(paths.instances), "DATA": str(paths.data)})
    site = app.extensions["repo_engine"]
    try:
        with app.app_context():
            records = site.records(site.repository("qi", "project"))
        assert records.instance == "qi" and records.rtype.workflow is not None
        assert records.notifier.people is site.accounts and records.notifier.secret == "site-secret"
        made = records.create({"title": "Falls"}, user="ann")
        with pytest.raises(ValidationFailed) as refused:
            records.update(made.reference, {}, user="ann", expected_version=made.version, status="Approved")
        assert "changes only through its actions" in str(refused.value)
    finally:
        site.close()
