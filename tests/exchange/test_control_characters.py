"""Control characters in spreadsheets: an import drops them as a form would, and an export never holds one,
not even from a record stored before the rule (written here with the store itself, past ``Records``)."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest
from openpyxl import load_workbook

from engine.exchange.export import export
from engine.fields.values import CONTROL_CHARACTERS
from engine.store.base import Query

HOSTILE = {"title": "Falls\x00 on ward\x07 7\x1b[0m\x85", "aim": "Fewer\x00 falls.\nEvery\tward\x1b.\x9b",
           "lead": "Ann\x07 Lee\x7f", "keywords": ["falls\x1b", "\x00wards"]}
CLEAN = {"title": "Falls on ward 7[0m", "aim": "Fewer falls.\nEvery\tward.", "lead": "Ann Lee",
         "keywords": ["falls", "wards"]}


def test_a_csv_import_drops_control_characters_and_reports_without_them(cli, site, tmp_path):
    path = tmp_path / "tracker.csv"
    with open(path, "w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([["Project title", "Aim", "Project lead", "Keywords", "Created by"],
                                   ["Falls\x07 on ward\x1b 7\x85", "Fewer\x1b falls.\nEvery\tward\x7f.",
                                    "Ann\x07 Lee", "falls\x1b; wards\x07", "Bob\x1b Smith"]])
    status, out, _ = cli("import", "qi", "tracker", str(path), "--dry-run")
    assert status == 0, out
    assert "would create a new record (Falls on ward 7)" in out and not CONTROL_CHARACTERS.search(out)
    status, out, _ = cli("import", "qi", "tracker", str(path))
    assert status == 0, out
    record = site.store.get("QI-0001")
    assert record.values == {"title": "Falls on ward 7", "aim": "Fewer falls.\nEvery\tward.", "lead": "Ann Lee",
                             "keywords": ["falls", "wards"]}
    assert record.created_by == "Bob Smith"


def test_a_nul_in_a_csv_past_where_binary_files_are_told_apart_is_dropped(cli, site, tmp_path):
    # A NUL near the start means a UTF-16 or binary file, refused whole (tests/exchange/test_malformed.py).
    path = tmp_path / "long.csv"
    rows = [["Project title", "Aim"]] + [[f"Project {n}", "x" * 19_000] for n in range(4)] + [["Falls\x00 audit", ""]]
    with open(path, "w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows)
    status, out, _ = cli("import", "qi", "tracker", str(path))
    assert status == 0, out
    assert site.store.get("QI-0005").values == {"title": "Falls audit"}


def test_a_json_import_drops_nul_bell_and_escape(cli, site, tmp_path):
    path = tmp_path / "records.json"
    path.write_text(json.dumps({"records": [HOSTILE]}), encoding="utf-8")
    status, out, _ = cli("import", "qi", "tracker", str(path))
    assert status == 0, out
    assert site.store.get("QI-0001").values == CLEAN


@pytest.fixture
def legacy(site):
    """A record stored with control characters, as before every write dropped them."""
    record = site.store.insert(HOSTILE, user="ann\x00")
    assert record.values["title"] == HOSTILE["title"]
    return site


def exported(site, fmt: str) -> bytes:
    out = io.BytesIO()
    export(site.rtype, site.store, Query(sort="reference"), fmt, out)
    return out.getvalue()


def test_a_csv_export_of_a_record_stored_with_control_characters_holds_none(legacy):
    text = exported(legacy, "csv").decode("utf-8-sig")
    assert not CONTROL_CHARACTERS.search(text)
    [row] = csv.DictReader(io.StringIO(text))
    assert (row["Project title"], row["Aim"], row["Project lead"], row["Keywords"], row["Created by"]) == (
        CLEAN["title"], CLEAN["aim"], CLEAN["lead"], "falls; wards", "ann")


def test_an_xlsx_export_of_a_record_stored_with_control_characters_opens_and_holds_none(legacy):
    sheet = load_workbook(io.BytesIO(exported(legacy, "xlsx"))).worksheets[0]
    header, row = ([cell.value for cell in cells] for cells in sheet.iter_rows(max_row=2))
    cells = dict(zip(header, row))
    assert not any(CONTROL_CHARACTERS.search(value) for value in row if isinstance(value, str))
    assert (cells["Project title"], cells["Aim"], cells["Project lead"], cells["Created by"]) == (
        CLEAN["title"], CLEAN["aim"], CLEAN["lead"], "ann")


def test_a_json_export_of_a_record_stored_with_control_characters_holds_none(legacy):
    data = exported(legacy, "json")
    [record] = json.loads(data)["records"]
    assert {name: record[name] for name in CLEAN} == CLEAN and record["created_by"] == "ann"
    assert not re.search(r"\\u00[01]", data.decode()) and not CONTROL_CHARACTERS.search(data.decode())
