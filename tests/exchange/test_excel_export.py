"""Excel exports laid out to be read: a header row that filters and stays in place, columns as wide as their
text, long text wrapped, the title beside the reference, a link to each record's page and a sheet saying what
was exported, when and by whom; and still a file that imports back."""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timezone

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from access_helpers import sign_in
from engine.access.accounts import Accounts
from engine.exchange import export as exporting
from engine.exchange.export import About
from engine.fields import default_registry
from engine.records import Records
from engine.schema import load_project
from engine.schema.compile import RecordValidator
from engine.store import open_store
from engine.store.base import Query
from exchangekit import FULL, write_project
from test_web_exchange import app, client  # noqa: F401  (the web fixtures: a filled site and its client)

SITE = "https://repository.example.nhs.uk/"


@pytest.fixture
def filled(site):
    site.fill()
    return site


def records_sheet(data: bytes):
    return load_workbook(io.BytesIO(data)).worksheets[0]


def header(sheet) -> list[str]:
    return [cell.value for cell in sheet[1]]


def column_cells(sheet, label: str) -> list:
    index = header(sheet).index(label) + 1
    return [sheet.cell(row, index) for row in range(2, sheet.max_row + 1)]


def width(sheet, label: str) -> float:
    return sheet.column_dimensions[get_column_letter(header(sheet).index(label) + 1)].width


def about_lines(data: bytes) -> dict[str, object]:
    sheet = load_workbook(io.BytesIO(data))["About this export"]
    return {row[0].value: row[1].value for row in sheet.iter_rows(min_row=2) if len(row) > 1}


def xlsx_of(site, about: About | None = None, query: Query = Query(sort="reference")) -> bytes:
    out = io.BytesIO()
    exporting.export(site.rtype, site.store, query, "xlsx", out, about)
    return out.getvalue()


def about(site, at=datetime(2026, 7, 1, 12, 0, tzinfo=timezone.utc), site_address=None) -> About:
    instance = load_project(site.paths, default_registry()).instances["qi"]
    return About(instance, lambda total: f"{total} improvement projects", by="Ann Lee", at=at, site=site_address)


def cli_xlsx(cli, tmp_path, *args: str) -> bytes:
    target = tmp_path / "out.xlsx"
    status, _, err = cli("export", "qi", "tracker", "-o", str(target), *args)
    assert status == 0, err
    return target.read_bytes()


# -- the records' sheet -----------------------------------------------------------------------------------------
def test_the_header_row_has_a_filter_over_every_record_and_stays_in_place(cli, filled, tmp_path):
    sheet = records_sheet(cli_xlsx(cli, tmp_path))
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{get_column_letter(len(header(sheet)))}4", "the header and 3 records"
    assert all(cell.font.bold for cell in sheet[1])


def test_the_title_comes_next_to_the_reference_in_excel_and_csv_alike(cli, filled, tmp_path):
    sheet = records_sheet(cli_xlsx(cli, tmp_path))
    assert header(sheet)[:3] == ["Reference", "Project title", "Status"]
    assert [cell.value for cell in sheet[2]][:2] == ["QI-0001", FULL[0]["title"]]
    csv_header = next(csv.reader(io.StringIO(cli("export", "qi", "tracker")[1].lstrip("\ufeff"))))
    assert csv_header == header(sheet)


def test_long_text_wraps_at_the_top_of_its_cell_and_short_text_does_not(filled):
    sheet = records_sheet(xlsx_of(filled))
    aims = [cell for cell in column_cells(sheet, "Aim") if cell.value]
    assert aims and all(cell.alignment.wrap_text and cell.alignment.vertical == "top" for cell in aims)
    assert not any(cell.alignment.wrap_text for cell in column_cells(sheet, "Division"))


def test_text_wider_than_a_column_may_be_wraps_in_the_widest_column(filled):
    filled.records.create({"title": "Falls " * 30}, user="ann")
    sheet = records_sheet(xlsx_of(filled))
    assert width(sheet, "Project title") == exporting.MAX_WIDTH
    assert all(cell.alignment.wrap_text for cell in column_cells(sheet, "Project title"))


