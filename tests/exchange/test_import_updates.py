"""Importing a file again: in update mode a row naming a record here edits it (version checked, merged over
what others saved since), reported field by field; in create mode a row that looks like a stored record is
warned about; and a mix of updates and new records is written whole or not at all."""
from __future__ import annotations

import csv
import io

import pytest
from bs4 import BeautifulSoup

from access_helpers import sign_in
from test_web_exchange import app, client  # noqa: F401  (fixtures)


@pytest.fixture
def exported(site, cli, tmp_path):
    """The filled records exported as CSV with their files, as (rows of cells, write back to the file)."""
    site.fill()
    path = tmp_path / "tracker.csv"
    status, _, err = cli("export", "qi", "tracker", "-o", str(path), "--attachments", str(tmp_path / "files"))
    assert status == 0, err
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))

    def save(changed: list[list[str]]) -> str:
        with open(path, "w", encoding="utf-8", newline="") as out:
            csv.writer(out).writerows(changed)
        return str(path)
    return rows, save


def _cell(rows: list[list[str]], reference: str, header: str, value: str) -> None:
    row = next(row for row in rows if row[0] == reference)
    row[rows[0].index(header)] = value


def test_an_export_changed_and_imported_again_updates_the_records(exported, cli, site, tmp_path):
    rows, save = exported
    _cell(rows, "QI-0002", "Budget", "450")
    _cell(rows, "QI-0002", "Aim", "")
    _cell(rows, "QI-0003", "Status", "Completed")
    path = save(rows)
    files = str(tmp_path / "files")
    status, out, _ = cli("import", "qi", "tracker", path, "--update", "--attachments", files, "--dry-run")
    assert status == 0, out
    assert "Row 2: QI-0001 is unchanged: nothing to write" in out
    assert "Row 3: would update QI-0002: 2 fields (Aim, Budget)" in out
    assert "Row 4: would update QI-0003: 1 field (Status)" in out
    assert "3 rows read; 0 ready to create; 2 ready to update; 1 unchanged; 0 rows with problems." in out
    status, out, _ = cli("import", "qi", "tracker", path, "--update", "--attachments", files, "--user", "lib")
    assert status == 0, out
    assert "Updated 2 records (QI-0002 to QI-0003)" in out
    assert site.store.count() == 3, "no record made twice"
    falls = site.store.get("QI-0002")
    assert (falls.values["budget"], falls.values.get("aim"), falls.version, falls.updated_by) == (450, None, 2, "lib")
    assert falls.values["title"] == "@Falls: fewer falls", "fields the file leaves alone are kept"
    assert site.store.get("QI-0003").status == "Completed"
    first = site.store.get("QI-0001")
    assert first.version == 1 and len(site.store.attachments("QI-0001")) == 1, "the file it holds is not added again"


def test_importing_an_export_again_without_update_warns_of_each_look_alike(exported, cli, site, tmp_path):
    rows, save = exported
    status, out, _ = cli("import", "qi", "tracker", save(rows), "--attachments", str(tmp_path / "files"),
                         "--dry-run")
    assert status == 0, out
    assert "Warning: row 2 looks like QI-0001 (same title and lead)" in out
    assert "Warning: row 3 looks like QI-0002 (same title and lead)" in out
    assert "Warning: row 4 looks like QI-0003 (same title and lead)" in out


def test_look_alikes_ignore_case_and_spacing_but_not_a_different_lead(cli, site, tmp_path):
    site.records.create({"title": "Sepsis  screening", "lead": "Ann Lee"}, user="ann")
    path = tmp_path / "again.csv"
    path.write_text("Project title,Project lead\n sepsis screening ,ANN  LEE\nSepsis screening,Bob Smith\n",
                    encoding="utf-8")
    _, out, _ = cli("import", "qi", "tracker", str(path), "--dry-run")
    assert "Warning: row 2 looks like QI-0001 (same title and lead)" in out
    assert "Warning: row 3" not in out


def test_a_version_column_says_what_the_update_started_from(cli, site, tmp_path):
    site.fill()
    site.records.update("QI-0002", {"budget": 999}, user="bob", expected_version=1)
    path = tmp_path / "v.csv"
    path.write_text("Reference,Version,Budget,Aim\nQI-0002,1,450,+10% lying and standing blood pressure\n",
                    encoding="utf-8")
    status, out, _ = cli("import", "qi", "tracker", str(path), "--update")
    assert status == 1
    assert ("Row 2, column Version: QI-0002 was changed by someone else (now version 2, you started from "
            "version 1). You both changed: budget.") in out
    assert site.store.get("QI-0002").values["budget"] == 999
    path.write_text("Reference,Version,Aim\nQI-0002,1,Fewer falls\n", encoding="utf-8")
    status, out, _ = cli("import", "qi", "tracker", str(path), "--update")
    assert status == 0, out
    merged = site.store.get("QI-0002")
    assert (merged.values["aim"], merged.values["budget"], merged.version) == ("Fewer falls", 999, 3)


