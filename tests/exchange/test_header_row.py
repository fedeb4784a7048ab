"""A hand-kept tracker with a title (and a date, a note, a blank line) above its headers: the headers are found
on the first row that names the repository's columns, the report says which row that was, and every problem
keeps the row number the spreadsheet shows."""
from __future__ import annotations

import io

import pytest
from bs4 import BeautifulSoup
from openpyxl import Workbook

from access_helpers import sign_in
from engine.exchange.readers import read_table
from engine.web.app import create_app

TITLED = [
    ["Quality improvement tracker 2025"],
    [],
    ["Project title", "Start date", "Division"],
    ["Falls", "31/02/2025", "Surgery"],
    ["Sepsis", "01/03/2025", "Medicine"],
]


def as_csv(rows: list[list[str]], separator: str = ",") -> bytes:
    return "\r\n".join(separator.join(row) for row in rows).encode()


def as_xlsx(rows: list[list[str]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row or [None])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


FORMATS = {"tracker.csv": as_csv, "tracker.xlsx": as_xlsx}


@pytest.mark.parametrize("name", FORMATS)
def test_a_title_above_the_headers_is_skipped_and_rows_keep_their_numbers(cli, tmp_path, site, name):
    path = tmp_path / name
    path.write_bytes(FORMATS[name](TITLED))
    status, out, err = cli("import", "qi", "tracker", str(path), "--dry-run")
    lines = out.splitlines()
    assert lines[0] == "Headers read from row 3; rows 1 to 2 were skipped", out + err
    assert lines[1] == "Columns read: Project title, Start date, Division"
    assert "Row 4, column Start date: '31/02/2025' is not a real date" in lines
    assert "Row 5: would create a new record (Sepsis), first status" in lines
    assert "2 rows read; 1 ready to create; 1 row with problems." in lines
    assert status == 1 and site.store.count() == 0


def test_the_rows_under_a_title_import(cli, tmp_path, site):
    path = tmp_path / "tracker.xlsx"
    path.write_bytes(as_xlsx([["Falls audit"], ["Project title", "Division"], ["Falls", "Surgery"]]))
    status, out, _ = cli("import", "qi", "tracker", str(path))
    assert status == 0, out
    assert [(r.values["title"], r.values["division"]) for r in site.store.iter_all()] == [("Falls", "surg")]


def test_one_skipped_row_is_said_so(cli, tmp_path):
    path = tmp_path / "tracker.csv"
    path.write_bytes(as_csv([["Falls audit"], ["Project title", "Division"], ["Falls", "Surgery"]]))
    _, out, _ = cli("import", "qi", "tracker", str(path), "--dry-run")
    assert out.splitlines()[0] == "Headers read from row 2; row 1 was skipped"


def test_headers_on_the_first_row_say_nothing_about_skipping(cli, tmp_path):
    path = tmp_path / "tracker.csv"
    path.write_bytes(as_csv(TITLED[2:]))
    _, out, _ = cli("import", "qi", "tracker", str(path), "--dry-run")
    assert "Headers read from" not in out and "Row 2, column Start date" in out


def test_a_semicolon_file_with_a_bare_title_takes_its_separator_from_the_headers():
    table = read_table(as_csv(TITLED, ";"), "tracker.csv").headed_by(
        lambda headers: sum(header in ("Project title", "Division") for header in headers))
    assert table.header_row == 3 and table.headers == ("Project title", "Start date", "Division")
    assert table.rows[0] == (4, ("Falls", "31/02/2025", "Surgery"))


def test_the_first_row_naming_two_columns_wins_and_blank_rows_below_are_counted():
    rows = [["Tracker"], ["Owner: Ann Lee"], ["Project title", "Division"], [], ["Falls", "Surgery"],
            ["Project title", "Division"]]
    table = read_table(as_csv(rows), "t.csv").headed_by(lambda headers: headers.count("Division") * 2)
    assert (table.header_row, table.blank_rows) == (3, 1)
    assert [number for number, _ in table.rows] == [5, 6]


@pytest.mark.parametrize("rows", [
    [["Project title"], ["Falls"]],                             # one column only: no row names two
    [["Tracker"], ["Aim", "Notes"], ["Falls", "x"]],            # nothing names two: the first row, as ever
])
def test_without_a_row_naming_two_columns_the_first_row_is_the_header(rows):
    table = read_table(as_csv(rows), "t.csv")
    assert table.headed_by(lambda headers: int("Project title" in headers)) is table
    assert table.header_row == 1 and table.headers == tuple(rows[0])


def test_a_header_further_down_than_a_title_block_is_not_looked_for():
    rows = [["Notes"]] * 20 + [["Project title", "Division"], ["Falls", "Surgery"]]
    table = read_table(as_csv(rows), "t.csv")
    assert table.headed_by(lambda headers: len(headers)).header_row == 1


@pytest.fixture
def client(tmp_path, site):
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
                      "SCHEMAS": str(tmp_path / "schemas"), "INSTANCES": str(tmp_path / "instances"),
                      "DATA": str(tmp_path / "data")})
    client = app.test_client()
    sign_in(client, app, username="ada", role="admin")
    yield client
    app.extensions["repo_engine"].close()


@pytest.mark.parametrize("name", FORMATS)
def test_the_import_page_says_which_row_the_headers_were_read_from(client, name):
    sent = client.post("/qi/tracker/import", data={"file": (io.BytesIO(FORMATS[name](TITLED)), name)},
                       content_type="multipart/form-data")
    page = BeautifulSoup(sent.data, "html.parser")
    said = page.select_one("#import-header-row")
    assert said is not None, page.get_text()
    assert said.get_text(" ", strip=True) == "Row 3; rows 1 to 2 were skipped"
    problems = [[td.get_text(strip=True) for td in tr.select("td")] for tr in page.select("#import-problems tbody tr")]
    assert problems == [["4", "Start date", "'31/02/2025' is not a real date"]]


def test_a_missing_required_column_is_filed_under_the_header_row(client):
    rows = [["Tracker"], [], ["Start date", "Division"], ["01/03/2025", "Surgery"]]
    sent = client.post("/qi/tracker/import", data={"file": (io.BytesIO(as_csv(rows)), "t.csv")},
                       content_type="multipart/form-data")
    page = BeautifulSoup(sent.data, "html.parser")
    first = [td.get_text(strip=True) for td in page.select("#import-problems tbody tr")[0].select("td")]
    assert first[:2] == ["3", "Project title"]
