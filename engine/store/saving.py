"""What every backend's write path does to record documents the same way: the document of a new record, the
numbers new records get, an edit's and a file's change of a document, the stamp of a save and whether a move
is made. Each backend stores the results its own way; keeping the rules here keeps the backends in agreement.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable, Mapping, Sequence

from engine.errors import ValidationFailed
from engine.notify.notice import Notice
from engine.schema.model import RepositoryType
from engine.store.base import Attachment, Move, NewRecord, Record
from engine.store.documents import (SYSTEM_KEYS, TYPE_REVISION, format_reference, reference_number, stamp,
                                    storable_values)

Doc = dict[str, Any]
Change = Callable[[Doc], Doc]


def new_doc(rtype: RepositoryType, number: int, new: NewRecord, values: Doc, user: str, when: str) -> Doc:
    """The stored document of a new record: an imported one keeps its creation and creator."""
    created = stamp(new.created) if new.created else when
    return {"reference": format_reference(rtype.reference_prefix, number),
            "status": new.status or rtype.initial_status,
            "created": created, "created_by": new.created_by or user, "updated": max(created, when),
            "updated_by": user, "version": 1, "deleted": False, TYPE_REVISION: rtype.revision, **values}


def numbers(prefix: str, first: int, records: Sequence[NewRecord]) -> list[int]:
    """The number of each new record, ``first`` being the counter: the one it asks for (refused unless
    free), else the next ones after every number in use or asked for, so an imported reference is never
    handed out twice."""
    asked: dict[int, str] = {}
    for new in records:
        if new.reference is None:
            continue
        number = free_number(prefix, new.reference, first)
        if number is None or number in asked:
            raise ValidationFailed({"reference": f"Reference {new.reference} is already taken or is not "
                                                 f"a {prefix} reference"})
        asked[number] = new.reference
    following = iter(range(max([first - 1, *asked]) + 1, 1 << 62))
    return [reference_number(new.reference) if new.reference is not None else next(following)
            for new in records]


def free_number(prefix: str, reference: str, first: int) -> int | None:
    """The number of ``reference`` when a new record may take it: this prefix, written as references are
    written, and at or past the counter ``first`` (a number below it may have been handed out)."""
    number = reference_number(reference)
    if number is None or format_reference(prefix, number) != reference:
        return None
    return number if number >= first else None


def replacing(values: Mapping[str, Any], status: str | None) -> Change:
    """An edit: the system fields kept, the values replaced, the status changed when one is given."""
    def replaced(doc: Doc) -> Doc:
        system = {name: value for name, value in doc.items() if name in SYSTEM_KEYS}
        return {**system, "status": status or doc["status"], **values}
    return replaced


def adding_file(field: str, file_id: str) -> Change:
    def add(doc: Doc) -> Doc:
        return {**doc, field: [*file_ids(doc.get(field)), file_id]}
    return add


def dropping_file(field: str, file_id: str) -> Change:
    """The file taken off its field; a field left with no file is left out, as an empty value is."""
    def drop(doc: Doc) -> Doc:
        kept = [one for one in file_ids(doc.get(field)) if one != file_id]
        return {**doc, field: kept} if kept else {k: v for k, v in doc.items() if k != field}
    return drop


def stamped(rtype: RepositoryType, old: Doc, new: Doc, user: str, when: str) -> Doc:
    """``new`` made the next version of ``old``, saved by ``user`` at ``when`` under today's type."""
    new.update(version=old["version"] + 1, updated=when, updated_by=user)
    new[TYPE_REVISION] = rtype.revision
    return new


def writes_nothing(changes: Mapping[str, Any], attachments: Sequence[Any], comment: str) -> bool:
    """A save that changes no value, adds no file and says nothing is not made at all: no version, no moves,
    no notices."""
    return not changes and not attachments and not comment


def moves_record(move: Move, doc: Mapping[str, Any] | None, saving: str) -> bool:
    """Is ``move`` made? Not of the record being saved, nor of one absent, deleted or in that status."""
    return move.reference != saving and doc is not None and not doc.get("deleted") and doc["status"] != move.status


def file_ids(value: Any) -> list[str]:
    """A file field's value as a list of attachment ids (one id alone is accepted too)."""
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def about(notices: Sequence[Notice], reference: str) -> list[Notice]:
    """Notices of a save of ``reference``: one that names no record is about this one."""
    return [notice if notice.reference else replace(notice, reference=reference) for notice in notices]


class SavedChanges:
    """``update``, ``delete`` and ``restore`` of every backend, each one call of the backend's one
    read-modify-write of a record, ``_save(reference, change, ...)``; ``_labels`` names fields in messages."""

    _labels: Mapping[str, str]
    _save: Callable[..., Record]

    def update(self, reference: str, values: Mapping[str, Any], *, user: str, expected_version: int,
               status: str | None = None, attachments: Sequence[Attachment] = (), note: str = "edited",
               comment: str = "", notices: Sequence[Notice] = (), moves: Sequence[Move] = ()) -> Record:
        cleaned = storable_values(values, self._labels)
        return self._save(reference, replacing(cleaned, status), user=user, note=note,
                          expected_version=expected_version, attachments=attachments, comment=comment,
                          notices=notices, moves=moves)

    def delete(self, reference: str, *, user: str) -> Record:
        return self._save(reference, lambda doc: {**doc, "deleted": True}, user=user, note="deleted",
                          include_deleted=True)

    def restore(self, reference: str, *, user: str) -> Record:
        return self._save(reference, lambda doc: {**doc, "deleted": False}, user=user, note="restored",
                          include_deleted=True)
