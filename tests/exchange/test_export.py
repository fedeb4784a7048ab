"""Exports of a browse view: what Excel opens, with filters and sort applied, and nothing Excel would run."""
from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from engine.exchange.columns import guard, unguard


@pytest.fixture
def filled(site):
    site.fill()
    return site


def test_csv_starts_with_the_bom_and_a_header_of_labels(cli, filled):
    status, out, _ = cli("export", "qi", "tracker")
    assert status == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert out.startswith("\ufeffReference,Project title,Status,Created,Created by (username),Created by,Updated,"
                          "Updated by (username),Updated by,Aim,")
    assert [row[0] for row in rows[1:]] == ["QI-0001", "QI-0002", "QI-0003"]
    second = dict(zip(rows[0], rows[2]))
    assert (second["Start date"], second["Division"], second["Patient facing"], second["Budget"]) == (
        "31/12/2024", "Medicine", "No", "300")
    assert second["Created"] == "14/07/2023 10:30:05", "local (summer) time"


def test_exports_apply_the_browse_filters_and_sort(cli, filled, tmp_path):
    status, out, _ = cli("export", "qi", "tracker", "--query", "sort=-reference&status=Completed&status=Proposed")
    assert status == 0
    assert [row[0] for row in list(csv.reader(io.StringIO(out)))[1:]] == ["QI-0002", "QI-0001"]
    status, out, _ = cli("export", "qi", "tracker", "--query", "division=surg", "--format", "json")
    assert [r["reference"] for r in json.loads(out)["records"]] == ["QI-0001"]


def test_a_filter_the_repository_does_not_have_exports_nothing_and_says_why(cli, filled, tmp_path):
    status, _, err = cli("export", "qi", "tracker", "--query", "colour=red", "-o", str(tmp_path / "x.csv"))
    assert status == 1 and "There is no field called “colour” to filter on." in err
    assert not (tmp_path / "x.csv").exists()


def test_xlsx_cells_are_typed_and_the_header_row_is_frozen(cli, filled, tmp_path):
    target = tmp_path / "out.xlsx"
    assert cli("export", "qi", "tracker", "-o", str(target))[0] == 0
    sheet = load_workbook(target).worksheets[0]
    assert sheet.freeze_panes == "A2"
    header = [cell.value for cell in sheet[1]]
    first = dict(zip(header, (cell.value for cell in sheet[2])))
    assert first["Start date"] == datetime(2025, 3, 5) and sheet.cell(2, header.index("Start date") + 1).is_date
    assert first["Budget"] == -1250.5 and isinstance(first["Created"], datetime)
    assert first["Quality domains"] == "Safe; Caring" and first["Report"] == "QI-0001/sepsis report.pdf"
    assert first["Project title"] == "Sepsis screening =SUM(A1)"
    formulas = [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []


def test_cells_that_excel_would_run_are_written_as_text(cli, filled):
    out = cli("export", "qi", "tracker")[1]
    second = list(csv.reader(io.StringIO(out)))[2]
    assert "'@Falls: fewer falls" in second and "'-Bob Smith" in second and "'+10% lying and standing blood pressure" in second
    assert "-1250.5" in list(csv.reader(io.StringIO(out)))[1], "numbers stay numbers"


@pytest.mark.parametrize("text", ["=1+1", "+44 20", "-x", "@SUM(A1)", "\tx", "'=already", "''=twice", "'plain", "a=b"])
def test_the_formula_guard_always_reads_back_to_the_original(text):
    written = guard(text)
    assert not written[0] in "=+-@\t\r"
    assert unguard(written) == text


def test_json_export_holds_the_stored_values(cli, filled):
    records = json.loads(cli("export", "qi", "tracker", "--format", "json")[1])["records"]
    assert records[0]["domains"] == ["Safe", "Caring"] and records[0]["report"] == ["QI-0001/sepsis report.pdf"]
    assert records[1]["created"] == "2023-07-14T09:30:05+00:00" and records[1]["created_by"] == "Bob Smith"


def test_an_excel_file_is_not_written_to_a_terminal(cli, monkeypatch, filled):
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    status, _, err = cli("export", "qi", "tracker", "--format", "xlsx")
    assert status == 1 and "-o" in err


def test_an_unknown_instance_or_repository_is_named(cli):
    status, _, err = cli("export", "nowhere", "tracker")
    assert status == 1 and "There is no instance 'nowhere'. Instances: qi" in err
    status, _, err = cli("export", "qi", "audits")
    assert status == 1 and "qi hosts no repository 'audits' (it hosts tracker)" in err


def test_dates_in_csv_are_uk_dates(cli, filled):
    rows = list(csv.reader(io.StringIO(cli("export", "qi", "tracker")[1])))
    assert dict(zip(rows[0], rows[1]))["Start date"] == f"{date(2025, 3, 5):%d/%m/%Y}" == "05/03/2025"
