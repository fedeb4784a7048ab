"""`repo-engine check` holds the stored data against today's types: a removed field, a removed choice or a changed
type that strands values is reported at the line of the change, and check fails until they have a place again;
`repo-engine migrate` rewrites records to today's names; `repo-engine serve` logs the same report."""
from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from engine.cli import main
from engine.cli.serve import log_stranded
from engine.fields import default_registry
from engine.schema import load_project
from engine.store import Stores
from sitekit import shipped_site

QI = Path("schemas/qi-project.yaml")
RESEARCH = Path("instances/research/instance.yaml")
LESSONS = re.compile(r"  - name: lessons_learned\n(    .*\n)+")


@pytest.fixture
def site(tmp_path, monkeypatch):
    paths = shipped_site(tmp_path, monkeypatch)
    assert main(["seed"]) == 0
    return paths


def edit(path: Path, old: str | re.Pattern, new: str) -> None:
    text = path.read_text()
    changed = old.sub(new, text, count=1) if isinstance(old, re.Pattern) else text.replace(old, new, 1)
    assert changed != text, f"{old} is not in {path}"
    path.write_text(changed)


def line_of(path: Path, text: str) -> int:
    return next(number for number, line in enumerate(path.read_text().splitlines(), 1) if line.startswith(text))


def checked(capsys) -> tuple[int, str]:
    capsys.readouterr()
    status = main(["check"])
    return status, capsys.readouterr().out


def test_a_removed_field_holding_values_is_reported_at_fields_until_it_is_retired(site, capsys):
    edit(QI, LESSONS, "")
    status, out = checked(capsys)
    where = f"{QI}:{line_of(QI, 'fields:')}"
    assert status == 1
    assert f"{where}: quality-improvement/qi-project: field 'lessons_learned' was removed but 4 records hold a value: " \
           "add renamed_from to the field that replaces it" in out
    assert f"{where}: library-services/qi-project: field 'lessons_learned' was removed but 3 records" in out
    assert "problems found in stored data" in out
    edit(QI, "  - name: keywords\n", "  - {name: lessons_learned, type: textarea, label: Lessons, retired: true}\n"
                                     "  - name: keywords\n")
    assert checked(capsys) == (0, "4 repository types, 5 instances, every repository's data read from the "
                                  "embedded store: no problems found\n")


