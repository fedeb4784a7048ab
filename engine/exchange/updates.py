"""Imports that update: a row whose Reference names a live record of the repository edits that record, as a
person editing it would (``Records.update``), instead of making a second one.

The edit is what the file's columns say: a field whose column is in the file takes the cell's value (a blank
cell clears it, as an export writes an empty value blank); a field without a column keeps its value. The
version it starts from is the row's Version cell, else the one read when the file was first checked; when the
record has changed since, what the file changes is merged over it (``engine.merging``), and a field both
changed is a problem of the row. Only the values it changes are held to today's rules, as for any edit. Files
a file column names that the record does not hold yet are added; the files it holds stay.
"""
from __future__ import annotations

from typing import Mapping

from engine.errors import EditConflict, RecordNotFound
from engine.exchange.rows import ImportPlan, PlannedRow, Problem
from engine.fields.values import without_controls
from engine.merging import Edit, changed_names, merge
from engine.records import Records
from engine.store.attachments import display_name
from engine.workflow.rules import status_refusal


class Updates:
    """Turns the rows of ``plan`` that name a live record into edits of it."""

    def __init__(self, records: Records, plan: ImportPlan, versions: Mapping[str, int]):
        self.records = records
        self.plan = plan
        self.versions = versions
        # The fields the file has a column for: only those are edited (files are added, never cleared).
        self.names = frozenset(column.name for _, column in plan.matched
                               if column.field is not None and not column.holds_files)
        self.taken: dict[str, int] = {}     # reference: the row updating it

    def take(self, row: PlannedRow) -> bool:
        """True when ``row`` updates a record (it is then planned here, problems included)."""
        if not row.reference:
            return False
        try:
            current = self.records.store.get(row.reference)
        except RecordNotFound:
            return False
        row.target = current
        if current.reference in self.taken:
            self._refuse(row, f"{current.reference} is updated by row {self.taken[current.reference]} already: "
                              "keep one row for it")
            return True
        self.taken[current.reference] = row.row
        row.expected_version = row.version or self.versions.get(current.reference) or current.version
        edit = Edit({name: row.values.get(name) for name in self.names if name not in row.unreadable},
                    row.status)
        if row.expected_version != current.version:
            try:
                edit = merge(self.records.rtype, self.records.store, current, edit, row.expected_version)
            except EditConflict as conflict:
                self._refuse(row, str(conflict))
                return True
        row.values, row.status = dict(edit.values), edit.status
        row.files = self._new_files(row)
        row.changed = self._changed(row, current, edit)
        self._check(row, current)
        return True

    def _new_files(self, row: PlannedRow) -> dict:
        """The files the row names that the record does not hold yet (by field and file name)."""
        if not row.files:
            return {}
        held = {(a.field, a.filename) for a in self.records.store.attachments(row.reference)}
        return {name: kept for name, paths in row.files.items()
                if (kept := [path for path in paths if (name, display_name(path.name)) not in held])}

    def _changed(self, row: PlannedRow, current, edit: Edit) -> tuple[str, ...]:
        """What the edit changes, in form order: 'status', the fields, the file fields it adds files to."""
        names = changed_names(self.records.rtype, current, without_controls(dict(edit.values)), edit.status)
        names |= set(row.files)
        order = ["status", *(field.name for field in self.records.rtype.fields)]
        return tuple(sorted(names, key=order.index))

    def _check(self, row: PlannedRow, current) -> None:
        """Today's rules for the values the row changes, as ``Records.update`` holds them."""
        validator = self.records.validator
        status = row.status or current.status
        merged = validator.settle(without_controls({**current.values, **row.values}), status)
        for name, message in validator.validate(merged, status, changed=set(row.changed)).items():
            if name not in row.unreadable:
                row.problems.append(Problem(row.row, self.plan.column(name), message))
        refused = None if self.plan.history else status_refusal(self.records.rtype, current.status, status)
        if refused and "status" in row.changed:
            row.problems.append(Problem(row.row, self.plan.column("status"),
                                        f"{refused} Only an admin of the instance can import other statuses."))

    def _refuse(self, row: PlannedRow, message: str) -> None:
        column = "version" if any(c.name == "version" for _, c in self.plan.matched) else "reference"
        row.problems.append(Problem(row.row, self.plan.column(column), message))
