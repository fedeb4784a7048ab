"""Text extraction from attached files: real small files of each kind, damaged ones, and the limits."""
from __future__ import annotations

import io
import logging
import zipfile

import docx
import pytest
from openpyxl import Workbook
from pptx import Presentation
from pptx.util import Inches
from pypdf import PdfReader

from engine.search import extract
from engine.search.extract import MAX_CHARS, extract_text


def pdf_bytes(*pages: str) -> bytes:
    """A minimal valid PDF, one line of Helvetica text per page, with a correct cross-reference table."""
    count = len(pages)
    kids = " ".join(f"{4 + 2 * n} 0 R" for n in range(count))
    bodies = [b"<< /Type /Catalog /Pages 2 0 R >>",
              f"<< /Type /Pages /Kids [{kids}] /Count {count} >>".encode(),
              b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    for n, text in enumerate(pages):
        stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
        bodies.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                      f"/Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * n} 0 R >>".encode())
        bodies.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(bodies) + 1, xref)
    return bytes(out)


def docx_file(path):
    document = docx.Document()
    document.add_paragraph("Sepsis screening   audit")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Ward", "Compliance"
    table.cell(1, 0).merge(table.cell(1, 1)).text = "Merged cell"
    document.add_paragraph("Closing remarks")
    document.save(path)


def pptx_file(path):
    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[5])      # title only
    slide.shapes.title.text = "Falls prevention"
    slide.shapes.add_textbox(Inches(1), Inches(2), Inches(4), Inches(1)).text_frame.text = "Bed rails checked"
    slide.notes_slide.notes_text_frame.text = "Speaker notes on hip fractures"
    deck.save(path)


def xlsx_file(path, rows):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    workbook.save(path)


def warnings_from(caplog):
    return [r for r in caplog.records if r.name == "engine.search" and r.levelno == logging.WARNING]


def test_the_pdf_helper_makes_a_file_pypdf_reads(tmp_path):
    assert PdfReader(io.BytesIO(pdf_bytes("Hello ward"))).pages[0].extract_text().strip() == "Hello ward"


def test_pdf_text_comes_out_page_by_page(tmp_path):
    path = tmp_path / "report"
    path.write_bytes(pdf_bytes("Antibiotics within one hour", "Second page results"))
    assert extract_text(path, ".pdf") == "Antibiotics within one hour\nSecond page results"


def test_word_paragraphs_and_table_cells_come_out_in_order_once_each(tmp_path):
    path = tmp_path / "doc"
    docx_file(path)
    assert extract_text(path, ".DOCX") == ("Sepsis screening audit\nWard\nCompliance\nMerged cell\n"
                                           "Closing remarks")


def test_powerpoint_text_frames_and_notes_come_out(tmp_path):
    path = tmp_path / "deck"
    pptx_file(path)
    text = extract_text(path, ".pptx")
    assert text.splitlines() == ["Falls prevention", "Bed rails checked", "Speaker notes on hip fractures"]


def test_excel_cells_come_out_row_by_row(tmp_path):
    path = tmp_path / "sheet"
    xlsx_file(path, [["Ward", "Falls"], ["Oak", 12], [None, "=1+1"]])
    assert extract_text(path, ".xlsx").splitlines() == ["Ward Falls", "Oak 12"]     # no cached formula value


def test_excel_reading_stops_after_the_cell_budget(tmp_path, monkeypatch):
    monkeypatch.setattr(extract, "MAX_CELLS", 5)
    path = tmp_path / "sheet"
    xlsx_file(path, [[f"r{row}c{col}" for col in range(3)] for row in range(4)])
    assert extract_text(path, ".xlsx").splitlines() == ["r0c0 r0c1 r0c2", "r1c0 r1c1"]


def test_pdf_reading_stops_after_the_page_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(extract, "MAX_PDF_PAGES", 2)
    path = tmp_path / "report"
    path.write_bytes(pdf_bytes("one", "two", "three"))
    assert extract_text(path, ".pdf") == "one\ntwo"


@pytest.mark.parametrize("extension, data, text", [
    (".txt", "\ufeffNotes on the audit\n".encode("utf-8"), "Notes on the audit"),
    (".csv", "Ward,Score\r\nOak,9\r\n".encode("utf-8"), "Ward,Score\nOak,9"),
    (".txt", "Café – naïve £5".encode("cp1252"), "Café – naïve £5"),
    (".txt", "Pâté in UTF-8".encode("utf-8"), "Pâté in UTF-8"),
    (".txt", b"Sepsis\x00 audit\x07\x1b\tbundle\r\n\r\n\r\n  Next\x0bline\x7f", "Sepsis audit bundle\nNext\nline"),
])
def test_plain_text_is_decoded_and_cleaned(tmp_path, extension, data, text):
    path = tmp_path / "file"
    path.write_bytes(data)
    assert extract_text(path, extension) == text


def test_the_kept_text_is_capped(tmp_path):
    path = tmp_path / "big"
    path.write_text("word " * MAX_CHARS, encoding="utf-8")
    text = extract_text(path, ".txt")
    assert len(text) == MAX_CHARS and text.startswith("word word")


def test_a_character_cut_by_the_read_limit_does_not_switch_the_encoding(tmp_path, monkeypatch):
    monkeypatch.setattr(extract, "MAX_TEXT_BYTES", 4)
    path = tmp_path / "file"
    path.write_bytes("abcé".encode("utf-8"))        # the read stops inside the two bytes of é
    assert extract_text(path, ".txt") == "abc"


@pytest.mark.parametrize("extension", [".doc", ".xls", ".ppt", ".png", ".jpg", ".exe", ""])
def test_kinds_without_a_reader_give_none_quietly(tmp_path, caplog, extension):
    path = tmp_path / "file"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 Old word text")
    assert extract_text(path, extension) is None and warnings_from(caplog) == []


def truncated_docx(tmp_path):
    docx_file(tmp_path / "whole")
    return (tmp_path / "whole").read_bytes()[:600]


@pytest.mark.parametrize("extension, make", [
    (".docx", truncated_docx),
    (".pdf", lambda tmp_path: b"%PDF-1.4\n" + bytes(range(256)) * 8),
    (".pptx", lambda tmp_path: b"PK\x03\x04 not a zip at all"),
    (".xlsx", lambda tmp_path: b""),
    (".docx", lambda tmp_path: _zip({"[Content_Types].xml": "<Types/>", "word/document.xml": "<document/>"})),
])
def test_a_damaged_file_gives_none_and_one_warning_naming_it(tmp_path, caplog, extension, make):
    path = tmp_path / "0123abcd"
    path.write_bytes(make(tmp_path))
    assert extract_text(path, extension) is None
    [warning] = warnings_from(caplog)
    assert "0123abcd" in warning.getMessage() and "\n" not in warning.getMessage()


def test_a_missing_file_gives_none(tmp_path, caplog):
    assert extract_text(tmp_path / "gone", ".txt") is None
    assert "FileNotFoundError" in warnings_from(caplog)[0].getMessage()


def test_a_package_that_would_unpack_too_large_is_not_opened(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(extract, "MAX_UNZIPPED_BYTES", 1000)
    path = tmp_path / "doc"
    docx_file(path)
    assert extract_text(path, ".docx") is None
    assert "would unpack" in warnings_from(caplog)[0].getMessage()


def _zip(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name, content in members.items():
            package.writestr(name, content)
    return buffer.getvalue()
