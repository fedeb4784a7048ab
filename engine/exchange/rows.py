"""What an import plan holds: each row of the file as it would be written (a new record, or an edit of the
record its reference names), with its problems, notes and warnings, and the plan of the whole file."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from engine.exchange.columns import Column, import_columns
from engine.schema.model import RepositoryType
from engine.store.base import Record


HISTORY_NOTE = "Statuses were imported as given (an admin importing history)"


@dataclass(frozen=True)
class Problem:
    row: int            # spreadsheet row number; file-wide problems use the header's
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
    version: int | None = None                  # the Version cell: what an update started from
    files: dict[str, list[Path]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)     # written anyway, but worth a look first
    readings: list[str] = field(default_factory=list)     # how a cell a person might mean otherwise was read
    unreadable: set[str] = field(default_factory=set)     # columns whose cell could not be read
    target: Record | None = None                # the record this row updates, as it was when planned
    expected_version: int | None = None
    changed: tuple[str, ...] = ()               # what the update changes: 'status' and field names

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def updates(self) -> bool:
        return self.target is not None


@dataclass
class ImportPlan:
    rtype: RepositoryType
    filename: str
    matched: list[tuple[str, Column]]       # (header in the file, column it fills)
    ignored: list[tuple[str, str]]          # (header, why it fills nothing)
    missing: list[str]                      # labels of required fields the file has no column for
    rows: list[PlannedRow]
    blank_rows: int = 0
    unmatched: list[tuple[int, str]] = field(default_factory=list)   # (position, header) no name matches
    chosen: set[str] = field(default_factory=set)                    # headers read as a person chose
    choices: dict[str, str] = field(default_factory=dict)            # the choices read with, by header key
    update: bool = False                    # rows naming a live record update it
    header_row: int = 1                     # the row the headers were read from; the rows above were skipped
    history: bool = False                   # an admin importing history: any status, workflow or not

    @property
    def history_note(self) -> str:
        """What the report says when statuses are taken as the file gives them although the type moves its
        records on only through its workflow's actions ("" otherwise)."""
        reads_status = any(column.name == "status" for _, column in self.matched)
        return HISTORY_NOTE if self.history and self.rtype.workflow is not None and reads_status else ""

    @property
    def good(self) -> list[PlannedRow]:
        return [row for row in self.rows if row.ok]

    @property
    def creating(self) -> list[PlannedRow]:
        return [row for row in self.good if not row.updates]

    @property
    def updating(self) -> list[PlannedRow]:
        """The good rows that change the record they name (a row changing nothing is not written)."""
        return [row for row in self.good if row.updates and row.changed]

    @property
    def unchanged(self) -> list[PlannedRow]:
        return [row for row in self.good if row.updates and not row.changed]

    @property
    def writes(self) -> int:
        return len(self.creating) + len(self.updating)

    @property
    def problems(self) -> list[Problem]:
        found = [Problem(self.header_row, label, f"The file has no {label} column, and {label} is required")
                 for label in self.missing]
        return found + [problem for row in self.rows for problem in row.problems]

    @property
    def ok(self) -> bool:
        return not self.problems

    def column(self, name: str) -> str:
        """What a problem with field ``name`` (or a system column) is filed under: its header as written in
        the file, or its label when the file has no column for it."""
        for header, column in self.matched:
            if column.name == name:
                return header
        return self.label(name)

    def changes(self, row: PlannedRow) -> str:
        """What an update changes: '3 fields (Aim, Budget, Status)'."""
        count = len(row.changed)
        return f"{count} field{'' if count == 1 else 's'} ({', '.join(self.label(n) for n in row.changed)})"

    def label(self, name: str) -> str:
        """The label of field or system column ``name``: 'Status', 'Project title'."""
        return next((c.label for c in import_columns(self.rtype) if c.name == name), name)
