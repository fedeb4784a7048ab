"""Exports of a repository's records (a browse view's, filters and sort applied) as CSV, XLSX or JSON.

The export is the import template: the same headers (labels), the same cells, so a file exported from one
instance imports into another unchanged. Columns run Reference, the record's title, the other system columns,
then the fields, in CSV and XLSX alike. CSV is UTF-8 with a BOM (Excel otherwise guesses the encoding wrongly)
with UK dates. XLSX keeps dates as dates and numbers as numbers, and is laid out to be read: a frozen header row
with an AutoFilter, columns as wide as their first rows need, long text wrapped, a Link column to each record's
page when the site's address is known, and a second sheet, "About this export", saying what was exported, when
and by whom. An import reads the first sheet only and ignores the Link column. A file field's cell names its
files as ``<reference>/<file name>``, the paths ``export_files`` writes them under.
"""
from __future__ import annotations

import csv
import io
import json
import shutil
from dataclasses import dataclass
from functools import cache
from datetime import date, datetime
from itertools import chain, islice
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterable, Iterator
from urllib.parse import quote

from engine.exchange.columns import Column, Names, columns_of, header_key
from engine.fields.values import without_controls
from engine.schema.model import Instance, RepositoryType
from engine.store.base import Attachment, Query, Record, Store

FORMATS = {"csv": ("text/csv; charset=utf-8", ".csv"),
           "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
           "json": ("application/json", ".json")}
#: Widths come from the header and the first rows only, so a 10,000-row export reads its cells once.
SAMPLE_ROWS = 200
#: Column widths, in Excel's units (about a character each). Text past the widest, or on several lines, wraps.
MIN_WIDTH, MAX_WIDTH = 8, 60
#: Room beside a header for the AutoFilter's drop-down button.
FILTER_BUTTON = 3
#: Excel keeps at most this many hyperlinks in a worksheet; later Link cells hold the address as plain text.
MAX_HYPERLINKS = 65_530
#: The Link column's header: the first that is not a header of the type's own columns, which an import would
#: otherwise fill from it.
LINK_HEADERS = ("Link", "Link to the record", "Record page")
ABOUT_SHEET = "About this export"
IMPORT_NOTE = ("The first sheet imports back as it is (repo-engine import, or the import page): an import reads "
               "only that sheet and ignores the Link column. Created and Updated are UK time.")


@dataclass(frozen=True)
class About:
    """What an Excel export's "About this export" sheet says: the browse view exported (``describe`` words it
    for the number of records, as the browse page does), who exported it (their display name) and when.
    ``site`` is the site's address (``https://repository.example.nhs.uk/``) that the Link column points into;
    None leaves that column out."""
    instance: Instance
    describe: Callable[[int], str]
    by: str
    at: datetime
    site: str | None = None

    def records_address(self, rtype: RepositoryType) -> str:
        """Where the record pages of ``rtype`` are: a reference appended makes one's address."""
        return f"{self.site.rstrip('/')}/{quote(self.instance.name)}/{quote(rtype.name)}/"


class _Link(str):
    """A record's address that the worksheet writes as a hyperlink."""


def export_columns(rtype: RepositoryType, names: Names | None = None) -> tuple[Column, ...]:
    """``columns_of`` with the record's title next to its reference: the two a reader looks for first;
    ``names`` shows people by their display names (``engine.exchange.columns``)."""
    columns = columns_of(rtype, names)
    title = [column for column in columns if column.field is not None and column.name == rtype.record_title]
    rest = [column for column in columns if column not in title]
    return tuple(rest[:1] + title + rest[1:])


def file_names(rtype: RepositoryType, store: Store, record: Record) -> dict[str, list[str]]:
    """Per file field, the record's files as ``<reference>/<file name>``."""
    names: dict[str, list[str]] = {}
    for attachment in store.attachments(record.reference) if _has_files(rtype, record) else ():
        names.setdefault(attachment.field, []).append(file_path(attachment))
    return names


def _has_files(rtype: RepositoryType, record: Record) -> bool:
    return any(f.kind.holds_files and record.values.get(f.name) for f in rtype.fields)


def file_path(attachment: Attachment) -> str:
    return f"{attachment.reference}/{attachment.filename}"


def rows(rtype: RepositoryType, store: Store, records: Iterable[Record],
         names: Names | None = None) -> Iterator[list[Any]]:
    """The cells of each record, in ``export_columns(rtype, names)`` order."""
    columns = export_columns(rtype, names)
    for record in records:
        files = file_names(rtype, store, record)
        yield [column.cell(record, files.get(column.name, []) if column.holds_files else None)
               for column in columns]