def test_a_rename_strands_nothing_and_migrate_rewrites_the_records_once(site, capsys):
    edit(QI, "  - name: lessons_learned\n", "  - name: lessons\n    renamed_from: lessons_learned\n")
    assert checked(capsys)[0] == 0
    assert main(["migrate", "quality-improvement", "qi-project"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^quality-improvement/qi-project: 10 records rewritten, lessons_learned -> lessons "
                     r"\(4 records\); every record is now at type revision [0-9a-f]{12}$", out, re.M)
    assert main(["migrate"]) == 0
    out = capsys.readouterr().out
    assert "quality-improvement/qi-project: nothing to rewrite" in out
    assert "library-services/qi-project: 7 records rewritten, lessons_learned -> lessons (3 records)" in out
    assert main(["migrate"]) == 0
    assert "rewritten" not in capsys.readouterr().out
    assert main(["migrate", "nowhere"]) == 1


def test_a_removed_choice_names_the_records_holding_it_at_the_choices_line(site, capsys):
    edit(QI, "      - Six Sigma\n", "")
    status, out = checked(capsys)
    assert status == 1
    choices = line_of(QI, "  - name: methodology") + 6
    assert f"{QI}:{choices}: quality-improvement/qi-project: field 'methodology': choice 'Six Sigma' was removed " \
           "but 1 record holds it (QI-0010): add it back with retired: true, or give the choice that replaces it " \
           "renamed_from: Six Sigma" in out
    edit(QI, "      - Other\n", "      - {value: Six Sigma, retired: true}\n      - Other\n")
    assert checked(capsys)[0] == 0


def test_a_renamed_choice_strands_nothing(site, capsys):
    edit(QI, "      - Six Sigma\n", "      - {value: Lean Six Sigma, renamed_from: Six Sigma}\n")
    assert checked(capsys)[0] == 0


def test_a_changed_type_is_reported_at_its_type_line_with_an_example(site, capsys):
    edit(QI, "  - name: team\n    type: tags", "  - name: team\n    type: number")
    status, out = checked(capsys)
    assert status == 1
    where = f"{QI}:{line_of(QI, '  - name: team') + 1}"
    assert re.search(rf"^{re.escape(where)}: quality-improvement/qi-project: field 'team' is now a number field but "
                     r"\d+ records hold values that are not \(for example \[\"Tom Whitfield", out, re.M)


def test_a_tightened_bound_is_not_a_change_of_type(site, capsys):
    edit(QI, "    max_length: 150\n", "    max_length: 5\n")
    assert checked(capsys)[0] == 0


def test_what_an_instance_drops_or_changes_is_reported_in_its_own_file(site, capsys):
    edit(RESEARCH, "drop_fields: [methodology, methodology_other, cqc_domains]",
         "drop_fields: [methodology, methodology_other, cqc_domains, lessons_learned]")
    edit(RESEARCH, "          - Clinical Trials Unit\n", "")
    status, out = checked(capsys)
    assert status == 1
    assert f"{RESEARCH}:{line_of(RESEARCH, '    drop_fields:')}: research/qi-project: field 'lessons_learned' was removed " \
           "but 2 records hold a value" in out
    division = line_of(RESEARCH, "      division:") + 2
    assert f"{RESEARCH}:{division}: research/qi-project: field 'division': choice 'Clinical Trials Unit' was " \
           "removed but 1 record holds it (RD-0006)" in out


def test_deleted_records_count_too(site, capsys):
    stores = Stores(site)
    project = load_project(site, default_registry())
    instance = project.instances["quality-improvement"]
    store = stores.get(instance, instance.repository("qi-project"))
    store.delete("QI-0010", user="admin")
    stores.close()
    edit(QI, "      - Six Sigma\n", "")
    status, out = checked(capsys)
    assert status == 1 and "but 1 record holds it (QI-0010)" in out


def test_without_data_check_reads_nothing_and_passes(tmp_path, monkeypatch, capsys):
    shipped_site(tmp_path, monkeypatch)
    edit(QI, LESSONS, "")
    assert checked(capsys) == (0, "4 repository types, 5 instances, every repository's data read from the "
                                  "embedded store: no problems found\n")
    assert not [path for path in tmp_path.rglob("records.*") if path.suffix in (".json", ".log")]


def test_serve_logs_the_same_report_and_still_serves(site, caplog):
    from engine.web.app import create_app
    edit(QI, "      - Six Sigma\n", "")
    app = create_app({"SECRET_KEY": "test"})
    with caplog.at_level(logging.WARNING, logger="engine.evolution"):
        log_stranded(app.extensions["repo_engine"])
    said = [record.getMessage() for record in caplog.records if record.name == "engine.evolution"]
    assert any("field 'methodology': choice 'Six Sigma' was removed but 1 record holds it (QI-0010)" in line
               for line in said)
    assert said[-1] == "1 problem found in stored data (`repo-engine check` reports the same)"
    assert app.test_client().get("/quality-improvement/qi-project/QI-0010").status_code == 200
    app.extensions["repo_engine"].close()


def test_the_api_and_the_pages_show_records_saved_before_a_rename_under_today_s_names(site):
    from engine.web.app import create_app
    edit(QI, "  - name: lessons_learned\n", "  - name: lessons\n    renamed_from: lessons_learned\n")
    edit(QI, "      - Six Sigma\n", "      - {value: Lean Six Sigma, renamed_from: Six Sigma}\n")
    app = create_app({"SECRET_KEY": "test"})
    client = app.test_client()
    api = "/api/v1/quality-improvement/qi-project/records"
    body = client.get(f"{api}/QI-0010").get_json()
    assert body["values"]["methodology"] == "Lean Six Sigma" and "lessons_learned" not in body["values"]
    listed = client.get(f"{api}?methodology=Lean+Six+Sigma").get_json()
    assert [record["reference"] for record in listed["records"]] == ["QI-0010"]
    lessons = [ref for ref, record in ((r["reference"], client.get(f"{api}/{r['reference']}").get_json())
                                       for r in client.get(f"{api}?per_page=50").get_json()["records"])
               if record["values"]["lessons"]]
    assert len(lessons) == 4
    history = client.get(f"{api}/QI-0010/history").get_json()["versions"]
    assert ("methodology", None, "Lean Six Sigma") in [(c["field"], c["old"], c["new"]) for c in history[0]["changes"]]
    page = client.get("/quality-improvement/qi-project/?methodology=Lean+Six+Sigma").get_data(as_text=True)
    assert "QI-0010" in page and "Lean Six Sigma" in page
    app.extensions["repo_engine"].close()
