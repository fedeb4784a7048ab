"""The import plan: a file's columns matched to the repository's, every row converted and checked, and the
report of what would be created and every problem with its row and column. Planning writes nothing; a dry
run is just a plan that is shown and not carried out.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable

from engine.exchange.columns import Column, columns_of, header_key
from engine.exchange.readers import Table
from engine.fields.base import CellError
from engine.records import Validator
from engine.schema.model import RepositoryType
from engine.store.base import Store


@dataclass(frozen=True)
class Problem:
    row: int            # spreadsheet row number; 1 is the header, so file-wide problems use it
    column: str         # the header as written in the file, or the field's label when it has no column
    message: str


@dataclass
class PlannedRow:
    row: int
    values: dict[str, Any] = field(default_factory=dict)
    status: str | None = None
    created: datetime | None = None
    created_by: str | None = None
    reference: str | None = None
    files: dict[str, list[Path]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unreadable: set[str] = field(default_factory=set)     # columns whose cell could not be read

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class ImportPlan:
    rtype: RepositoryType
    filename: str
    matched: list[tuple[str, Column]]       # (header in the file, column it fills)
    ignored: list[tuple[str, str]]          # (header, why it fills nothing)
    missing: list[str]                      # labels of required fields the file has no column for
    rows: list[PlannedRow]
    blank_rows: int = 0

    @property
    def good(self) -> list[PlannedRow]:
        return [row for row in self.rows if row.ok]

    @property
    def problems(self) -> list[Problem]:
        found = [Problem(1, label, f"The file has no {label} column, and {label} is required")
                 for label in self.missing]
        return found + [problem for row in self.rows for problem in row.problems]

    @property
    def ok(self) -> bool:
        return not self.problems


def match_columns(rtype: RepositoryType, headers: Iterable[str]
                  ) -> tuple[list[tuple[int, str, Column]], list[tuple[str, str]], list[str]]:
    """Each header to the column whose label or name it is; the headers left over, each with why; required
    fields that no header fills. A second header for the same column is left over too (the first wins)."""
    by_key: dict[str, Column] = {}
    for column in columns_of(rtype):
        by_key.setdefault(header_key(column.name), column)
        by_key[header_key(column.label)] = column
    matched, ignored, taken = [], [], set()
    for index, header in enumerate(headers):
        column = by_key.get(header_key(header))
        if column is None or not column.imported or column.name in taken:
            if header.strip():
                ignored.append((header, _why_ignored(rtype, column, taken)))
            continue
        taken.add(column.name)
        matched.append((index, header, column))
    missing = [f.label for f in rtype.fields if f.required and f.name not in taken]
    return matched, ignored, missing


def _why_ignored(rtype: RepositoryType, column: Column | None, taken: set[str]) -> str:
    if column is None:
        return f"not a field of {rtype.name}"
    if not column.imported:
        return "set by the engine when the import is written"
    return f"a second {column.label} column; the first one is read"


def plan_import(rtype: RepositoryType, store: Store, validator: Validator, table: Table,
                attachments: Path | None = None, progress: Callable[[int], None] | None = None) -> ImportPlan:
    """Read, convert and check every row of ``table``; nothing is written."""
    matched, ignored, missing = match_columns(rtype, table.headers)
    plan = ImportPlan(rtype, table.name, [(h, c) for _, h, c in matched], ignored, missing, [],
                      table.blank_rows)
    seen: set[str] = set()
    for number, cells in table.rows:
        row = PlannedRow(number)
        for index, header, column in matched:
            _read_cell(row, header, column, cells[index], rtype, attachments)
        _check(row, rtype, validator, {c.name: h for _, h, c in matched})
        _settle_reference(row, store, seen)
        plan.rows.append(row)
        if progress:
            progress(1)
    return plan


def _read_cell(row: PlannedRow, header: str, column: Column, cell: Any, rtype: RepositoryType,
               attachments: Path | None) -> None:
    try:
        value = column.read(cell, rtype)
    except CellError as error:
        row.problems.append(Problem(row.row, header, str(error)))
        row.unreadable.add(column.name)
        return
    if value is None:
        return
    if column.field is None:
        setattr(row, column.name, value)
    elif column.holds_files:
        row.files[column.name] = _files(row, header, value, attachments)
    else:
        row.values[column.name] = value


def _files(row: PlannedRow, header: str, names: list[str], folder: Path | None) -> list[Path]:
    """The files a cell names, under the attachments folder; a missing one is a problem of the row."""
    if folder is None:
        row.problems.append(Problem(row.row, header, "names files, but no folder of attachments was given "
                                                     "(repo-engine import --attachments FOLDER)"))
        return []
    found = []
    root = folder.resolve()
    for name in names:
        path = (root / name).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            row.problems.append(Problem(row.row, header, f"there is no file '{name}' in {folder}"))
        else:
            found.append(path)
    return found


def _check(row: PlannedRow, rtype: RepositoryType, validator: Validator, headers: dict[str, str]) -> None:
    """The record's own rules (required fields, lengths, conditions), reported against the field's column.
    File fields are checked with the files' names standing in for the ids they get when stored."""
    checked = {**row.values, **{name: [p.name for p in paths] for name, paths in row.files.items()}}
    for name, message in validator.validate(checked, row.status or rtype.initial_status).items():
        if name in row.unreadable:
            continue    # already reported as a cell that could not be read; 'Enter ...' would only confuse
        label = rtype.field_map[name].label if name in rtype.field_map else "Status"
        row.problems.append(Problem(row.row, headers.get(name, label), message))


def _settle_reference(row: PlannedRow, store: Store, seen: set[str]) -> None:
    """Keep a reference from the file when it is free (so a round trip keeps references); otherwise the
    record gets the next one, and the report says so."""
    if row.reference is None:
        return
    if row.reference in seen or not store.reference_free(row.reference):
        row.notes.append(f"{row.reference} is taken or not a reference of this repository, so it gets a new one")
        row.reference = None
    else:
        seen.add(row.reference)