def write_csv(rtype: RepositoryType, cells: Iterable[list[Any]], out: BinaryIO, names: Names | None = None) -> None:
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow([column.label for column in export_columns(rtype, names)])
    for row in cells:
        writer.writerow([_csv_text(cell) for cell in row])
    text.detach()


def _csv_text(cell: Any) -> Any:
    """Dates the UK way, as Excel in a UK locale reads them back; Yes/No and numbers as they are."""
    if isinstance(cell, datetime):
        return f"{cell:%d/%m/%Y %H:%M:%S}"
    if isinstance(cell, date):
        return f"{cell:%d/%m/%Y}"
    return "" if cell is None else cell


# -- Excel -----------------------------------------------------------------------------------------------------
def write_xlsx(rtype: RepositoryType, cells: Iterable[list[Any]], out: BinaryIO, about: About | None = None,
               filtered: bool = True, names: Names | None = None) -> None:
    """The records' sheet, then, given ``about``, the sheet that says what they are; ``filtered``: whether
    the view had filters or a search (the About sheet says when it had none)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_sheet_title(rtype))
    sheet.freeze_panes = "A2"
    columns = export_columns(rtype, names)
    headers = [column.label for column in columns]
    link = _link_header(columns) if about is not None and about.site else None
    if link:
        headers.append(link)
        cells = _with_links(cells, about.records_address(rtype))
    sample = list(islice(cells, SAMPLE_ROWS))
    wrapped = _fit_columns(sheet, columns, headers, sample)
    sheet.append([_styled(_text_cell(sheet, header), font=_bold()) for header in headers])
    total = 0
    for total, row in enumerate(chain(sample, cells), 1):
        sheet.append([_xlsx_cell(sheet, cell, wrap) for cell, wrap in zip(row, wrapped)])
    sheet.auto_filter.ref = f"A1:{_letters(len(headers))[-1]}{total + 1}"
    if about is not None:
        _about_sheet(book, rtype, about, total, filtered)
    book.save(out)


def _link_header(columns: tuple[Column, ...]) -> str | None:
    taken = {header_key(text) for column in columns for text in (column.name, column.label)}
    return next((header for header in LINK_HEADERS if header_key(header) not in taken), None)


def _with_links(cells: Iterable[list[Any]], address: str) -> Iterator[list[Any]]:
    """Each row with its record's address after it (the reference is the first cell)."""
    for number, row in enumerate(cells, 1):
        url = address + quote(str(row[0]))
        yield row + [_Link(url) if number <= MAX_HYPERLINKS else url]


def _fit_columns(sheet, columns: tuple[Column, ...], headers: list[str], sample: list[list[Any]]) -> list[bool]:
    """Size each column to its header and the sampled cells, within ``MIN_WIDTH`` and ``MAX_WIDTH``; and say
    which wrap: text that describes a record (an aim, a summary), or that the sample shows too wide or on
    several lines."""
    wrapped = []
    for index, (letter, header) in enumerate(zip(_letters(len(headers)), headers)):
        texts = [str(_csv_text(row[index])) for row in sample]
        longest = max((len(line) for text in texts for line in text.split("\n")), default=0)
        field = columns[index].field if index < len(columns) else None
        wrapped.append((field is not None and field.kind.describes) or longest > MAX_WIDTH
                       or any("\n" in text for text in texts))
        sheet.column_dimensions[letter].width = min(MAX_WIDTH, max(MIN_WIDTH, len(header) + FILTER_BUTTON,
                                                                   longest + 1))
    return wrapped


def _xlsx_cell(sheet, value: Any, wrap: bool = False) -> Any:
    if isinstance(value, _Link):
        cell = _text_cell(sheet, value)
        cell.hyperlink = str(value)
        return _styled(cell, style="Hyperlink")
    if isinstance(value, datetime):
        return _styled(_cell(sheet, value), number_format="dd/mm/yyyy hh:mm:ss")
    if isinstance(value, date):
        return _styled(_cell(sheet, value), number_format="dd/mm/yyyy")
    if isinstance(value, str):
        # Control characters, which openpyxl would stop the whole export on, are gone already (Column.cell).
        if wrap:
            return _styled(_text_cell(sheet, value), alignment=_wrapping())
        # Plain text goes as it is: a cell object per value would be most of a large export's time.
        return _text_cell(sheet, value) if _not_plain_text(value) else value
    return value


