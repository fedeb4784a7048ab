"""The import report as text, for the command line: columns used and ignored, then row by row what would be
created and every problem with its row and column, then the totals."""
from __future__ import annotations

from typing import Iterator

from engine.exchange.plan import ImportPlan, PlannedRow
from engine.fields.values import plural


def column_lines(plan: ImportPlan) -> Iterator[str]:
    used = ", ".join(header if header == column.label else f"{header} -> {column.label}"
                     for header, column in plan.matched)
    yield f"Columns read: {used or 'none'}"
    for header, why in plan.ignored:
        yield f"Column ignored: {header} ({why})"
    for label in plan.missing:
        yield f"Problem: the file has no {label} column, and {label} is required"


def row_lines(row: PlannedRow, title_field: str = "", *, verb: str = "would create") -> Iterator[str]:
    """One line for a good row (what it becomes), one per problem for a bad one, and any notes."""
    for problem in row.problems:
        yield f"Row {row.row}, column {problem.column}: {problem.message}"
    if row.ok:
        title = shorten(str(row.values.get(title_field) or ""))
        reference = row.reference or "a new record"
        yield f"Row {row.row}: {verb} {reference}{f' ({title})' if title else ''}, {row.status or 'first status'}"
    for note in row.notes:
        yield f"Row {row.row}: note: {note}"


def shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit - 3] + "..."


def summary(plan: ImportPlan) -> str:
    good, bad = len(plan.good), len(plan.rows) - len(plan.good)
    parts = [f"{plural(len(plan.rows), 'row')} read", f"{good:,} ready to create",
             f"{plural(bad, 'row')} with problems"]
    if plan.blank_rows:
        parts.append(f"{plural(plan.blank_rows, 'blank row')} skipped")
    return "; ".join(parts) + "."


def report_lines(plan: ImportPlan, *, every_row: bool = True) -> Iterator[str]:
    """The whole report; ``every_row`` False leaves out the rows without problems or notes."""
    yield from column_lines(plan)
    for row in plan.rows:
        if every_row or not row.ok or row.notes:
            yield from row_lines(row, plan.rtype.record_title)
    yield summary(plan)
