"""Rows that look like a record already in the repository: the same title and the same lead (the first person
field), whatever their case and spacing. Importing a file twice would otherwise make every record twice
without a word; the report warns instead ("row 4 looks like QI-0012 (same title and lead)") and the person
decides: fix the file, or import it again to update those records.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from engine.schema.model import Field, RepositoryType
from engine.store.base import Store


def _lead(rtype: RepositoryType) -> Field | None:
    return next((field for field in rtype.fields if field.kind.names_person), None)


def _key(value: Any) -> str:
    return " ".join(str(value or "").split()).casefold()


def warn_lookalikes(rtype: RepositoryType, store: Store, rows: Iterable) -> None:
    """Add a warning to each row that would create a record looking like a stored one."""
    if not store.count():       # an empty repository (a first import) has nothing to look like
        return
    creating = [row for row in rows if row.target is None and _key(row.values.get(rtype.record_title))]
    if not creating:
        return
    lead = _lead(rtype)
    same = "same title and lead" if lead else "same title"
    known = _known(rtype, lead, ((record.reference, record.values) for record in store.iter_all()))
    for row in creating:
        reference = known.get(_identity(rtype, lead, row.values))
        if reference:
            row.warnings.append(f"looks like {reference} ({same})")


def _identity(rtype: RepositoryType, lead: Field | None, values: Mapping[str, Any]) -> tuple[str, str]:
    return _key(values.get(rtype.record_title)), _key(values.get(lead.name) if lead else "")


def _known(rtype: RepositoryType, lead: Field | None,
           records: Iterable[tuple[str, Mapping[str, Any]]]) -> dict[tuple[str, str], str]:
    """Each stored record's identity to its reference (the first, by reference, when several share one)."""
    known: dict[tuple[str, str], str] = {}
    for reference, values in records:
        known.setdefault(_identity(rtype, lead, values), reference)
    return known
