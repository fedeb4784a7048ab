"""The import plan: a file's columns matched to the repository's, every row converted and checked, and the
report of what would be created (or, when updating, changed) and every problem with its row and column.
Planning writes nothing; a dry run is just a plan that is shown and not carried out.

A reference cell must name a live record of the field's target, or a record of the same file (by the reference
it keeps, above or below it): the rows are written together or not at all. With ``--skip-invalid`` a row left out
takes with it every row that names it, so what is written never names a record that was not.

``ImportOptions`` say how to read the file: the columns a person chose for headers that match nothing
(``engine.exchange.matching``), whether rows naming a live record update it (``engine.exchange.updates``),
whose accounts a person cell may name (``engine.exchange.people``), and where named files are found.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from engine.exchange.columns import Column, header_key
from engine.exchange.files import FileFolder, file_problem
from engine.exchange.likeness import warn_lookalikes
from engine.exchange.matching import match_columns
from engine.exchange.people import PeopleLookup, settle_creator
from engine.exchange.readers import Table
from engine.exchange.rows import ImportPlan, PlannedRow, Problem
from engine.exchange.updates import Updates
from engine.fields.base import CellError
from engine.fields.values import as_list, lower_first
from engine.records import Records, Validator
from engine.schema.model import RepositoryType
from engine.store.base import Store
from engine.workflow.rules import start_refusal

__all__ = ["ImportOptions", "ImportPlan", "PlannedRow", "Problem", "plan_import"]

NO_FOLDER = "names files, but no folder of attachments was given (repo-engine import --attachments FOLDER)"


@dataclass(frozen=True)
class ImportOptions:
    """How a file is read. ``columns``: the column chosen for a header, by header key (``IGNORE`` to read
    nothing); ``positions``: the same by the header's position, over ``columns`` (the import page's choices,
    read against the headers once the header row is found); ``update``: rows naming a live record edit it;
    ``versions``: the version of each record read when the file was first checked (what an update started
    from, when the file has no Version column); ``people``: finds the account a person cell names;
    ``no_files``: what a row naming files is told when no files came with the spreadsheet; ``history``: the
    importing person is an admin of the instance, so rows may give any status, even where the type's workflow
    gives new records only its start status and changes statuses only through its actions."""
    columns: Mapping[str, str] = field(default_factory=dict)
    positions: Mapping[int, str] = field(default_factory=dict)
    update: bool = False
    versions: Mapping[str, int] = field(default_factory=dict)
    people: PeopleLookup | None = None
    no_files: str = NO_FOLDER
    history: bool = False


def plan_import(records: Records, table: Table, attachments: Path | FileFolder | None = None,
                progress: Callable[[int], None] | None = None, options: ImportOptions = ImportOptions()
                ) -> ImportPlan:
    """Read, convert and check every row of ``table`` against the repository ``records`` writes; nothing is
    written."""
    rtype = records.rtype
    # A title above the headers is passed over: the headers are the first row naming the repository's columns.
    table = table.headed_by(lambda headers: len(match_columns(rtype, headers, options.columns,
                                                              update=options.update).matched))
    choices = _choices(options, table.headers)
    found = match_columns(rtype, table.headers, choices, update=options.update)
    plan = ImportPlan(rtype, table.name, [(h, c) for _, h, c in found.matched], found.ignored,
                      [] if options.update else found.missing, [], table.blank_rows,
                      unmatched=found.unmatched, chosen=found.chosen, choices=choices, update=options.update,
                      header_row=table.header_row, history=options.history)
    # When updating, a file without a required column can still edit records; only rows that create lack it.
    lacking = {f.name for f in rtype.fields if f.label in found.missing} if options.update else set()
    folder = FileFolder.of(attachments) if isinstance(attachments, Path) else attachments
    reading = _Reading(rtype, folder, options.no_files)
    updates = Updates(records, plan, options.versions) if options.update else None
    seen: set[str] = set()
    for number, cells in table.rows:
        row = PlannedRow(number)
        for index, header, column in found.matched:
            _read_cell(row, header, column, cells[index], reading)
        if updates is None or not updates.take(row):
            _check(row, plan, records.validator, lacking)
            _settle_reference(row, records.store, seen)
            settle_creator(row, rtype, options.people)
        plan.rows.append(row)
        if progress:
            progress(1)
    _check_links(plan, records)
    warn_lookalikes(rtype, records.store, plan.rows)
    return plan


def _choices(options: ImportOptions, headers: tuple[str, ...]) -> dict[str, str]:
    """The column choices by header key: those given by position over those given by header."""
    by_position = {header_key(headers[at]): name for at, name in options.positions.items() if 0 <= at < len(headers)}
    return {**options.columns, **by_position}


@dataclass(frozen=True)
class _Reading:
    """What reading a cell needs beside the cell: the type, and where the files it names are."""
    rtype: RepositoryType
    folder: FileFolder | None
    no_files: str


def _read_cell(row: PlannedRow, header: str, column: Column, cell: Any, reading: _Reading) -> None:
    try:
        value = column.read(cell, reading.rtype)
    except CellError as error:
        row.problems.append(Problem(row.row, header, str(error)))
        row.unreadable.add(column.name)
        return
    if value is None:
        return
    how = column.reading(cell) if column.asks else None
    if how:
        row.readings.append(f"{header}: {how}")
    if column.field is None:
        setattr(row, column.name, value)
    elif column.holds_files:
        row.files[column.name] = _files(row, header, column, value, reading)
    else:
        row.values[column.name] = value


def _files(row: PlannedRow, header: str, column: Column, names: list[str], reading: _Reading) -> list[Path]:
    """The files a cell names, found beside the spreadsheet; a missing one, or one the field would refuse,
    is a problem of the row."""
    folder = reading.folder
    if folder is None:
        row.problems.append(Problem(row.row, header, reading.no_files))
        return []
    found = []
    for name in names:
        path = folder.find(name)
        why = f"there is no file '{name}' in {folder.called}" if path is None else file_problem(column.field, path)
        if why:
            row.problems.append(Problem(row.row, header, why))
        else:
            found.append(path)
    return found


def _check(row: PlannedRow, plan: ImportPlan, validator: Validator, lacking: set[str]) -> None:
    """The record's own rules (required fields, lengths, conditions), reported against the field's column.
    File fields are checked with the files' names standing in for the ids they get when stored."""
    status = row.status or plan.rtype.initial_status
    if not plan.history and start_refusal(plan.rtype, status):
        row.problems.append(Problem(row.row, plan.column("status"), start_problem(plan.rtype, status)))
    checked = {**row.values, **{name: [p.name for p in paths] for name, paths in row.files.items()}}
    for why in validator.hidden(checked, status).values():
        row.notes.append(why)           # Records drops it when the row is written: the same rule as the form
    checked = validator.settle(checked, status)
    for name, message in validator.validate(checked, status).items():
        if name in row.unreadable:
            continue    # already reported as a cell that could not be read; 'Enter ...' would only confuse
        if name in lacking:
            label = plan.label(name)
            message = f"The file has no {label} column, and {label} is required for a new record"
        row.problems.append(Problem(row.row, plan.column(name), message))


def start_problem(rtype: RepositoryType, status: str) -> str:
    """Why a row may not create a record in ``status`` (not a start status of the type's workflow)."""
    starts = " or ".join(rtype.start_statuses)
    return (f"{status} cannot be imported: a new {lower_first(rtype.title)} starts as {starts} and its status "
            f"then changes only through its actions (only an admin of the instance can import other statuses, "
            f"as history)")


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
    kept = frozenset(row.reference for row in plan.rows if row.reference and not row.updates)
    for row in plan.rows:
        reported = {problem.column for problem in row.problems}
        before = row.target.values if row.target is not None else None
        for name, message in records.dangling(_linked(row), before, batch=kept).items():
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
    left_out = [row for row in plan.rows if row.reference and not row.updates and not row.ok]
    while left_out:
        named = left_out.pop()
        for field, row in naming.get(named.reference, ()):
            if row.ok:
                row.problems.append(Problem(row.row, plan.column(field.name),
                                            f"{field.kind.invalid_message(field, named.reference)}: "
                                            f"{named.reference} (row {named.row}) has problems, so it is not imported"))
                if row.reference and not row.updates:
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
