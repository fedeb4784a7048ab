"""The import plan: a file's columns matched to the repository's, every row converted and checked, and the
report of what would be created and every problem with its row and column. Planning writes nothing; a dry
run is just a plan that is shown and not carried out.

A reference cell must name a live record of the field's target, or a record of the same file (by the reference
it keeps, above or below it): the rows are written together or not at all. With ``--skip-invalid`` a row left out
takes with it every row that names it, so what is written never names a record that was not.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable

from engine.exchange.columns import Column, columns_of, header_key
from engine.exchange.readers import Table
from engine.fields.base import CellError
from engine.fields.values import as_list, lower_first
from engine.records import Records, Validator
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

    def column(self, name: str) -> str:
        """What a problem with field ``name`` (or 'status') is filed under: its header as written in the file,
        or its label when the file has no column for it."""
        for header, column in self.matched:
            if column.name == name:
                return header
        field = self.rtype.field_map.get(name)
        return field.label if field else "Status" if name == "status" else name


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
        return f"not a field of {lower_first(rtype.title_plural)}"
    if column.field is not None and column.field.retired:
        return "a retired field: its values are kept on the records that hold them, no longer filled in"
    if not column.imported:
        return "set by the engine when the import is written"
    return f"a second {column.label} column; the first one is read"


def plan_import(records: Records, table: Table, attachments: Path | None = None,
                progress: Callable[[int], None] | None = None) -> ImportPlan:
    """Read, convert and check every row of ``table`` against the repository ``records`` writes; nothing is
    written."""
    rtype = records.rtype
    matched, ignored, missing = match_columns(rtype, table.headers)
    plan = ImportPlan(rtype, table.name, [(h, c) for _, h, c in matched], ignored, missing, [],
                      table.blank_rows)
    seen: set[str] = set()
    for number, cells in table.rows:
        row = PlannedRow(number)
        for index, header, column in matched:
            _read_cell(row, header, column, cells[index], rtype, attachments)
        _check(row, plan, records.validator)
        _settle_reference(row, records.store, seen)
        plan.rows.append(row)
        if progress:
            progress(1)
    _check_links(plan, records)
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


def _check(row: PlannedRow, plan: ImportPlan, validator: Validator) -> None:
    """The record's own rules (required fields, lengths, conditions), reported against the field's column.
    File fields are checked with the files' names standing in for the ids they get when stored."""
    status = row.status or plan.rtype.initial_status
    checked = {**row.values, **{name: [p.name for p in paths] for name, paths in row.files.items()}}
    for why in validator.hidden(checked, status).values():
        row.notes.append(why)           # Records drops it when the row is written: the same rule as the form
    checked = validator.settle(checked, status)
    for name, message in validator.validate(checked, status).items():
        if name in row.unreadable:
            continue    # already reported as a cell that could not be read; 'Enter ...' would only confuse
        row.problems.append(Problem(row.row, plan.column(name), message))


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


def _check_links(plan: ImportPlan, records: Records) -> None:
    """Every reference cell names a live record or a row of this file (by the reference it keeps)."""
    kept = frozenset(row.reference for row in plan.rows if row.reference)
    for row in plan.rows:
        reported = {problem.column for problem in row.problems}
        for name, message in records.dangling(_linked(row), batch=kept).items():
            if plan.column(name) not in reported:
                row.problems.append(Problem(row.row, plan.column(name), message))
    _leave_out_dependents(plan)


def _leave_out_dependents(plan: ImportPlan) -> None:
    """A good row naming a row with problems gets a problem too: that row will not be written, so neither can
    this one; and so on along a chain (each row is visited once, however long the chain)."""
    naming: dict[str, list[tuple[Any, PlannedRow]]] = {}
    for row in plan.rows:
        for field, ref in _self_links(row, plan.rtype):
            naming.setdefault(ref, []).append((field, row))
    left_out = [row for row in plan.rows if row.reference and not row.ok]
    while left_out:
        named = left_out.pop()
        for field, row in naming.get(named.reference, ()):
            if row.ok:
                row.problems.append(Problem(row.row, plan.column(field.name),
                                            f"{field.kind.invalid_message(field, named.reference)}: "
                                            f"{named.reference} (row {named.row}) has problems, so it is not imported"))
                if row.reference:
                    left_out.append(row)


def _linked(row: PlannedRow) -> dict[str, Any]:
    """The row's values to look references up in, less the cells that could not be read (reported already)."""
    return {name: value for name, value in row.values.items() if name not in row.unreadable}


def _self_links(row: PlannedRow, rtype: RepositoryType) -> Iterable[tuple[Any, str]]:
    """(field, reference) for each reference the row makes to a record of its own repository."""
    for field in rtype.fields:
        if field.target == rtype.name:
            for ref in as_list(row.values.get(field.name)):
                yield field, ref
