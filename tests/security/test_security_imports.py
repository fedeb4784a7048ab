"""Hostile files through the import page: programs named .csv, workbooks that are not workbooks, workbooks
that unpack to far more than they weigh, markup in cells, and a confirm form pointing at other files. Each
gets the page's message and writes nothing, or imports the values as text."""
from __future__ import annotations

import io
import zipfile

import pytest

from access_helpers import sign_in
from engine.exchange import readers
from hostile import XSS_PAYLOADS, assert_no_injected_markup, data_fingerprint, page_of, records_in
from web.webpages import BASE

IMPORT = BASE + "import"


@pytest.fixture
def admin(app):
    client = app.test_client()
    sign_in(client, app, "ida", role="admin")
    return client


def send(client, name: str, content: bytes):
    return client.post(IMPORT, data={"file": (io.BytesIO(content), name)}, content_type="multipart/form-data")


def message(response) -> str:
    return page_of(response).select_one("main").get_text(" ", strip=True)


def workbook(rows: int, padding: int = 0) -> bytes:
    """A real .xlsx of ``rows`` projects (two columns), each title padded with ``padding`` characters."""
    from openpyxl import Workbook
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Projects")
    sheet.append(["Project title", "Division"])
    for number in range(rows):
        sheet.append([f"Project {number} " + "x" * padding, "Surgery"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("name, content, expected", [
    ("projects.csv", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\xff\xff\x00\x00" * 64, "is not a text (CSV) file"),
    ("projects.xlsx", b"Project title,Division\nFalls,Surgery\n", "is not an Excel workbook"),
    ("projects.xlsx", b"PK\x03\x04 a broken zip", "is not an Excel workbook"),
    ("projects.exe", b"MZ\x90\x00", "The selected file must be a CSV"),
    ("projects.json", b"[" * 5000 + b"]" * 5000, "nested too deeply"),
    ("projects.json", b"{\"records\": " + b"{\"a\": " * 3000 + b"1" + b"}" * 3001, "nested too deeply"),
    ("../../accounts.csv", b"", "empty"),
])
def test_a_file_that_is_not_a_table_is_refused_and_nothing_written(app, admin, tmp_path, name, content, expected):
    before = data_fingerprint(tmp_path / "data")
    response = send(admin, name, content)
    assert response.status_code == 400
    assert expected in message(response)
    assert data_fingerprint(tmp_path / "data") == before


@pytest.mark.parametrize("limit, rows, padding", [("MAX_CELLS", 600, 0), ("MAX_UNPACKED_BYTES", 300, 4000)])
def test_a_workbook_that_unpacks_to_too_much_is_refused_before_it_is_read(app, admin, tmp_path, monkeypatch,
                                                                         limit, rows, padding):
    """The real limits (a million cells, 256 MB unpacked) are lowered here, so the test sends a small file."""
    monkeypatch.setattr(readers, limit, 1000 if limit == "MAX_CELLS" else 1024 * 1024)
    before = data_fingerprint(tmp_path / "data")
    response = send(admin, "projects.xlsx", workbook(rows, padding))
    assert response.status_code == 400
    assert "more than one import can take (up to" in message(response)
    assert data_fingerprint(tmp_path / "data") == before


def test_a_small_upload_that_unpacks_hugely_is_refused_quickly(admin):
    """A zip bomb: 100 KB that would unpack to 300 MB of worksheet."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook(1))) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for part in source.infolist():
            bomb.writestr(part, source.read(part.filename))
        with bomb.open("xl/media/padding.bin", "w", force_zip64=True) as padding:
            for _ in range(300):
                padding.write(bytes(1024 * 1024))
    assert len(out.getvalue()) < 1024 * 1024
    response = send(admin, "projects.xlsx", out.getvalue())
    assert response.status_code == 400
    assert "split it into several files" in message(response)


@pytest.mark.parametrize("held", ["../../accounts.json", "../.secret_key", "a" * 30 + ".csv/../../accounts.json",
                                  "", "..", "a" * 30 + ".csv\x00.json", "/etc/passwd"])
def test_the_confirm_form_reaches_no_file_but_the_one_it_held(app, admin, tmp_path, held):
    before = data_fingerprint(tmp_path / "data")
    response = admin.post(IMPORT + "/confirm", data={"held": held})
    assert response.status_code == 400
    assert "no longer here: upload it again" in message(response)
    assert data_fingerprint(tmp_path / "data") == before


def test_markup_and_formulas_in_cells_are_imported_as_text(app, admin):
    titles = list(XSS_PAYLOADS) + ["'=HYPERLINK(\"https://evil.example\",\"Open\")"]
    lines = ["Project title,Division"] + ['"{}",Surgery'.format(title.replace('"', '""')) for title in titles]
    checked = send(admin, "projects.csv", "\n".join(lines).encode())
    assert checked.status_code == 200, message(checked)
    assert_no_injected_markup(checked)
    held = page_of(checked).select_one("input[name=held]")["value"]
    done = admin.post(IMPORT + "/confirm", data={"held": held})
    assert done.status_code == 302
    stored = sorted(record.values["title"] for record in records_in(app))
    assert stored == sorted(titles[:-1] + ['=HYPERLINK("https://evil.example","Open")'])
    for record in records_in(app):
        assert_no_injected_markup(admin.get(BASE + record.reference))
    assert_no_injected_markup(admin.get(BASE))
