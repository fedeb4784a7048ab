"""Old field names and old choice values, read as today's: the mapping built from a type's ``renamed_from``.

A ``Renames`` is built once per repository type (``renames_of``). The store applies it to each document as it
comes from the files: records when they are loaded and when another process's saves are replayed, history
change documents, and attachment documents (which name their file field). So every reader (a record page, a
browse with its filters, facets and sort, search, exports, the API, the history) sees only today's names and
values, while the files keep what was written until ``repo-engine migrate`` rewrites them. A type without a
rename has no ``Renames`` (``renames_of`` gives None), so nothing at all is done per document.

Nothing is dropped. A key that is neither a field nor an old name of one (a field since removed) is kept as
stored. A record holding a value under an old name and under today's name keeps both as they are: today's is
shown, and ``repo-engine check`` reports the other.
"""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Callable, Mapping

from engine.schema.model import RepositoryType

Doc = Mapping[str, Any]
#: A document's key that names a file field: attachment documents say which field holds the file.
FIELD_KEY = "field"


@dataclass(frozen=True)
class Renames:
    """``fields``: old name -> today's. ``choices``: today's field name -> old value -> today's value."""
    fields: Mapping[str, str]
    choices: Mapping[str, Mapping[str, str]]

    def __post_init__(self) -> None:
        # Tuples, walked once per document loaded: the mapping's cost is what opening a store pays.
        object.__setattr__(self, "_moves", tuple(self.fields.items()))
        object.__setattr__(self, "_tables", tuple(self.choices.items()))

    # -- documents as readers see them ------------------------------------------------------------------
    def values(self, doc: Doc) -> Doc:
        """A record document (or any name -> value mapping) in today's names and values; the very same
        object when nothing in it was renamed, so that unaffected records cost no memory."""
        result: dict[str, Any] | None = None
        for old, new in self._moves:  # type: ignore[attr-defined]
            if old in doc and new not in (doc if result is None else result):     # never over another value
                if result is None:
                    result = dict(doc)
                result[new] = result.pop(old)
        for name, table in self._tables:  # type: ignore[attr-defined]
            value = (doc if result is None else result).get(name)
            if value is None:
                continue
            mapped = table.get(value, value) if value.__class__ is str else mapped_value(value, table)
            if mapped is not value:
                if result is None:
                    result = dict(doc)
                result[name] = mapped
        return doc if result is None else result

    def change(self, entry: Doc) -> Doc:
        """A history document whose ``changes`` (name -> [old, new]) name today's fields and values."""
        changes = entry.get("changes")
        if not isinstance(changes, dict) or not changes:
            return entry
        mapped = self._changes(changes)
        return entry if mapped is changes else {**entry, "changes": mapped}

    def attachment(self, doc: Doc) -> Doc:
        """An attachment document naming today's file field."""
        today = self.fields.get(doc.get(FIELD_KEY))  # type: ignore[arg-type]
        return doc if today is None else {**doc, FIELD_KEY: today}

    def _changes(self, changes: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        altered = False
        for name, pair in changes.items():
            today = self.fields.get(name, name)
            if today != name and (today in changes or today in result):     # two names in one save: keep both
                today = name
            table = self.choices.get(today)
            if table and isinstance(pair, list) and len(pair) == 2:
                old, new = mapped_value(pair[0], table), mapped_value(pair[1], table)
                if old is not pair[0] or new is not pair[1]:
                    pair = [old, new]
                    altered = True
            altered |= today != name
            result[today] = pair
        return result if altered else changes

    # -- what a stored document still holds under old names ------------------------------------------------
    def found_in(self, doc: Doc) -> list[str]:
        """Each rename that ``doc`` (as stored) still needs, in words: ``lessons_learned -> lessons``,
        ``methodology: 'Six Sigma' -> 'Lean Six Sigma'``."""
        found = [f"{old} -> {new}" for old, new in self.fields.items() if old in doc and new not in doc]
        for name, table in self.choices.items():
            stored = doc.get(name)
            if stored is None:
                stored = next((doc[old] for old, new in self.fields.items() if new == name and old in doc), None)
            for item in (stored if isinstance(stored, list) else [stored]):
                if isinstance(item, str) and item in table:
                    found.append(f"{name}: '{item}' -> '{table[item]}'")
        return found

    def readers(self, records: str, history: str, attachments: str) -> dict[str, Callable[[Doc], Doc]]:
        """How each of the store's tables (named as it names them) reads today."""
        return {records: self.values, history: self.change, attachments: self.attachment}


def renames_of(rtype: RepositoryType) -> Renames | None:
    """The renames of ``rtype``; None when it has none. An old name that is still the name of a field (or
    an old value that is still a choice) is left alone: today's meaning wins."""
    current = rtype.field_map
    fields = {old: f.name for f in rtype.fields for old in f.renamed_from if old not in current}
    choices = {}
    for f in rtype.fields:
        values = set(f.choice_values)
        table = {old: c.value for c in f.choices for old in c.renamed_from if old not in values}
        if table:
            choices[f.name] = MappingProxyType(table)
    if not fields and not choices:
        return None
    return Renames(MappingProxyType(fields), MappingProxyType(choices))


def mapped_value(value: Any, table: Mapping[str, str]) -> Any:
    """A choice value (or each item of a list of them) in today's words; ``value`` itself when unchanged.
    Two items that now name the same choice become one."""
    if isinstance(value, str):
        return table.get(value, value)
    if isinstance(value, list) and all(isinstance(item, str) for item in value) \
            and any(item in table for item in value):
        return list(dict.fromkeys(table.get(item, item) for item in value))
    return value
