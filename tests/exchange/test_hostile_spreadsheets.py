"""Workbooks built to hurt the server: XML that declares entities (billion laughs, a file of the server), zip
bombs, a worksheet of millions of cells with or without a dimension, one cell of 100 MB, a zip of thousands of
parts, a part that inflates past what it declares, a file that takes too long. Each is refused with a message
saying the limit in the person's terms, quickly and in little memory, on the command line and on the page,
and nothing is written. The files are made here, small on disk."""
from __future__ import annotations

import functools
import io
import struct
import time
import tracemalloc
import zipfile

import pytest
from bs4 import BeautifulSoup
from openpyxl import Workbook

from access_helpers import sign_in
from engine.exchange import readers
from engine.exchange.readers import UnreadableFile, read_table
from engine.web.app import create_app

SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
MB = 1024 * 1024
DOCTYPE = "contains XML features that spreadsheets do not use (a DOCTYPE), so it was not read"
TOO_BIG = "is more than one import can take (up to"


def workbook(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


TRACKER = workbook([["Project title", "Budget"], ["Falls", 12]])


def repacked(data: bytes, changes: dict[str, object]) -> bytes:
    """``data`` with parts replaced or added: bytes, or a function writing the part to a stream (so a part
    of hundreds of MB never sits in memory)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as made:
        names = [part.filename for part in source.infolist()]
        for name in names + [name for name in changes if name not in names]:
            change = changes.get(name)
            if change is None:
                made.writestr(name, source.read(name))
            elif isinstance(change, bytes):
                made.writestr(name, change)
            else:
                with made.open(name, "w", force_zip64=True) as stream:
                    change(stream)
    return out.getvalue()


def with_shared_strings(data: bytes, strings: object) -> bytes:
    """The tracker with its first cell taken from a shared strings part (as Excel writes them)."""
    sheet = zipfile.ZipFile(io.BytesIO(data)).read(SHEET).replace(
        b'<c r="A2" t="inlineStr"><is><t>Falls</t></is></c>', b'<c r="A2" t="s"><v>0</v></c>')
    types = zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml").replace(
        b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                     b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    return repacked(data, {SHEET: sheet, "[Content_Types].xml": types, STRINGS: strings})


def measured(data: bytes, name: str = "tracker.xlsx") -> tuple[str, float, float]:
    """The message reading ``data`` gives, the seconds it took and the peak memory it took, in MB."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(UnreadableFile) as refused:
            read_table(data, name)
        return str(refused.value), time.perf_counter() - started, tracemalloc.get_traced_memory()[1] / MB
    finally:
        tracemalloc.stop()


# -- XML a spreadsheet never holds ------------------------------------------------------------------------------
LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol0 "lol">'
          + b"".join(b'<!ENTITY lol%d "%s">' % (n, b"&lol%d;" % (n - 1) * 10) for n in range(1, 10)) + b"]>\n")
EXTERNAL = b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
PLAIN = b'<?xml version="1.0"?>\n<!-- a comment first -->\n<!DOCTYPE worksheet>\n'
PAYLOADS = {"billion laughs": (LAUGHS, b"&lol9;"), "external entity": (EXTERNAL, b"&secret;"),
            "a DOCTYPE alone": (PLAIN, b"Falls")}
PARTS = [SHEET, "xl/workbook.xml", "[Content_Types].xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml",
         "docProps/core.xml", "xl/theme/theme1.xml"]


def with_doctype(part: str, payload: str) -> bytes:
    declaration, entity = PAYLOADS[payload]
    xml = zipfile.ZipFile(io.BytesIO(TRACKER)).read(part)
    if xml.startswith(b"<?xml"):
        xml = xml.split(b"?>", 1)[1]
    return repacked(TRACKER, {part: declaration + xml.replace(b"<t>Falls</t>", b"<t>" + entity + b"</t>")})


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("part", PARTS)
def test_a_doctype_in_any_part_is_refused_before_it_is_parsed(part, payload):
    message, seconds, peak = measured(with_doctype(part, payload))
    assert message == f"tracker.xlsx {DOCTYPE}: open it in Excel and save it again."
    assert seconds < 2 and peak < 20


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_doctype_in_the_shared_strings_is_refused(payload):
    declaration, entity = PAYLOADS[payload]
    strings = declaration + (b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                             b"<si><t>" + entity + b"</t></si></sst>")
    message, _, _ = measured(with_shared_strings(TRACKER, strings))
    assert DOCTYPE in message


def test_shared_strings_without_a_doctype_are_read():
    strings = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>Falls</t></si></sst>'
    assert read_table(with_shared_strings(TRACKER, strings), "t.xlsx").rows == ((2, ("Falls", 12)),)