def _not_plain_text(value: str) -> bool:
    """Might openpyxl take this text for a formula or an error value ("#N/A")? The formula guard has put an
    apostrophe before a field's formula already; this holds for every other cell too."""
    return value[:1] in ("=", "#")


def _cell(sheet, value: Any):
    from openpyxl.cell import WriteOnlyCell
    return WriteOnlyCell(sheet, value=value)


def _text_cell(sheet, value: str):
    cell = _cell(sheet, value)
    cell.data_type = "s"    # never let openpyxl take text for a formula or an error value
    return cell


def _styled(cell, **style):
    for name, value in style.items():
        setattr(cell, name, value)
    return cell


@cache
def _bold():
    from openpyxl.styles import Font
    return Font(bold=True)


@cache
def _wrapping():
    from openpyxl.styles import Alignment
    return Alignment(wrap_text=True, vertical="top")


def _about_sheet(book, rtype: RepositoryType, about: About, total: int, filtered: bool) -> None:
    from engine.web.columns import when
    sheet = book.create_sheet(ABOUT_SHEET)
    sheet.column_dimensions["A"].width = 20
    sheet.column_dimensions["B"].width = 90
    what = about.describe(total) + ("" if filtered else ", with no filters or search")
    lines = [("Exported", what), ("Instance", about.instance.title), ("Repository", rtype.title_plural),
             ("Records", total), ("Exported on", f"{when(about.at)} (UK time)"), ("Exported by", about.by),
             ("Note", IMPORT_NOTE)]
    sheet.append([_styled(_text_cell(sheet, ABOUT_SHEET), font=_bold())])
    for label, value in lines:
        sheet.append([_styled(_text_cell(sheet, label), font=_bold(), alignment=_wrapping()),
                      _xlsx_cell(sheet, without_controls(value), wrap=True)])


def _sheet_title(rtype: RepositoryType) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\."""
    return "".join(c for c in rtype.title_plural if c not in "[]:*?/\\")[:31] or "Records"


def _letters(count: int) -> list[str]:
    from openpyxl.utils import get_column_letter
    return [get_column_letter(n) for n in range(1, count + 1)]


# -- JSON and files --------------------------------------------------------------------------------------------
def write_json(rtype: RepositoryType, store: Store, records: Iterable[Record], out: BinaryIO) -> None:
    """Stored values by field name (file fields name their files), with the system fields, one record per
    line inside a list so a large export streams. Control characters are dropped, as from every cell."""
    out.write(b'{"repository": ' + json.dumps(rtype.name).encode() + b', "records": [\n')
    for number, record in enumerate(records):
        doc = without_controls({
            "reference": record.reference, "status": record.status, "created": record.created.isoformat(),
            "created_by": record.created_by, "updated": record.updated.isoformat(),
            "updated_by": record.updated_by, **record.values, **file_names(rtype, store, record)})
        out.write((b",\n" if number else b"") + json.dumps(doc, ensure_ascii=False).encode("utf-8"))
    out.write(b"\n]}\n")


def export(rtype: RepositoryType, store: Store, query: Query, fmt: str, out: BinaryIO,
           about: About | None = None, names: Names | None = None) -> None:
    """Write every record matching ``query`` to ``out`` in ``fmt`` (a key of ``FORMATS``); ``about`` (who
    exported, when, the site's address) is for an Excel export's About sheet and Link column; ``names``
    (``display_names``) shows the people in CSV and Excel as the pages show them, beside their usernames."""
    records = store.iter_all(query)
    if fmt == "json":
        write_json(rtype, store, records, out)
    elif fmt == "csv":
        write_csv(rtype, rows(rtype, store, records, names), out, names)
    else:
        write_xlsx(rtype, rows(rtype, store, records, names), out, about,
                   filtered=bool(query.q or query.filters or query.state), names=names)


def export_files(rtype: RepositoryType, store: Store, query: Query, folder: Path) -> int:
    """Copy the files of every matching record to ``folder/<reference>/<file name>``; the number copied."""
    copied = 0
    for record in store.iter_all(query):
        if not _has_files(rtype, record):
            continue
        for attachment in store.attachments(record.reference):
            target = folder / file_path(attachment)
            target.parent.mkdir(parents=True, exist_ok=True)
            _, stream = store.open_attachment(record.reference, attachment.id)
            with stream, open(target, "wb") as copy:
                shutil.copyfileobj(stream, copy)
            copied += 1
    return copied
