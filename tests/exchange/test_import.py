"""Imports as a department brings them: a messy tracker from Excel, checked row by row, written whole or not at all."""
from __future__ import annotations

from dataclasses import replace

import pytest

from engine.exchange.columns import read_status
from engine.fields.base import CellError

#: Excel's "CSV UTF-8": a BOM, a blank row, an extra column, UK dates and serials, labels, Yes/No, "a; b"
#: multi-values, and row 5 (as Excel numbers it) with an impossible date.
MESSY = (
    "\ufeffProject Title,Start_date,division,Quality domains,Patient facing,Notes,Status,Created,Created by\r\n"
    "Sepsis screening,05/03/2025,Surgery,Safe; Caring,Yes,ask Ann,In progress,14/07/2023 09:30,Ann Lee\r\n"
    ",,,,,,,,\r\n"
    "Falls prevention,45658,medicine,Effective,no,,,,\r\n"
    "Hand hygiene,31/02/2025,Medicine,,,,,,\r\n"
    "Discharge before noon,2025-01-20,Surgery,safe,Y,,completed,,\r\n"
)


@pytest.fixture
def messy(tmp_path):
    path = tmp_path / "tracker.csv"
    path.write_bytes(MESSY.encode("utf-8"))
    return str(path)


def test_a_messy_tracker_with_one_bad_row_is_reported_and_nothing_is_written(cli, messy, site):
    status, out, _ = cli("import", "qi", "tracker", messy)
    assert status == 1
    assert "Row 5, column Start_date: '31/02/2025' is not a real date" in out
    assert "Column ignored: Notes (not a field of improvement projects)" in out
    assert "4 rows read; 3 ready to create; 1 row with problems; 1 blank row skipped." in out
    assert "Nothing was imported" in out and "--skip-invalid" in out
    assert site.store.count() == 0


def test_skip_invalid_writes_the_good_rows_and_reports_the_rest(cli, messy, site):
    status, out, _ = cli("import", "qi", "tracker", messy, "--skip-invalid", "--user", "lib")
    assert status == 3, out
    assert "Row 5, column Start_date" in out and "Imported 3 records (QI-0001 to QI-0003)" in out
    first, falls, discharge = (site.store.get(f"QI-000{n}") for n in (1, 2, 3))
    assert first.values == {"title": "Sepsis screening", "start_date": "2025-03-05", "division": "surg",
                            "domains": ["Safe", "Caring"], "patient_facing": True}
    assert (first.status, first.created_by, first.created.isoformat()) == (
        "In progress", "Ann Lee", "2023-07-14T08:30:00+00:00"), "a UK summer time, kept"
    assert falls.values["start_date"] == "2025-01-01" and falls.values["division"] == "med"
    assert (falls.status, falls.created_by) == ("Proposed", "lib")
    assert discharge.status == "Completed" and discharge.values["patient_facing"] is True