def test_a_doctype_is_a_message_and_exit_status_on_the_command_line(cli, tmp_path, site):
    path = tmp_path / "tracker.xlsx"
    path.write_bytes(with_doctype(SHEET, "billion laughs"))
    status, out, err = cli("import", "qi", "tracker", str(path))
    assert status == 1 and DOCTYPE in err and "Traceback" not in out + err
    assert site.store.count() == 0


# -- too much ---------------------------------------------------------------------------------------------------
def repeated(piece: bytes, times: int, head: bytes = b"", tail: bytes = b""):
    """A part writer: ``piece`` ``times`` over, between ``head`` and ``tail``, a few MB at a time."""
    def write(stream) -> None:
        stream.write(head)
        batch = max(1, 4 * MB // len(piece))
        for start in range(0, times, batch):
            stream.write(piece * min(batch, times - start))
        stream.write(tail)
    return write


SHEET_HEAD = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
CELL = b'<c r="A2"><v>1</v></c>'
WORDS = b'<c r="A2" t="inlineStr"><is><t xml:space="preserve">Falls audit, ward 7</t></is></c>'


def row(cells: bytes) -> bytes:
    return b'<row r="2">' + cells + b"</row>"


def sheet(rows: bytes, times: int, dimension: bytes = b""):
    return repeated(rows, times, SHEET_HEAD + dimension + b"<sheetData>", b"</sheetData></worksheet>")


@functools.cache
def bomb() -> bytes:
    """1.2 MB on disk: 240 MB of worksheet, 3.5 M cells."""
    return repacked(TRACKER, {SHEET: sheet(row(WORDS * 10), 350_000)})


def test_a_zip_bomb_is_refused_by_the_sizes_it_declares():
    assert len(bomb()) < 2 * MB
    message, seconds, peak = measured(bomb())
    assert message.startswith(f"tracker.xlsx {TOO_BIG} 128 MB of data once unpacked): split it into several")
    assert seconds < 2 and peak < 20


def test_millions_of_cells_without_a_dimension_are_refused_before_openpyxl_parses_them():
    many = repacked(TRACKER, {SHEET: sheet(row(CELL * 30), 40_000)})      # 1.2 M cells, 27 MB unpacked
    message, seconds, peak = measured(many)
    assert f"{TOO_BIG} 1,000,000 cells)" in message
    assert seconds < 3 and peak < 20


@pytest.mark.parametrize("dimension, limit", [(b"A1:J60000", "50,000 rows"), (b"A1:ZZ2000", "1,000,000 cells")])
def test_the_dimension_a_worksheet_declares_is_held_to_the_limits(dimension, limit):
    book = repacked(TRACKER, {SHEET: sheet(row(CELL * 10), 1, b'<dimension ref="%s"/>' % dimension)})
    message, seconds, _ = measured(book)
    assert f"{TOO_BIG} {limit})" in message and seconds < 2


def test_cells_are_counted_as_openpyxl_gives_them():
    """70 rows of one cell each, in the last column Excel has: openpyxl gives each row 16,384 cells."""
    far = b"".join(b'<row r="%d"><c r="XFD%d"><v>1</v></c></row>' % (n, n) for n in range(1, 71))
    message, seconds, peak = measured(repacked(TRACKER, {SHEET: SHEET_HEAD + b"<sheetData>" + far
                                                         + b"</sheetData></worksheet>"}))
    assert f"{TOO_BIG} 1,000,000 cells)" in message
    assert seconds < 3 and peak < 50


def test_rows_are_counted_as_openpyxl_gives_them(monkeypatch):
    """Rows written without attributes (<row>) are not counted in the bytes; openpyxl's rows are."""
    monkeypatch.setattr(readers, "MAX_ROWS", 1000)
    plain = repeated(b"<row><c><v>1</v></c></row>", 1001, SHEET_HEAD + b"<sheetData>", b"</sheetData></worksheet>")
    message, _, _ = measured(repacked(TRACKER, {SHEET: plain}))
    assert f"{TOO_BIG} 1,000 rows)" in message


@pytest.mark.parametrize("where", ["worksheet", "shared strings"])
def test_one_cell_of_100_mb_is_refused_before_it_is_built(where):
    if where == "worksheet":
        part = repeated(b"x" * 1024, 100 * 1024, SHEET_HEAD + b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>',
                        b"</t></is></c></row></sheetData></worksheet>")
        book = repacked(TRACKER, {SHEET: part})
    else:
        part = repeated(b"x" * 1024, 100 * 1024, b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                                                 b'2006/main"><si><t>', b"</t></si></sst>")
        book = with_shared_strings(TRACKER, part)
    assert len(book) < MB
    message, seconds, peak = measured(book)
    assert message == ("tracker.xlsx has a cell of more than 32,767 characters, more than Excel allows in one "
                       "cell: shorten it, or save the sheet as CSV.")
    assert seconds < 2 and peak < 20


def test_a_long_cell_that_excel_could_hold_is_read():
    text = "Background. " * 2700       # 32,400 characters
    assert read_table(workbook([["Aim"], [text]]), "t.xlsx").rows == ((2, (text,)),)


def test_thousands_of_parts_are_refused_unopened():
    many = repacked(TRACKER, {f"xl/media/image{n}.png": b"" for n in range(2001)})
    message, seconds, _ = measured(many)
    assert "holds more than 2,000 parts" in message and seconds < 3


def lying_about_its_size(data: bytes, part: str, size: int) -> bytes:
    """``data`` with ``part`` declaring ``size`` bytes unpacked, in its local header and the central directory."""
    out = bytearray(data)
    struct.pack_into("<I", out, zipfile.ZipFile(io.BytesIO(data)).getinfo(part).header_offset + 22, size)
    entry = out.find(b"PK\x01\x02")
    while out[entry + 46:entry + 46 + len(part)] != part.encode():
        entry = out.find(b"PK\x01\x02", entry + 1)
    struct.pack_into("<I", out, entry + 24, size)
    return bytes(out)


def test_a_part_that_inflates_past_what_it_declares_is_not_inflated_further():
    """It declares 1 KB and holds 20 MB: zipfile stops at the size declared, and the check of its contents
    then fails, so the file is refused as damaged having inflated 1 KB of it."""
    big = b"<worksheet>" + b"<row/>" * (20 * MB // 6) + b"</worksheet>"
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(TRACKER)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as made:
        for info in source.infolist():
            made.writestr(info.filename, big if info.filename == SHEET else source.read(info.filename))
    message, seconds, peak = measured(lying_about_its_size(out.getvalue(), SHEET, 1024))
    assert "tracker.xlsx is not an Excel workbook (.xlsx)" in message
    assert seconds < 2 and peak < 20


def test_a_workbook_that_takes_too_long_to_read_is_stopped_inside_openpyxl(monkeypatch):
    """A worksheet without a dimension, which openpyxl reads through once before giving a row: every read it
    makes of the file checks the clock."""
    monkeypatch.setattr(readers, "MAX_SECONDS", 0.3)
    rows = b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>Project %d</t></is></c><c r="B%d"><v>%d</v></c>'
                    b"</row>" % (n, n, n, n, n) for n in range(1, 40_001))
    slow = repacked(TRACKER, {SHEET: SHEET_HEAD + b"<sheetData>" + rows + b"</sheetData></worksheet>"})
    message, seconds, _ = measured(slow)
    assert message.startswith("tracker.xlsx took more than 0.3 seconds to read, more than one import can take: "
                              "split it into several files")
    assert seconds < 2


def test_a_realistic_tracker_is_read_within_the_limits():
    rows = [["Project title", "Division", "Start date", "Budget"]]
    rows += [[f"Falls audit {n}", "Surgery", "01/03/2025", n] for n in range(2000)]
    table = read_table(workbook(rows), "tracker.xlsx")
    assert len(table.rows) == 2000 and table.rows[-1] == (2001, ("Falls audit 1999", "Surgery", "01/03/2025", 1999))


# -- on the import page -----------------------------------------------------------------------------------------
@pytest.fixture
def client(tmp_path, site):
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
                      "SCHEMAS": str(tmp_path / "schemas"), "INSTANCES": str(tmp_path / "instances"),
                      "DATA": str(tmp_path / "data")})
    client = app.test_client()
    sign_in(client, app, username="ada", role="admin")
    yield client
    app.extensions["repo_engine"].close()


@pytest.mark.parametrize("book, message", [
    (lambda: with_doctype(SHEET, "billion laughs"), DOCTYPE),
    (lambda: with_doctype("xl/workbook.xml", "external entity"), DOCTYPE),
    (bomb, f"{TOO_BIG} 128 MB"),
], ids=["billion laughs", "external entity", "zip bomb"])
def test_the_import_page_shows_the_message_and_writes_nothing(client, site, book, message):
    started = time.perf_counter()
    sent = client.post("/qi/tracker/import", data={"file": (io.BytesIO(book()), "tracker.xlsx")},
                       content_type="multipart/form-data")
    assert sent.status_code == 400 and time.perf_counter() - started < 5
    assert message in BeautifulSoup(sent.data, "html.parser").select_one(".nhsuk-error-summary").get_text()
    assert site.store.count() == 0
