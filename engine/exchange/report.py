"""The import report as text, for the command line: columns used and ignored, then row by row what would be
created or updated and every problem with its row and column, then the totals."""
from __future__ import annotations

from typing import Iterator

from engine.exchange.rows import ImportPlan, PlannedRow
from engine.fields.values import plural


def column_lines(plan: ImportPlan) -> Iterator[str]:
    if plan.header_row > 1:
        skipped = "row 1 was" if plan.header_row == 2 else f"rows 1 to {plan.header_row - 1} were"
        yield f"Headers read from row {plan.header_row}; {skipped} skipped"
    used = ", ".join(_used(plan, header, column.label) for header, column in plan.matched)
    yield f"Columns read: {used or 'none'}"
    for header, why in plan.ignored:
        yield f"Column ignored: {header} ({why})"
    for label in plan.missing:
        yield f"Problem: the file has no {label} column, and {label} is required"
    if plan.history_note:
        yield plan.history_note


def _used(plan: ImportPlan, header: str, label: str) -> str:
    if header in plan.chosen:
        return f"{header} -> {label} (as chosen)"
    return header if header == label else f"{header} -> {label}"


def row_lines(row: PlannedRow, title_field: str = "", *, tense: str = "would",
              plan: ImportPlan | None = None, readings: bool = True) -> Iterator[str]:
    """One line for a good row (what it becomes), one per problem for a bad one, then its warnings, how
    cells a person might mean otherwise were read (``readings``), and its notes."""
    for problem in row.problems:
        yield f"Row {row.row}, column {problem.column}: {problem.message}"
    if row.ok:
        yield f"Row {row.row}: {_becomes(row, title_field, tense, plan)}"
    for warning in row.warnings:
        yield f"Warning: row {row.row} {warning}"
    for reading in row.readings if readings else ():
        yield f"Row {row.row}: {reading}"
    for note in row.notes:
        yield f"Row {row.row}: note: {note}"


def _becomes(row: PlannedRow, title_field: str, tense: str, plan: ImportPlan | None) -> str:
    if row.updates and plan is not None:
        if not row.changed:
            return f"{row.target.reference} is unchanged: nothing to write"
        return f"{tense} update {row.target.reference}: {plan.changes(row)}"
    title = shorten(str(row.values.get(title_field) or ""))
    reference = row.reference or "a new record"
    return f"{tense} create {reference}{f' ({title})' if title else ''}, {row.status or 'first status'}"


def shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit - 3] + "..."


def summary(plan: ImportPlan) -> str:
    bad = len(plan.rows) - len(plan.good)
    parts = [f"{plural(len(plan.rows), 'row')} read", f"{len(plan.creating):,} ready to create"]
    if plan.update:
        parts += [f"{len(plan.updating):,} ready to update", f"{len(plan.unchanged):,} unchanged"]
    parts.append(f"{plural(bad, 'row')} with problems")
    if plan.blank_rows:
        parts.append(f"{plural(plan.blank_rows, 'blank row')} skipped")
    return "; ".join(parts) + "."


def report_lines(plan: ImportPlan, *, every_row: bool = True) -> Iterator[str]:
    """The whole report; ``every_row`` False leaves out the rows without problems, warnings or notes, and
    how cells were read."""
    yield from column_lines(plan)
    for row in plan.rows:
        if every_row or not row.ok or row.notes or row.warnings:
            yield from row_lines(row, plan.rtype.record_title, plan=plan, readings=every_row)
    yield summary(plan)