def test_columns_are_as_wide_as_their_header_or_text_within_limits(filled):
    sheet = records_sheet(xlsx_of(filled))
    assert width(sheet, "Reference") == len("Reference") + exporting.FILTER_BUTTON
    assert width(sheet, "Project title") == len(FULL[0]["title"]) + 1, "the longest title, and a little room"
    assert width(sheet, "Created") == len("14/07/2023 10:30:05") + 1, "a date-time as Excel shows it"
    widths = [sheet.column_dimensions[get_column_letter(n)].width for n in range(1, len(header(sheet)) + 1)]
    assert all(exporting.MIN_WIDTH <= each <= exporting.MAX_WIDTH for each in widths)


def test_widths_come_from_the_first_rows_so_a_large_export_reads_its_cells_once(filled, monkeypatch):
    monkeypatch.setattr(exporting, "SAMPLE_ROWS", 1)
    sheet = records_sheet(xlsx_of(filled, query=Query(sort="-reference")))
    assert sheet.max_row == 4, "every record is written, not only the sample"
    assert sheet.cell(2, 2).value == "Only a title"
    assert width(sheet, "Project title") == len("Project title") + exporting.FILTER_BUTTON, \
        "the longer titles of later rows do not widen it"


def test_text_excel_would_take_for_a_formula_or_an_error_stays_text(filled):
    filled.records.create({"title": "#N/A", "aim": "=1+1"}, user="ann")
    sheet = records_sheet(xlsx_of(filled))
    last = {label: cell for label, cell in zip(header(sheet), sheet[sheet.max_row])}
    assert (last["Project title"].value, last["Project title"].data_type) == ("#N/A", "s")
    assert (last["Aim"].value, last["Aim"].data_type) == ("'=1+1", "s")


def test_a_view_with_no_records_is_still_a_workbook_with_its_filter_and_about_sheet(cli, filled, tmp_path):
    data = cli_xlsx(cli, tmp_path, "--query", "division=med&status=Proposed")
    sheet = records_sheet(data)
    assert sheet.max_row == 1 and sheet.auto_filter.ref == f"A1:{get_column_letter(len(header(sheet)))}1"
    assert about_lines(data)["Exported"] == "0 improvement projects where division is Medicine and status is Proposed"


# -- links to the records -----------------------------------------------------------------------------------------
def test_with_the_site_address_each_record_links_to_its_page(cli, filled, tmp_path, monkeypatch):
    monkeypatch.setenv("REPO_ENGINE_BASE_URL", SITE)
    sheet = records_sheet(cli_xlsx(cli, tmp_path))
    assert header(sheet)[-1] == "Link"
    links = column_cells(sheet, "Link")
    assert [cell.value for cell in links] == [f"{SITE}qi/tracker/QI-000{n}" for n in (1, 2, 3)]
    assert [cell.hyperlink.target for cell in links] == [cell.value for cell in links]
    assert links[0].style == "Hyperlink" and links[0].data_type == "s"
    csv_out = cli("export", "qi", "tracker")[1]
    assert "Link" not in next(csv.reader(io.StringIO(csv_out))) and SITE not in csv_out, "CSV is unchanged"


def test_without_the_site_address_the_command_line_leaves_the_link_out_and_says_so(cli, filled, tmp_path,
                                                                                     capsys, monkeypatch):
    monkeypatch.delenv("REPO_ENGINE_BASE_URL", raising=False)
    assert "Link" not in header(records_sheet(cli_xlsx(cli, tmp_path)))
    with pytest.raises(SystemExit):
        cli("export", "--help")
    assert "REPO_ENGINE_BASE_URL" in " ".join(capsys.readouterr().out.split())


@pytest.mark.parametrize("configured, expected", [(None, "http://localhost/"), (SITE, SITE)])
def test_the_web_export_links_to_the_configured_site_else_the_address_asked(client, app, configured, expected):
    if configured:
        app.config["BASE_URL"] = configured
    sheet = records_sheet(client.get("/qi/tracker/export?format=xlsx").data)
    assert column_cells(sheet, "Link")[0].hyperlink.target == f"{expected}qi/tracker/QI-0001"


def test_rows_past_excels_hyperlink_limit_keep_the_address_as_text(filled, monkeypatch):
    monkeypatch.setattr(exporting, "MAX_HYPERLINKS", 2)
    links = column_cells(records_sheet(xlsx_of(filled, about(filled, site_address=SITE))), "Link")
    assert [cell.hyperlink is not None for cell in links] == [True, True, False]
    assert links[2].value == f"{SITE}qi/tracker/QI-0003"


