"""Reading a CSV or XLSX file into a header and numbered rows, or one clear message about the file.

CSV files come from Excel (UTF-8 with a BOM, or Windows-1252), from SharePoint, or by hand, separated by
commas or semicolons; XLSX files are read from their first worksheet with cell types kept (a date cell
arrives as a date), by ``engine.exchange.workbook``, within the limits below. Rows are numbered as the
spreadsheet numbers them, blank rows are counted and left out, so every problem can name the row a person
sees in Excel. The header is the first non-blank row, until ``Table.headed_by`` finds it below a title: a
hand-kept tracker often has a title, a date or a note above its headers.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, Callable, Sequence

from engine.errors import EngineError
from engine.exchange.jsonfile import NotRecords, json_grid

SNIFF_CHARS = 64 * 1024     # how much is looked at for signs of a binary file
DELIMITERS = (",", ";", "\t")
#: The most one import takes of a workbook. A 100 KB .xlsx can unpack to hundreds of MB of worksheet (a "zip
#: bomb") and tie a web worker up for minutes; 50,000 rows of 20 columns still fit. On the busy 2-core
#: development machine 50,000 rows of 16 columns read in 18 s as Excel saves them, 45 s as openpyxl writes
#: them (each cell holding its own text), so the time allowed stops only what the other limits let through.
MAX_UNPACKED_BYTES = 128 * 1024 * 1024
MAX_ROWS = 50_000
MAX_CELLS = 1_000_000
MAX_SECONDS = 60
#: How far down a header is looked for, and how many of a repository's columns it must name to be one.
HEADER_SEARCH_ROWS = 20
HEADER_NAMES = 2


class UnreadableFile(EngineError):
    """The file cannot be read as a spreadsheet at all; the message says why, in the user's terms."""


@dataclass(frozen=True)
class Table:
    """A file's headers and its numbered rows after them, each as wide as the headers. ``header_row`` is
    the row the headers were read from; ``filled`` keeps every non-blank row as read and ``lines`` the rows
    of the file, blank ones too, so that the header can be taken from a lower row."""
    headers: tuple[str, ...]
    rows: tuple[tuple[int, tuple[Any, ...]], ...]   # (spreadsheet row number, cells)
    blank_rows: int = 0
    name: str = field(default="")
    header_row: int = 1
    filled: tuple[tuple[int, Sequence[Any]], ...] = field(default=(), repr=False, compare=False)
    lines: int = 0

    def headed_by(self, names: Callable[[tuple[str, ...]], int]) -> Table:
        """The table with its headers from the first of the top ``HEADER_SEARCH_ROWS`` rows that names at
        least ``HEADER_NAMES`` of a repository's columns (``names`` counts them, as the import matches
        headers); this one when the first non-blank row does, or none does."""
        for at, (number, cells) in enumerate(self.filled):
            if number > HEADER_SEARCH_ROWS:
                break
            if names(_headers(cells)) >= HEADER_NAMES:
                return self if number == self.header_row else _headed(self.filled, at, self.lines, self.name)
        return self


def read_table(data: bytes, filename: str) -> Table:
    """The table in a file's bytes; ``filename`` decides the format (.csv, .xlsx or a JSON export)."""
    suffix = Path(filename).suffix.lower()
    if not data.strip():
        raise UnreadableFile(f"{filename} is empty.")
    if suffix == ".xlsx":
        grid = _xlsx_grid(data, filename)
    elif suffix in (".csv", ".txt"):
        grid = _csv_grid(data, filename)
    elif suffix == ".json":
        grid = _json_grid(data, filename)
    elif suffix == ".xls":
        raise UnreadableFile(f"{filename} is an old Excel (.xls) file: save it as .xlsx or CSV and try again.")
    else:
        raise UnreadableFile(f"{filename} is not a CSV, Excel (.xlsx) or JSON file.")
    return _table(grid, filename)


def _table(grid: list[list[Any]], filename: str) -> Table:
    filled = tuple((number, row) for number, row in enumerate(grid, start=1) if not _blank(row))
    if not filled:
        raise UnreadableFile(f"{filename} has no rows.")
    return _headed(filled, 0, len(grid), filename)


def _headed(filled: tuple[tuple[int, Sequence[Any]], ...], at: int, lines: int, filename: str) -> Table:
    """The table whose headers are the ``at``-th non-blank row; the rows above it are left out."""
    header_row, header = filled[at]
    headers = _headers(header)
    width = len(headers)
    data = filled[at + 1:]
    rows = tuple((number, tuple(row[:width]) + (None,) * (width - len(row))) for number, row in data)
    return Table(headers, rows, blank_rows=lines - header_row - len(data), name=filename,
                 header_row=header_row, filled=filled, lines=lines)


def _headers(row: Sequence[Any]) -> tuple[str, ...]:
    return tuple("" if cell is None else str(cell).strip() for cell in row)


def _blank(row: list[Any]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in row)


def _csv_grid(data: bytes, filename: str) -> list[list[Any]]:
    text = _decode(data, filename)
    try:
        return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))]
    except csv.Error as error:
        raise UnreadableFile(f"{filename} is not a readable CSV file: {error}.") from None


def _delimiter(text: str) -> str:
    """Commas (Excel in the UK), semicolons (Excel where the decimal mark is a comma) or tabs: whichever
    splits the header row into the most columns. The header decides, not the whole file (``csv.Sniffer``):
    cells such as "Safe; Caring" would make semicolons look like the separator of a comma file. A title
    above the header that holds none of the three is passed over (Excel pads a title row with separators)."""
    top = islice(io.StringIO(text, newline=None), HEADER_SEARCH_ROWS)
    first = next((line for line in top if any(delimiter in line for delimiter in DELIMITERS)), "")
    widths = {delimiter: len(next(csv.reader([first], delimiter=delimiter), []))
              for delimiter in DELIMITERS}
    return max(widths, key=lambda delimiter: widths[delimiter])      # ties: the first, a comma


def _json_grid(data: bytes, filename: str) -> list[list[Any]]:
    try:
        return json_grid(data)
    except NotRecords as error:
        raise UnreadableFile(f"{filename} does not hold records: it should be {error}.") from None
    except ValueError as error:     # not UTF-8, or not JSON (json.JSONDecodeError names the line)
        raise UnreadableFile(f"{filename} is not a readable JSON file: {error}.") from None


def _decode(data: bytes, filename: str) -> str:
    """UTF-8 (with or without Excel's BOM), else Windows-1252, which Excel uses for 'CSV' on Windows."""
    if b"\x00" in data[:SNIFF_CHARS]:
        raise UnreadableFile(f"{filename} is not a text (CSV) file: save the spreadsheet as CSV or .xlsx.")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile(f"{filename} is not a text (CSV) file: save the spreadsheet as CSV UTF-8 or .xlsx.")


def _xlsx_grid(data: bytes, filename: str) -> list[list[Any]]:
    # Only imports of workbooks pay for loading openpyxl; the limits are read when used (tests lower them).
    from engine.exchange.workbook import Limits, first_sheet
    return first_sheet(data, filename, Limits(MAX_UNPACKED_BYTES, MAX_ROWS, MAX_CELLS, MAX_SECONDS))
