"""Carrying out an import plan: the good rows become records in ONE write through ``Records.create_many``, or
nothing is written at all.

By default a plan with any problem writes nothing; ``skip_invalid`` writes the rows without problems and
leaves the rest for the report. A missing required column always stops the import: every row would lack it.
"""
from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Callable

from engine.errors import EngineError
from engine.exchange.plan import ImportPlan, PlannedRow, Problem
from engine.records import ItemFailed, NewItem, Records
from engine.store.base import Record, Upload
from engine.store.documents import reference_number


class ImportRefused(EngineError):
    """Nothing was written; ``problems`` say why, each with its row and column."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"Nothing was imported: {len(problems)} problem{'s' if len(problems) != 1 else ''}.")


def carry_out(plan: ImportPlan, records: Records, *, user: str, skip_invalid: bool = False,
              progress: Callable[[int], None] | None = None) -> list[Record]:
    """Write the plan's rows (all of them, or with ``skip_invalid`` the good ones) and return the records."""
    if plan.missing or (plan.problems and not skip_invalid):
        raise ImportRefused(plan.problems)
    rows = plan.good
    try:
        return records.create_many([_item(row) for row in rows], user=user, progress=progress,
                                   history=plan.history)
    except ItemFailed as failed:     # a file refused while staging (its type or size): found only now
        row = rows[failed.index]
        raise ImportRefused([Problem(row.row, plan.column(name), message)
                             for name, message in failed.errors.items()]) from None


def imported(saved: list[Record]) -> str:
    """'Imported 3 records (QI-0004 to QI-0006)': the lowest and highest references, whatever the file's order."""
    if not saved:
        return "Imported no records"
    numbers = sorted(saved, key=lambda record: (reference_number(record.reference) or 0, record.reference))
    return (f"Imported {len(saved):,} record{'s' if len(saved) != 1 else ''} "
            f"({numbers[0].reference} to {numbers[-1].reference})" if len(saved) > 1
            else f"Imported 1 record ({saved[0].reference})")


def _item(row: PlannedRow) -> NewItem:
    uploads = {name: [Upload(path.name, _OpenedWhenRead(path), mimetypes.guess_type(path.name)[0])
                      for path in paths] for name, paths in row.files.items()}
    return NewItem(row.values, status=row.status, uploads=uploads or None, created=row.created,
                   created_by=row.created_by, reference=row.reference)


class _OpenedWhenRead:
    """A file opened at its first read and closed at its end: an import naming thousands of files must not
    hold them all open while the rows before them are staged."""

    def __init__(self, path: Path):
        self.path = path
        self._file = None

    def read(self, size: int = -1) -> bytes:
        if self._file is None:
            self._file = open(self.path, "rb")
        data = self._file.read(size)
        if not data:
            self._file.close()
        return data
