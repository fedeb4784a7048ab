"""A file that is not a spreadsheet gets one clear message and writes nothing: never a traceback."""
from __future__ import annotations

import io
import os
import zipfile

import pytest
from openpyxl import Workbook

from engine.exchange.readers import UnreadableFile, read_table


def broken_workbook(part: str, xml: bytes) -> bytes:
    """A real .xlsx with one of its parts replaced by ``xml``."""
    book = Workbook()
    book.active.append(["Project title"])
    book.active.append(["Falls"])
    made, out = io.BytesIO(), io.BytesIO()
    book.save(made)
    with zipfile.ZipFile(made) as source, zipfile.ZipFile(out, "w") as copy:
        for name in source.namelist():
            copy.writestr(name, xml if name == part else source.read(name))
    return out.getvalue()


WORKSHEET = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
BAD = [
    ("garbage.csv", os.urandom(64) + b"\x00\x01\x02", "garbage.csv is not a text (CSV) file"),
    ("empty.csv", b"", "empty.csv is empty."),
    ("blank.csv", b"\r\n ,, \r\n", "blank.csv has no rows."),
    ("commas.csv", b",,,\r\n,,,\r\n", "commas.csv has no rows."),
    ("fake.xlsx", b"Project title\nNot really a workbook\n", "fake.xlsx is not an Excel workbook (.xlsx)"),
    ("broken.xlsx", b"PK\x03\x04" + b"\x00" * 40, "broken.xlsx is not an Excel workbook (.xlsx)"),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old.xls is an old Excel (.xls) file"),
    ("notes.docx", b"PK\x03\x04", "notes.docx is not a CSV, Excel (.xlsx) or JSON file."),
    ("broken.json", b'{"records": [{"title": "A"}', "broken.json is not a readable JSON file: Expecting"),
    ("shape.json", b'{"title": "A"}', 'shape.json does not hold records: it should be a list of records, or {"records"'),
    ("latin.json", b'[{"title": "Caf\xe9"}]', "latin.json is not a readable JSON file"),
    ("none.json", b'{"records": []}', "none.json has no rows."),
    ("bad.csv", "Caf\u00e9".encode("utf-8")[:-1] + b"\x81\x8d", "bad.csv is not a text (CSV) file"),
    ("cut.xlsx", broken_workbook("xl/worksheets/sheet1.xml",
                                 WORKSHEET + b'<dimension ref="A1:A2"/><sheetData><row>'),
     "cut.xlsx has a damaged worksheet: save it again from Excel."),
    ("garbled.xlsx", broken_workbook("xl/workbook.xml", b"<workbook><sheets></workbook>"),
     "garbled.xlsx is not an Excel workbook (.xlsx)"),
]


@pytest.mark.parametrize("name, data, message", BAD, ids=[b[0] for b in BAD])
def test_an_unreadable_file_gets_one_clear_message_and_writes_nothing(cli, tmp_path, site, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    status, out, err = cli("import", "qi", "tracker", str(path))
    assert status == 1
    assert message in err and "Traceback" not in out + err
    assert site.store.count() == 0


def test_a_missing_file_is_named(cli, tmp_path):
    status, _, err = cli("import", "qi", "tracker", str(tmp_path / "nope.csv"))
    assert status == 1 and "Cannot read" in err and "nope.csv" in err


def test_an_xlsx_is_read_from_its_first_sheet_with_its_cell_types():
    book = Workbook()
    sheet = book.active
    sheet.append(["Project title", "Start date", "Budget"])
    sheet.append([None, None, None])
    sheet.append(["Falls", 45658, 12.0])
    buffer = io.BytesIO()
    book.save(buffer)
    table = read_table(buffer.getvalue(), "tracker.xlsx")
    assert table.headers == ("Project title", "Start date", "Budget")
    assert table.rows == ((3, ("Falls", 45658, 12)),) and table.blank_rows == 1


def test_short_rows_are_padded_and_long_rows_cut_to_the_header():
    table = read_table(b"a,b,c\n1\n1,2,3,4\n", "t.csv")
    assert table.rows == ((2, ("1", None, None)), (3, ("1", "2", "3")))


def test_a_missing_attachments_folder_is_named(cli, tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("Project title\nA\n")
    status, _, err = cli("import", "qi", "tracker", str(path), "--attachments", str(tmp_path / "nowhere"))
    assert status == 1 and "There is no folder" in err


def test_unreadable_file_is_an_engine_error_with_the_message():
    with pytest.raises(UnreadableFile, match="x.csv is empty"):
        read_table(b"   ", "x.csv")


@pytest.mark.parametrize("text", [
    "Project title,Quality domains,Keywords\nA,Safe; Caring,x; y; z\nB,Safe;Effective,p;q\n",
    "Project title;Quality domains;Keywords\nA;Safe, Caring;x\n",
    "Project title\tQuality domains\tKeywords\nA\tSafe; Caring\tx\n",
])
def test_the_header_row_decides_the_separator(text):
    table = read_table(text.encode(), "t.csv")
    assert table.headers == ("Project title", "Quality domains", "Keywords")
    assert table.rows[0][1][0] == "A" and table.rows[0][1][1].startswith("Safe")