def test_a_version_column_is_ignored_when_not_updating(cli, site, tmp_path):
    path = tmp_path / "v.csv"
    path.write_text("Project title,Version\nA,3\n", encoding="utf-8")
    _, out, _ = cli("import", "qi", "tracker", str(path), "--dry-run")
    assert "Column ignored: Version (read only when updating the records that have the file's references)" in out


def test_when_updating_only_new_rows_need_every_required_column(cli, site, tmp_path):
    site.fill()
    path = tmp_path / "budgets.csv"
    path.write_text("Reference,Budget\nQI-0002,450\nQI-0099,5\n", encoding="utf-8")
    status, out, _ = cli("import", "qi", "tracker", str(path), "--update", "--skip-invalid")
    assert status == 3, out
    assert ("Row 3, column Project title: The file has no Project title column, and Project title is required "
            "for a new record") in out
    assert site.store.get("QI-0002").values["budget"] == 450 and site.store.count() == 3


def test_a_refusal_after_some_updates_puts_them_back(cli, site, tmp_path):
    site.fill()
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "good.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    (folder / "fake.pdf").write_bytes(b"MZ\x90\x00 not a pdf")
    path = tmp_path / "mixed.csv"
    path.write_text("Reference,Project title,Budget,Report\nQI-0002,@Falls: fewer falls,450,\n"
                    "QI-0003,Only a title,,good.pdf\n,New one,,fake.pdf\n", encoding="utf-8")
    status, out, _ = cli("import", "qi", "tracker", str(path), "--update", "--attachments", str(folder))
    assert status == 1 and "Row 4, column Report: Report: The file must be" in out
    assert site.store.count() == 3
    assert site.store.get("QI-0002").values["budget"] == 300
    assert site.store.attachments("QI-0003") == [] and not site.store.get("QI-0003").values.get("report")
    assert [v.note for v in site.store.history("QI-0002")][-1:] == ["restored version 1"]


# -- the import page ---------------------------------------------------------------------------------------------
def _upload(client, text: str, mode: str):
    return client.post("/qi/tracker/import", data={"file": (io.BytesIO(text.encode()), "tracker.csv"), "mode": mode},
                       content_type="multipart/form-data")


def _confirm(client, page):
    return client.post("/qi/tracker/import/confirm",
                       data={f["name"]: f["value"] for f in page.select("#import-confirm input[type=hidden]")})


def test_the_page_offers_to_update_and_says_what_each_row_changes(client, app, site):
    sign_in(client, app, username="ada", role="admin")
    page = BeautifulSoup(_upload(client, "Reference,Budget\nQI-0002,450\n", "update").data, "html.parser")
    assert page.select_one("#mode-update[checked]") is not None
    sample = page.select_one("#import-sample").get_text(" ", strip=True)
    assert "Row 2: will update QI-0002: 1 field (Budget)" in sample
    assert page.select_one("#import-confirm button").get_text(strip=True) == "Update 1 record"
    response = _confirm(client, page)
    assert response.status_code == 302
    assert site.store.get("QI-0002").values["budget"] == 450 and site.store.count() == 3
    assert "Updated 1 record (QI-0002)." in client.get("/qi/tracker/").get_data(as_text=True)


def test_the_page_warns_of_rows_that_look_like_records_here(client, app):
    sign_in(client, app, username="ada", role="admin")
    page = BeautifulSoup(_upload(client, "Project title,Project lead\nOnly a title,\nNew,\n", "create").data,
                         "html.parser")
    warnings = [li.get_text(strip=True) for li in page.select("#import-warnings li")]
    assert warnings == ["Row 2 looks like QI-0003 (same title and lead)"]


def test_an_update_starts_from_the_version_read_when_the_file_was_checked(client, app, site):
    sign_in(client, app, username="ada", role="admin")
    page = BeautifulSoup(_upload(client, "Reference,Budget\nQI-0002,450\n", "update").data, "html.parser")
    site.records.update("QI-0002", {"budget": 999}, user="bob", expected_version=1)
    response = _confirm(client, page)
    assert response.status_code == 409
    again = BeautifulSoup(response.data, "html.parser")
    assert "the repository changed since you checked the file" in again.select_one(".nhsuk-error-summary").get_text()
    assert "You both changed: budget" in again.select_one("#import-problems").get_text()
    assert site.store.get("QI-0002").values["budget"] == 999, "the other person's save is kept"


def test_a_record_updated_by_two_rows_is_a_problem_of_the_second(cli, site, tmp_path):
    site.fill()
    path = tmp_path / "twice.csv"
    path.write_text("Reference,Budget\nQI-0002,450\nqi-0002,500\n", encoding="utf-8")
    status, out, _ = cli("import", "qi", "tracker", str(path), "--update")
    assert status == 1
    assert "Row 3, column Reference: QI-0002 is updated by row 2 already: keep one row for it" in out
    assert site.store.get("QI-0002").values["budget"] == 300
