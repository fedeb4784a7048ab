"""Versions of a record: what one save changed, and every earlier version rebuilt from the current one.

Each save stores a small history document: the version it produced, who and when, a note, and for each
changed key its old and new value. The record document itself holds only the latest values, so the file
grows with what changed, not with a copy of the record per version; an earlier version is the current one
with the later changes undone, newest first.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

from engine.store.base import Change, Version
from engine.store.documents import SYSTEM_KEYS, TYPE_REVISION, field_values, to_record

#: Keys a save can change: the field values plus these.
TRACKED_SYSTEM_KEYS = ("status", "deleted")
#: Kept in the stored changes (restoring needs it) but not shown as a changed field.
HIDDEN_CHANGES = frozenset({"deleted"})


def diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Changed keys -> [old, new], over field values, status and the deleted flag."""
    names = [*TRACKED_SYSTEM_KEYS, *field_values(old), *(n for n in field_values(new) if n not in old)]
    changes = {}
    for name in dict.fromkeys(names):
        before, after = old.get(name), new.get(name)
        if before != after:
            changes[name] = [before, after]
    return changes


def version_doc(doc: Mapping[str, Any], note: str, changes: Mapping[str, list[Any]], comment: str = ""
                ) -> dict[str, Any]:
    """The history document for the save that produced record document ``doc``; a ``comment`` (what the
    person wrote with a workflow action) is kept only when there is one."""
    entry = {"reference": doc["reference"], "version": doc["version"], "at": doc["updated"],
             "by": doc["updated_by"], "note": note, "changes": dict(changes)}
    if comment:
        entry["comment"] = comment
    if doc.get(TYPE_REVISION):
        entry[TYPE_REVISION] = doc[TYPE_REVISION]
    return entry


def rebuild(current: Mapping[str, Any], versions: Sequence[Mapping[str, Any]], order: Sequence[str] = ()
            ) -> list[Version]:
    """Every version, oldest first, from the current record document and its history documents. Each
    version's changes come status first, then in ``order`` (the type's fields), whatever order the stored
    document kept its keys in (a database's JSON keeps none)."""
    position = {name: index for index, name in enumerate(("status", *order))}
    rebuilt: list[Version] = []
    state = dict(current)
    for later, entry in enumerate(reversed(versions)):
        state.update(version=entry["version"], updated=entry["at"], updated_by=entry["by"])
        if later:       # the current version is stamped as it is now (a migration restamps it in place)
            state[TYPE_REVISION] = entry.get(TYPE_REVISION, "")
        changes = sorted(_changes(entry, state), key=lambda change: position.get(change.name, len(position)))
        rebuilt.append(Version(to_record(state), tuple(changes), entry["note"], entry.get("comment", "")))
        state = _undo(state, entry["changes"])
    rebuilt.reverse()
    return rebuilt


def _undo(state: Mapping[str, Any], changes: Mapping[str, list[Any]]) -> dict[str, Any]:
    earlier = dict(state)
    for name, (old, _new) in changes.items():
        if old is None and name not in SYSTEM_KEYS:
            earlier.pop(name, None)
        else:
            earlier[name] = old
    return earlier


def _changes(entry: Mapping[str, Any], state: Mapping[str, Any]) -> tuple[Change, ...]:
    """What the save changed; for the first version, every value it was created with."""
    if entry["version"] == 1 and not entry["changes"]:
        created = {"status": [None, state["status"]]}
        created.update({name: [None, value] for name, value in field_values(state).items()})
        return tuple(Change(name, old, new) for name, (old, new) in created.items())
    return tuple(Change(name, old, new) for name, (old, new) in entry["changes"].items()
                 if name not in HIDDEN_CHANGES)
