"""Reading a CSV or XLSX file into a header and numbered rows, or one clear message about the file.

CSV files come from Excel (UTF-8 with a BOM, or Windows-1252), from SharePoint, or by hand, separated by
commas or semicolons; XLSX files are read from their first worksheet with cell types kept (a date cell
arrives as a date). Rows are numbered as the spreadsheet numbers them (the header is row 1), blank rows are
counted and left out, so every problem can name the row a person sees in Excel.
"""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.errors import EngineError
from engine.exchange.jsonfile import NotRecords, json_grid

SNIFF_CHARS = 64 * 1024     # how much is looked at for signs of a binary file
#: The most a workbook may hold, unpacked and in cells: a 100 KB .xlsx can unpack to hundreds of MB of
#: worksheet (a "zip bomb") and tie a web worker up for minutes. 50,000 rows of 20 columns still fit.
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
MAX_CELLS = 1_000_000


class UnreadableFile(EngineError):
    """The file cannot be read as a spreadsheet at all; the message says why, in the user's terms."""


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[int, tuple[Any, ...]], ...]   # (spreadsheet row number, cells)
    blank_rows: int = 0
    name: str = field(default="")


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
    numbered = [(number, row) for number, row in enumerate(grid, start=1)]
    filled = [(number, row) for number, row in numbered if not _blank(row)]
    if not filled:
        raise UnreadableFile(f"{filename} has no rows.")
    (header_row, header), data = filled[0], filled[1:]
    headers = tuple("" if cell is None else str(cell).strip() for cell in header)
    width = len(headers)
    rows = tuple((number, tuple(row[:width]) + (None,) * (width - len(row))) for number, row in data)
    return Table(headers, rows, blank_rows=len(numbered) - header_row - len(data), name=filename)


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
    cells such as "Safe; Caring" would make semicolons look like the separator of a comma file."""
    first = next(iter(text.lstrip("\r\n").splitlines()), "")
    widths = {delimiter: len(next(csv.reader([first], delimiter=delimiter), []))
              for delimiter in (",", ";", "\t")}
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
    from openpyxl import load_workbook     # only imports of workbooks pay for loading openpyxl
    try:
        _check_unpacked_size(data, filename)
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise UnreadableFile(f"{filename} is not an Excel workbook (.xlsx): open it in Excel and save it "
                             f"again as .xlsx or CSV.") from None
    try:
        grid, cells = [], 0
        for row in book.worksheets[0].iter_rows(values_only=True):
            cells += len(row)
            if cells > MAX_CELLS:
                raise UnreadableFile(_too_big(filename))
            grid.append(list(row))
        return grid
    except (zipfile.BadZipFile, KeyError, ValueError, IndexError):
        raise UnreadableFile(f"{filename} has a damaged worksheet: save it again from Excel.") from None
    finally:
        book.close()


def _check_unpacked_size(data: bytes, filename: str) -> None:
    """Refuse a workbook whose parts unpack to more than ``MAX_UNPACKED_BYTES`` (zipfile never reads past the
    size a part declares, so the declared sizes are the ones to add up)."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        if sum(part.file_size for part in package.infolist()) > MAX_UNPACKED_BYTES:
            raise UnreadableFile(_too_big(filename))


def _too_big(filename: str) -> str:
    return (f"{filename} is more than one import can take (up to {MAX_CELLS:,} cells): split it into "
            "several files of fewer rows and import them one after another.")
