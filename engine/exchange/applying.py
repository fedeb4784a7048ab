"""Carrying out a plan that updates records as well as creating them: every write through ``Records`` (an edit
through ``Records.update``, version checked; the new records in one ``Records.create_many``, by
``engine.exchange.write.carry_out``), and all of it or none.

The store writes one record per update, so "none" is kept by putting back what was written when a later write
is refused (someone changed a field the file changes too, since the check; a file refused for its content):
each record updated is restored to the version it had (``Records.restore_version``, its history says so) and
the files the update added are removed, and then the refusal is reported as for any import.
"""
from __future__ import annotations

import logging
import mimetypes
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from typing import Callable

from engine.errors import EditConflict, EngineError, ValidationFailed
from engine.exchange.rows import ImportPlan, PlannedRow, Problem
from engine.exchange.write import ImportRefused, carry_out, imported
from engine.records import Records
from engine.store.base import Record, Upload

log = logging.getLogger("engine.exchange")


@dataclass
class Outcome:
    created: list[Record] = field(default_factory=list)
    updated: list[Record] = field(default_factory=list)

    @property
    def message(self) -> str:
        """'Imported 2 records (QI-0004 to QI-0005) and updated 3 (QI-0001 to QI-0003)'."""
        if not self.updated:
            return imported(self.created)
        updated = imported(self.updated).replace("Imported", "updated", 1)
        return f"{imported(self.created)} and {updated}" if self.created else updated[:1].upper() + updated[1:]


def carry_out_all(plan: ImportPlan, records: Records, *, user: str, skip_invalid: bool = False,
                  progress: Callable[[int], None] | None = None) -> Outcome:
    """Write the plan's updates, then its new records; on any refusal, nothing stays written."""
    if plan.missing or (plan.problems and not skip_invalid):
        raise ImportRefused(plan.problems)
    outcome = Outcome()
    try:
        for row in plan.updating:
            outcome.updated.append(_update(plan, records, row, user))
            if progress:
                progress(1)
        creating = replace(plan, rows=[row for row in plan.rows if not row.updates])
        outcome.created = carry_out(creating, records, user=user, skip_invalid=skip_invalid, progress=progress)
    except BaseException:
        _put_back(records, plan, outcome.updated, user)
        raise
    return outcome


def _update(plan: ImportPlan, records: Records, row: PlannedRow, user: str) -> Record:
    try:
        with ExitStack() as opened:     # one row's files at a time, closed once it is written
            uploads = {name: [Upload(path.name, opened.enter_context(open(path, "rb")),
                                     mimetypes.guess_type(path.name)[0]) for path in paths]
                       for name, paths in row.files.items()}
            return records.update(row.target.reference, row.values, user=user,
                                  expected_version=row.expected_version, status=row.status,
                                  uploads=uploads or None, history=plan.history)
    except EditConflict as conflict:
        raise ImportRefused([Problem(row.row, plan.column("version"), str(conflict))]) from None
    except ValidationFailed as failed:
        raise ImportRefused([Problem(row.row, plan.column(name), message)
                             for name, message in failed.errors.items()]) from None


def _put_back(records: Records, plan: ImportPlan, updated: list[Record], user: str) -> None:
    """Each record this import updated, as it was before (the last updated first)."""
    files = [f.name for f in plan.rtype.fields if f.kind.holds_files]
    for saved in reversed(updated):
        try:
            before = next(v.record for v in records.store.history(saved.reference)
                          if v.record.version == saved.version - 1)
            restored = records.restore_version(saved.reference, before.version, user=user,
                                               expected_version=saved.version, history=True)
            added = {file_id for name in files for file_id in saved.values.get(name) or ()
                     if file_id not in (before.values.get(name) or ())}
            if added:
                records.update(saved.reference, {}, user=user, expected_version=restored.version,
                               remove_attachments=added)
        except (EngineError, StopIteration):
            log.exception("could not put %s back as it was before a refused import", saved.reference)
