"""Indexes over the records of one snapshot, for one repository type: built on first use, and carried
forward to the next snapshot by patching only the records a write changed.

- ``groups(name)``: records grouped by distinct value of a field (or status), so a filter or a facet asks
  the field type once per distinct value rather than once per record;
- ``order(name)``: references sorted by a field's sort key (ties by reference), and those with no value;
- ``search()``: the full-text index of the records' searched fields (``engine.search.index``).

It reads the stored documents (flat: system fields beside field values), not ``Record`` objects, which are
made only for the records a page shows.

Every structure is shared with the snapshot's readers, so it is never changed in place once published:
``derive`` copies what it patches.
"""
from __future__ import annotations

import bisect
from typing import Any, Callable, Iterable, Mapping

Doc = Mapping[str, Any]

from engine.schema.model import RepositoryType
from engine.search.fields import searched_fields
from engine.search.memo import Memo
from engine.search.index import FileText, TextIndex, record_passages
from engine.store.base import Record
from engine.store.documents import reference_number

STATUS = "status"
#: The year a record was created ("2024"), filtered and counted like a field; no field can have this name.
YEAR = "created:year"
Refs = set[str]
Groups = dict[Any, tuple[Any, frozenset[str] | set[str]]]


def frozen(value: Any) -> Any:
    """A hashable stand-in for a stored value, to group records holding equal values."""
    if isinstance(value, list):
        return tuple(frozen(item) for item in value)
    if isinstance(value, dict):
        return tuple(sorted((key, frozen(item)) for key, item in value.items()))
    return value


def value_of(doc: Doc, name: str) -> Any:
    """A field's (or system field's) stored value; the created year for ``YEAR``."""
    if name == YEAR:
        created = doc.get("created")
        return created[:4] if isinstance(created, str) else None
    return doc.get(name)