def test_a_field_called_link_keeps_its_column_and_the_records_link_takes_another(tmp_path):
    paths = write_project(tmp_path)
    schema = paths.schemas / "tracker.yaml"
    schema.write_text(schema.read_text().replace("fields:\n", "fields:\n  - {name: link, type: url, label: Link}\n", 1))
    instance = load_project(paths, default_registry()).instances["qi"]
    rtype = instance.repository("tracker")
    store = open_store(rtype, tmp_path / "data" / "qi")
    try:
        Records(rtype, store, RecordValidator(rtype)).create({"title": "A", "link": "https://nhs.uk/"}, user="ann")
        out = io.BytesIO()
        exporting.export(rtype, store, Query(), "xlsx", out, About(instance, str, "Ann", datetime.now(timezone.utc),
                                                                   SITE))
    finally:
        store.close()
    sheet = records_sheet(out.getvalue())
    assert header(sheet).count("Link") == 1 and header(sheet)[-1] == "Link to the record"
    assert column_cells(sheet, "Link")[0].value == "https://nhs.uk/"


# -- the About sheet ----------------------------------------------------------------------------------------------
def test_the_about_sheet_says_what_was_exported_by_whom_and_when(client, app):
    sign_in(client, app, username="ann", role="reader")
    data = client.get("/qi/tracker/export?status=Completed&status=Proposed&format=xlsx").data
    assert load_workbook(io.BytesIO(data)).sheetnames == ["Improvement projects", "About this export"]
    lines = about_lines(data)
    assert lines["Exported"] == "2 improvement projects where status is Completed or Proposed"
    assert (lines["Instance"], lines["Repository"], lines["Records"]) == (
        "Quality Improvement Team", "Improvement projects", 2)
    assert lines["Exported by"] == "Ann", "the display name"
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]+ \d{4} at \d\d:\d\d \(UK time\)", lines["Exported on"])


def test_the_about_sheet_words_a_search_as_the_browse_page_does(client):
    lines = about_lines(client.get("/qi/tracker/export?q=sepsis&format=xlsx").data)
    assert lines["Exported"] == "1 improvement project matching “sepsis”"
    assert lines["Exported by"] == "Someone not signed in"


def test_the_about_sheet_says_when_nothing_was_left_out(client):
    assert about_lines(client.get("/qi/tracker/export?format=xlsx").data)["Exported"] == (
        "3 improvement projects, with no filters or search")


@pytest.mark.parametrize("at, shown", [
    (datetime(2026, 7, 1, 12, 0, tzinfo=timezone.utc), "1 July 2026 at 13:00 (UK time)"),
    (datetime(2026, 1, 15, 12, 0, tzinfo=timezone.utc), "15 January 2026 at 12:00 (UK time)"),
])
def test_the_time_of_export_is_uk_time_summer_and_winter(filled, at, shown):
    assert about_lines(xlsx_of(filled, about(filled, at=at)))["Exported on"] == shown


def test_the_command_line_names_the_account_of_the_login_running_it(cli, filled, tmp_path, monkeypatch):
    monkeypatch.setattr("getpass.getuser", lambda: "ann")
    assert about_lines(cli_xlsx(cli, tmp_path))["Exported by"] == "ann", "no account: the login name"
    Accounts(tmp_path / "data").add("ann", name="Ann Lee")
    lines = about_lines(cli_xlsx(cli, tmp_path, "--query", "division=surg"))
    assert lines["Exported by"] == "Ann Lee"
    assert lines["Exported"] == "1 improvement project where division is Surgery"


# -- still the import template ----------------------------------------------------------------------------------
def test_an_excel_export_with_its_links_and_about_sheet_imports_back(cli, filled, empty, tmp_path, monkeypatch):
    monkeypatch.setenv("REPO_ENGINE_BASE_URL", SITE)
    files = str(tmp_path / "files")
    assert "Link" in header(records_sheet(cli_xlsx(cli, tmp_path, "--attachments", files)))
    status, out, err = cli("import", "qi", "tracker", str(tmp_path / "out.xlsx"), "--attachments", files,
                           data="other-data")
    assert status == 0, out + err
    assert "Imported 3 records" in out and "Column ignored: Link" in out
    for original in filled.store.iter_all():
        assert empty.store.get(original.reference).values["title"] == original.values["title"]
