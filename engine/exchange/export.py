"""Exports of a repository's records (a browse view's, filters and sort applied) as CSV, XLSX or JSON.

The export is the import template: the same headers (labels), the same cells, so a file exported from one
instance imports into another unchanged. CSV is UTF-8 with a BOM (Excel otherwise guesses the encoding
wrongly) with UK dates; XLSX keeps dates as dates and numbers as numbers under a frozen header row. A file
field's cell names its files as ``<reference>/<file name>``, the paths ``export_files`` writes them under.
"""
from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Iterator

from engine.exchange.columns import columns_of
from engine.fields.values import without_controls
from engine.schema.model import RepositoryType
from engine.store.base import Attachment, Query, Record, Store

FORMATS = {"csv": ("text/csv; charset=utf-8", ".csv"),
           "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
           "json": ("application/json", ".json")}


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


def rows(rtype: RepositoryType, store: Store, records: Iterable[Record]) -> Iterator[list[Any]]:
    """The cells of each record, in ``columns_of(rtype)`` order."""
    columns = columns_of(rtype)
    for record in records:
        files = file_names(rtype, store, record)
        yield [column.cell(record, files.get(column.name, []) if column.holds_files else None)
               for column in columns]


def write_csv(rtype: RepositoryType, cells: Iterable[list[Any]], out: BinaryIO) -> None:
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow([column.label for column in columns_of(rtype)])
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


def write_xlsx(rtype: RepositoryType, cells: Iterable[list[Any]], out: BinaryIO) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_sheet_title(rtype))
    sheet.freeze_panes = "A2"
    columns = columns_of(rtype)
    for letter, column in zip(_letters(len(columns)), columns):
        sheet.column_dimensions[letter].width = min(60, max(12, len(column.label) + 4))
    bold = Font(bold=True)
    sheet.append([_styled(WriteOnlyCell(sheet, value=c.label), font=bold) for c in columns])
    for row in cells:
        sheet.append([_xlsx_cell(sheet, cell) for cell in row])
    book.save(out)


def _xlsx_cell(sheet, value: Any) -> Any:
    from openpyxl.cell import WriteOnlyCell
    if isinstance(value, datetime):
        return _styled(WriteOnlyCell(sheet, value=value), number_format="dd/mm/yyyy hh:mm:ss")
    if isinstance(value, date):
        return _styled(WriteOnlyCell(sheet, value=value), number_format="dd/mm/yyyy")
    if isinstance(value, str):
        # Control characters, which openpyxl would stop the whole export on, are gone already (Column.cell).
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"    # guarded already; never let openpyxl take text for a formula
        return cell
    return value


def _styled(cell, **style):
    for name, value in style.items():
        setattr(cell, name, value)
    return cell


def _sheet_title(rtype: RepositoryType) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\."""
    return "".join(c for c in rtype.title_plural if c not in "[]:*?/\\")[:31] or "Records"


def _letters(count: int) -> list[str]:
    from openpyxl.utils import get_column_letter
    return [get_column_letter(n) for n in range(1, count + 1)]


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


def export(rtype: RepositoryType, store: Store, query: Query, fmt: str, out: BinaryIO) -> None:
    """Write every record matching ``query`` to ``out`` in ``fmt`` (a key of ``FORMATS``)."""
    records = store.iter_all(query)
    if fmt == "json":
        write_json(rtype, store, records, out)
    else:
        (write_csv if fmt == "csv" else write_xlsx)(rtype, rows(rtype, store, records), out)


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
