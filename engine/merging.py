"""Edits that merge: a save started from an older version applies what this person changed, keeps what others
changed since, and stops only where both changed one field to different values.

What "changed" means is decided here once, for the form (which posts every field) and the API (which sends
only the fields it sets): a value differs from the version the person started from. File fields are left out:
their value is the record's attachments, which an upload or a removal changes on its own.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from engine.errors import EditConflict
from engine.schema.model import RepositoryType
from engine.store.base import Record, Store

STATUS = "status"


@dataclass(frozen=True)
class Edit:
    """What one save asks: the values it gives and the status (None: unchanged)."""
    values: Mapping[str, Any]
    status: str | None


def changed_names(rtype: RepositoryType, before: Record, values: Mapping[str, Any],
                  status: str | None) -> set[str]:
    """Names whose value ``values`` (or ``status``) changes from ``before``; file fields excluded."""
    files = {f.name for f in rtype.fields if f.kind.holds_files}
    names = {name for name, value in values.items()
             if name not in files and not _same(value, before.values.get(name))}
    if status is not None and status != before.status:
        names.add(STATUS)
    return names


def divide(rtype: RepositoryType, store: Store, current: Record, edit: Edit, started_from: int
           ) -> tuple[Edit, tuple[str, ...]]:
    """What this person changed since version ``started_from`` (only that), and the names of those changes
    that others changed differently since, in form order. ``EditConflict`` naming no field when that version
    is unknown."""
    base = _version(store, current.reference, started_from)
    if base is None:
        raise EditConflict(current.reference, started_from, current)
    mine = changed_names(rtype, base, edit.values, edit.status)
    everything = {name: current.values.get(name) for name in {*base.values, *current.values}}
    theirs = changed_names(rtype, base, everything, current.status)
    order = [STATUS, *(f.name for f in rtype.fields)]
    both = sorted((name for name in mine if name in theirs and not _same(_value(edit, name), _value_of(current, name))),
                  key=lambda name: order.index(name) if name in order else len(order))
    values = {name: value for name, value in edit.values.items() if name in mine}
    return Edit(values, edit.status if STATUS in mine else None), tuple(both)


def merge(rtype: RepositoryType, store: Store, current: Record, edit: Edit, started_from: int) -> Edit:
    """The edit to apply to ``current`` for a person who started from version ``started_from``: only what
    they changed. ``EditConflict`` naming the fields both changed to different values."""
    mine, both = divide(rtype, store, current, edit, started_from)
    if both:
        raise EditConflict(current.reference, started_from, current, both,
                           {name: _value(mine, name) for name in both})
    return mine


def _version(store: Store, reference: str, number: int) -> Record | None:
    for version in store.history(reference):
        if version.record.version == number:
            return version.record
    return None


def _value(edit: Edit, name: str) -> Any:
    return edit.status if name == STATUS else edit.values.get(name)


def _value_of(record: Record, name: str) -> Any:
    return record.status if name == STATUS else record.values.get(name)


def _same(a: Any, b: Any) -> bool:
    """Equal as stored: an empty value is None, whether it came as '' or [] or was absent."""
    return _normal(a) == _normal(b)


def _normal(value: Any) -> Any:
    if value in ("", [], None):
        return None
    return list(value) if isinstance(value, tuple) else value
