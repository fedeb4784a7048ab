"""Text extraction: the plain text of a stored attachment (PDF, Word, PowerPoint, Excel, text, CSV) for search.

``extract_text`` never raises and never does unbounded work: uploads are untrusted, so a damaged or hostile
file gives None and one warning. Each format is a small generator in ``READERS`` yielding pieces of text
(paragraphs, cells, pages), so reading stops, and the file is closed, once ``MAX_CHARS`` are kept. The document
libraries are imported in the readers: a process that never extracts does not pay half a second to load them.
"""
from __future__ import annotations

import codecs
import logging
import re
import zipfile
from contextlib import closing
from pathlib import Path
from typing import Callable, Iterable, Iterator

log = logging.getLogger("engine.search")

MAX_CHARS = 200_000
MAX_PDF_PAGES = 300
MAX_CELLS = 20_000
#: Office files are zip packages; a few MB of zip can declare gigabytes of XML. Python's zipfile never
#: inflates a member past its declared size, so refusing large declared totals bounds memory.
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024
#: UTF-8 needs at most 4 bytes a character: reading more than this could never be kept.
MAX_TEXT_BYTES = MAX_CHARS * 4

#: Control characters except tab (newlines are split off first), and lone surrogates, which a PDF's broken
#: font map can produce and which cannot be written as UTF-8.
UNWANTED = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff]")


def extract_text(path: Path, extension: str) -> str | None:
    """The cleaned text of the file at ``path`` read as ``extension`` (".pdf"...); None when the kind has no
    reader (images, old binary .doc/.xls/.ppt) or the file cannot be read."""
    reader = READERS.get(extension.lower())
    if reader is None:
        return None
    try:
        with closing(reader(Path(path))) as pieces:      # closed at once, not when garbage-collected
            return _collect(pieces)
    except Exception as error:      # any library, any file: a bad upload must never break its caller
        reason = " ".join(f"{type(error).__name__}: {error}".split())[:300]
        log.warning("No text extracted from %s: %s", path, reason)
        return None


def _collect(pieces: Iterable[str]) -> str:
    """Clean pieces into lines until MAX_CHARS are kept."""
    lines: list[str] = []
    kept = 0
    for piece in pieces:
        for line in _clean_lines(piece):
            lines.append(line)
            kept += len(line) + 1
        if kept >= MAX_CHARS:
            break
    return "\n".join(lines)[:MAX_CHARS]


def _clean_lines(piece: str) -> Iterator[str]:
    """Each non-blank line of ``piece`` with its runs of whitespace made one space (paragraph breaks kept)."""
    for line in piece.splitlines():
        line = " ".join(UNWANTED.sub("", line).split())
        if line:
            yield line


# -- one reader per format ------------------------------------------------------------------------------------
def _plain(path: Path) -> Iterator[str]:
    """UTF-8 (a BOM dropped), else Windows-1252, what Excel and Notepad on a trust PC save."""
    with open(path, "rb") as stream:
        data = stream.read(MAX_TEXT_BYTES)
    try:
        # Incremental, so a character cut in half by the read limit is not taken for a wrong encoding.
        yield codecs.getincrementaldecoder("utf-8-sig")().decode(data, final=False)
    except UnicodeDecodeError:
        yield data.decode("cp1252", errors="replace")


def _pdf(path: Path) -> Iterator[str]:
    from pypdf import PdfReader
    reader = PdfReader(path)
    for number in range(min(len(reader.pages), MAX_PDF_PAGES)):
        yield reader.pages[number].extract_text() or ""


def _docx(path: Path) -> Iterator[str]:
    import docx
    from docx.table import Table
    _check_package(path)
    for block in docx.Document(str(path)).iter_inner_content():       # paragraphs and tables in order
        yield from _table_cells(block) if isinstance(block, Table) else [block.text]


def _table_cells(table) -> Iterator[str]:
    """Each cell once: python-docx and python-pptx repeat a merged cell in every row and column it spans.
    The set holds the XML elements themselves: lxml may give a freed element's id() to another."""
    seen: set = set()
    for row in table.rows:
        for cell in row.cells:
            if cell._tc not in seen:
                seen.add(cell._tc)
                yield cell.text


def _pptx(path: Path) -> Iterator[str]:
    from pptx import Presentation
    _check_package(path)
    for slide in Presentation(str(path)).slides:
        yield from _shape_texts(slide.shapes)
        notes = slide.notes_slide.notes_text_frame if slide.has_notes_slide else None
        if notes is not None:
            yield notes.text


def _shape_texts(shapes) -> Iterator[str]:
    """Text boxes, placeholders and tables, inside groups too."""
    for shape in shapes:
        if shape.has_text_frame:
            yield shape.text_frame.text
        elif shape.has_table:
            yield from _table_cells(shape.table)
        elif hasattr(shape, "shapes"):
            yield from _shape_texts(shape.shapes)


def _xlsx(path: Path) -> Iterator[str]:
    from openpyxl import load_workbook
    _check_package(path)
    # A stream, because openpyxl refuses a path without an .xlsx ending (stored files have none); read_only
    # streams the sheets instead of building them; data_only gives a formula's cached value.
    with open(path, "rb") as stream:
        workbook = load_workbook(stream, read_only=True, data_only=True)
        try:
            yield from _rows(workbook, MAX_CELLS)
        finally:
            workbook.close()


def _rows(workbook, budget: int) -> Iterator[str]:
    for sheet in workbook.worksheets:
        # A sheet's declared size can be made up; without it openpyxl pads no row with empty cells.
        sheet.reset_dimensions()
        for row in sheet.iter_rows(values_only=True):
            yield " ".join(str(value) for value in row[:budget] if value is not None)
            budget -= len(row)
            if budget <= 0:
                return


def _check_package(path: Path) -> None:
    """Refuse a zip package that would inflate past MAX_UNZIPPED_BYTES (a zip bomb) before a library opens it."""
    with zipfile.ZipFile(path) as package:
        declared = sum(member.file_size for member in package.infolist())
    if declared > MAX_UNZIPPED_BYTES:
        raise ValueError(f"the package would unpack to {declared} bytes")


READERS: dict[str, Callable[[Path], Iterator[str]]] = {
    ".pdf": _pdf,
    ".docx": _docx,
    ".pptx": _pptx,
    ".xlsx": _xlsx,
    ".txt": _plain,
    ".csv": _plain,
}