def test_a_dry_run_reports_every_row_and_writes_nothing(cli, messy, site, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("Project title,Budget\nFirst,12\nSecond,1,250.5\n", encoding="utf-8")
    status, out, _ = cli("import", "qi", "tracker", str(good), "--dry-run")
    assert status == 0, out
    assert "Row 2: would create a new record (First), first status" in out
    assert "Dry run: nothing was written." in out
    status, out, _ = cli("import", "qi", "tracker", messy, "--dry-run")
    assert status == 1 and "Row 4: would create a new record (Falls prevention)" in out
    assert site.store.count() == 0 and not (tmp_path / "data" / "qi" / "tracker" / "records.json").exists()


def test_a_file_without_a_required_column_names_it_and_writes_nothing(cli, tmp_path, site):
    path = tmp_path / "no-title.csv"
    path.write_text("Division,Budget\nSurgery,12\n", encoding="utf-8")
    status, out, _ = cli("import", "qi", "tracker", str(path), "--skip-invalid")
    assert status == 1
    assert "the file has no Project title column, and Project title is required" in out
    assert site.store.count() == 0


def test_excel_cp1252_csv_with_semicolons_is_read(cli, tmp_path, site):
    path = tmp_path / "windows.csv"
    path.write_bytes("Project title;Project lead;Budget\r\nCaf\u00e9 audit \u2013 ward 3;Zo\u00eb;12\r\n".encode("cp1252"))
    status, out, _ = cli("import", "qi", "tracker", str(path))
    assert status == 0, out
    assert site.store.get("QI-0001").values == {"title": "Caf\u00e9 audit \u2013 ward 3", "lead": "Zo\u00eb", "budget": 12}


def test_an_unknown_status_is_a_problem_of_its_row_and_column(cli, tmp_path, site):
    path = tmp_path / "status.csv"
    path.write_text("Project title,Status\nA,Parked\n", encoding="utf-8")
    status, out, _ = cli("import", "qi", "tracker", str(path), "--dry-run")
    assert status == 1
    assert "Row 2, column Status: 'Parked' is not a status of improvement projects: use one of Proposed, " \
           "In progress, Completed" in out


def test_a_status_message_keeps_the_capitals_of_a_title_such_as_qi(site):
    acronym = replace(site.rtype, title_plural="QI projects")
    with pytest.raises(CellError, match="'Parked' is not a status of QI projects: use one of Proposed"):
        read_status("Parked", acronym)

def test_a_reference_already_taken_gets_a_new_one_and_the_report_says_so(cli, tmp_path, site):
    site.records.create({"title": "Existing"}, user="ann")
    path = tmp_path / "refs.csv"
    path.write_text("Reference,Project title\nQI-0001,Clash\nQI-0007,Kept\nQI-0007,Twice\n", encoding="utf-8")
    status, out, _ = cli("import", "qi", "tracker", str(path))
    assert status == 0, out
    assert "Row 2: note: QI-0001 is taken or not a reference of this repository, so it gets a new one" in out
    assert "Row 4: note: QI-0007 is taken" in out
    assert site.store.get("QI-0007").values["title"] == "Kept"
    assert {r.values["title"] for r in site.store.iter_all()} == {"Existing", "Clash", "Kept", "Twice"}
    assert site.records.create({"title": "Next"}, user="ann").reference == "QI-0010"


def test_files_named_in_a_column_are_attached_from_the_folder(cli, tmp_path, site):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "poster.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    path = tmp_path / "files.csv"
    path.write_text("Project title,Report\nA,poster.pdf\nB,missing.pdf\n", encoding="utf-8")
    status, out, _ = cli("import", "qi", "tracker", str(path), "--attachments", str(folder))
    assert status == 1 and f"Row 3, column Report: there is no file 'missing.pdf' in {folder}" in out
    status, out, _ = cli("import", "qi", "tracker", str(path), "--attachments", str(folder), "--skip-invalid")
    assert status == 3
    assert [a.filename for a in site.store.attachments("QI-0001")] == ["poster.pdf"]


def test_a_file_the_field_refuses_writes_nothing_and_leaves_no_file_behind(cli, tmp_path, site):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "good.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    (folder / "fake.pdf").write_bytes(b"MZ\x90\x00 not a pdf")
    path = tmp_path / "files.csv"
    path.write_text("Project title,Report\nA,good.pdf\nB,fake.pdf\n", encoding="utf-8")
    status, out, _ = cli("import", "qi", "tracker", str(path), "--attachments", str(folder))
    assert status == 1 and "Row 3, column Report: Report: The file must be" in out
    assert site.store.count() == 0
    files = tmp_path / "data" / "qi" / "tracker" / "attachments"
    assert not files.exists() or not any(files.iterdir())


def test_every_problem_of_a_row_is_reported_once(cli, tmp_path, site):
    path = tmp_path / "two.csv"
    path.write_text("Project title,Start date,Budget\n,soon,12\n", encoding="utf-8")
    status, out, _ = cli("import", "qi", "tracker", str(path), "--dry-run")
    problems = [line for line in out.splitlines() if line.startswith("Row 2, column")]
    assert status == 1
    assert problems == ["Row 2, column Start date: 'soon' is not a date: write it like 31/12/2025 or 2025-12-31",
                        "Row 2, column Project title: Enter project title"]


def test_the_summary_names_the_lowest_and_highest_reference_whatever_the_file_s_order():
    from datetime import datetime, timezone
    from engine.exchange.write import imported
    from engine.store.base import Record
    when = datetime(2026, 11, 27, tzinfo=timezone.utc)
    saved = [Record(ref, "Proposed", when, "ann", when, "ann", 1, {}) for ref in ("QI-0010", "QI-0002", "QI-0009")]
    assert imported(saved) == "Imported 3 records (QI-0002 to QI-0010)"
    assert imported(saved[:1]) == "Imported 1 record (QI-0010)"