class RecordIndex:
    def __init__(self, rtype: RepositoryType, records: Mapping[str, Doc], record: Callable[[str], Record],
                 file_text: FileText = lambda attachment_id: None):
        self.rtype = rtype
        self.records = records              # reference -> stored document
        self.record = record                # reference -> Record, for the records a page shows
        self.file_text = file_text
        self.live: Refs = {ref for ref, doc in records.items() if not doc.get("deleted")}
        self.binned: Refs = set(records) - self.live
        self._groups: dict[str, Groups] = {}
        self._orders: dict[str, tuple[list[str], list[str]]] = {}
        self._search: TextIndex | None = None
        self._in_order: list[str] | None = None
        self.memo = Memo()      # answers that stay true as long as the snapshot (see query.py)

    @property
    def in_order(self) -> list[str]:
        """Every reference, deleted ones included, in the order the records were made (ascending number)."""
        if self._in_order is None:
            self._in_order = list(self.records)
        return self._in_order

    # -- built on first use -----------------------------------------------------------------------------------
    def groups(self, name: str) -> Groups:
        groups = self._groups.get(name)
        if groups is None:
            groups = {}
            for ref, doc in self.records.items():
                value = value_of(doc, name)
                groups.setdefault(frozen(value), (value, set()))[1].add(ref)
            self._groups[name] = groups
        return groups

    def order(self, name: str) -> tuple[list[str], list[str]]:
        """References with a value in ascending order (ties by reference), and those without one."""
        order = self._orders.get(name)
        if order is None:
            key_of, is_empty = self._sort_key(name)
            filled, empty = [], []
            for ref, doc in self.records.items():
                (empty if is_empty(doc.get(name)) else filled).append(ref)
            filled.sort(key=lambda ref: (key_of(self.records[ref].get(name)), reference_number(ref) or 0))
            order = self._orders[name] = (filled, empty)
        return order

    def search(self) -> TextIndex:
        if self._search is None:
            searched = searched_fields(self.rtype)
            self._search = TextIndex(searched, record_passages(searched, self.file_text), self.records)
        return self._search

    def _sort_key(self, name: str) -> tuple[Callable[[Any], Any], Callable[[Any], bool]]:
        if name in SYSTEM_SORT_KEYS:
            return SYSTEM_SORT_KEYS[name](self.rtype), lambda value: value is None
        if name not in self.rtype.field_map:
            return SYSTEM_SORT_KEYS["reference"](self.rtype), lambda value: value is None
        field = self.rtype.field(name)
        return (lambda value: field.kind.sort_key(field, value)), (lambda value: field.kind.is_empty(value))

    # -- carried forward ----------------------------------------------------------------------------------
    def derive(self, records: Mapping[str, Doc], record: Callable[[str], Record], changed: Iterable[str]
               ) -> "RecordIndex":
        """The index of ``records``, which differ from this index's records only in ``changed``."""
        changed = list(dict.fromkeys(ref for ref in changed if ref in records))
        index = RecordIndex.__new__(RecordIndex)
        index.rtype, index.records, index.record, index.memo = self.rtype, records, record, Memo()
        index.file_text = self.file_text
        index.live, index.binned = set(self.live), set(self.binned)
        for ref in changed:
            deleted = bool(records[ref].get("deleted"))
            (index.binned if deleted else index.live).add(ref)
            (index.live if deleted else index.binned).discard(ref)
        index._groups = {name: self._regroup(name, groups, records, changed)
                         for name, groups in self._groups.items()}
        index._orders = {name: self._reorder(name, order, records, changed)
                         for name, order in self._orders.items()}
        index._search = self._search.derive(records, changed) if self._search is not None else None
        # New records have numbers above every earlier one: they go at the end; edited ones keep their place.
        made = sorted((ref for ref in changed if ref not in self.records), key=lambda ref: reference_number(ref) or 0)
        index._in_order = self._in_order + made if self._in_order is not None else None
        return index

    def _regroup(self, name: str, groups: Groups, records: Mapping[str, Doc], changed: list[str]) -> Groups:
        patched = dict(groups)
        touched: set[Any] = set()
        for ref in changed:
            if ref in self.records:
                key = frozen(value_of(self.records[ref], name))
                if key not in touched:
                    patched[key] = (patched[key][0], set(patched[key][1]))
                    touched.add(key)
                patched[key][1].discard(ref)
                if not patched[key][1]:
                    del patched[key]
                    touched.discard(key)
            value = value_of(records[ref], name)
            key = frozen(value)
            if key not in touched:
                value_refs = patched.get(key, (value, set()))[1]
                patched[key] = (value, set(value_refs))
                touched.add(key)
            patched[key][1].add(ref)
        return patched

    def _reorder(self, name: str, order: tuple[list[str], list[str]], records: Mapping[str, Doc],
                 changed: list[str]) -> tuple[list[str], list[str]]:
        """Take every changed record out, then put each back where its new value sorts. (All out first:
        bisecting needs the rest of the list in order by the new values.)"""
        key_of, is_empty = self._sort_key(name)
        moving = set(changed)
        filled = [ref for ref in order[0] if ref not in moving]
        empty = [ref for ref in order[1] if ref not in moving]

        def sort_key(ref: str) -> Any:
            return key_of(records[ref].get(name)), reference_number(ref) or 0
        for ref in changed:
            if is_empty(records[ref].get(name)):
                bisect.insort(empty, ref, key=lambda one: reference_number(one) or 0)
            else:
                bisect.insort(filled, ref, key=sort_key)
        return filled, empty


def _status_position(rtype: RepositoryType) -> Callable[[Any], Any]:
    positions = {status: index for index, status in enumerate(rtype.status_names)}
    return lambda value: positions.get(value, len(positions))


SYSTEM_SORT_KEYS: dict[str, Callable[[RepositoryType], Callable[[Any], Any]]] = {
    "reference": lambda rtype: lambda value: reference_number(value) or 0,
    "status": _status_position,
    "created": lambda rtype: lambda value: value,
    "updated": lambda rtype: lambda value: value,
    "version": lambda rtype: lambda value: value,
    "created_by": lambda rtype: lambda value: str(value).casefold(),
    "updated_by": lambda rtype: lambda value: str(value).casefold(),
}
