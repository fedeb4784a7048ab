"""The one write path for records: validate, stage uploaded files, then store, or write nothing at all.

Web forms, the importer and the seeder all create and edit records through ``Records``; nothing else calls
a store's ``insert``, ``insert_many`` or ``update``. One record or thousands (an import) take the same path:
``create`` is ``create_many`` of one, a single write. Files arrive as ``Upload`` values per file field; they are checked and
stored first (under generated names, not yet part of any record), then the record is written with the
file field holding their ids in the same atomic write. If anything fails, the staged files are removed.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Iterable, Mapping, Protocol, Sequence

from engine.errors import AttachmentRejected, ValidationFailed
from engine.schema.model import RepositoryType
from engine.store.base import Attachment, NewRecord, Record, Store, Upload

Uploads = Mapping[str, list[Upload]]
Staged = Mapping[str, list[Attachment]]


@dataclass(frozen=True)
class NewItem:
    """One record for ``Records.create_many``: values, status (the first one when None), files to attach,
    and what an imported record's source said about its creation and reference."""
    values: Mapping[str, Any]
    status: str | None = None
    uploads: Uploads | None = None
    created: datetime | None = None
    created_by: str | None = None
    reference: str | None = None


class ItemFailed(ValidationFailed):
    """Item ``index`` of a ``create_many`` was refused (``errors`` by field, as for one record)."""

    def __init__(self, index: int, errors: Mapping[str, str]):
        self.index = index
        super().__init__(errors)


class Validator(Protocol):
    def validate(self, values: Mapping[str, Any], status: str) -> dict[str, str]: ...


class Records:
    """Create and edit the records of one repository."""

    def __init__(self, rtype: RepositoryType, store: Store, validator: Validator):
        self.rtype = rtype
        self.store = store
        self.validator = validator

    def create(self, values: Mapping[str, Any], *, user: str, status: str | None = None,
               uploads: Uploads | None = None, created: datetime | None = None,
               created_by: str | None = None, reference: str | None = None) -> Record:
        """Save a new record. ``created``, ``created_by`` and ``reference`` keep what an imported record's
        source said (the saving user, now and the next reference otherwise)."""
        item = NewItem(values, status, uploads, created, created_by, reference)
        return self.create_many([item], user=user)[0]

    def create_many(self, items: Sequence["NewItem"], *, user: str,
                    progress: Callable[[int], None] | None = None) -> list[Record]:
        """Save many new records in ONE write: every item is staged and validated first, and if any fails
        (``ItemFailed`` says which) nothing is written and every staged file is removed. ``progress(n)`` is
        told as each item is checked."""
        planned: list[NewRecord] = []
        try:
            for index, item in enumerate(items):
                planned.append(self._plan_new(index, item, user))
                if progress:
                    progress(1)
            return self.store.insert_many(planned, user=user)
        except BaseException:
            self.store.discard_staged(file for new in planned for file in new.attachments)
            raise

    def _plan_new(self, index: int, item: "NewItem", user: str) -> NewRecord:
        """Stage one item's files and validate the values they complete; its staged files are removed if it
        fails, the earlier items' by ``create_many``."""
        status = item.status or self.rtype.initial_status
        staged: Staged = {}
        try:
            staged = self._stage(item.uploads or {}, user)
            values = _with_files(item.values, [], staged, frozenset())
            self._check(values, status)
        except ValidationFailed as failed:
            self.store.discard_staged(_flat(staged))
            raise ItemFailed(index, failed.errors) from None
        except BaseException:
            self.store.discard_staged(_flat(staged))
            raise
        return NewRecord(values, status=status, created=item.created, created_by=item.created_by,
                         reference=item.reference, attachments=_flat(staged))

    def update(self, reference: str, values: Mapping[str, Any], *, user: str, expected_version: int,
               status: str | None = None, uploads: Uploads | None = None,
               remove_attachments: Iterable[str] = ()) -> Record:
        """Save an edit. Fields absent from ``values`` keep their current value; a field set to None is
        cleared. ``EditConflict`` when someone saved since ``expected_version``."""
        current = self.store.get(reference)
        status = status or current.status
        merged = {**current.values, **values}
        attached = self.store.attachments(reference)
        return self._save(
            uploads, user, status,
            plan=lambda staged: _with_files(merged, attached, staged, frozenset(remove_attachments)),
            write=lambda planned, files: self.store.update(reference, planned, user=user, status=status,
                                                           expected_version=expected_version, attachments=files))

    def _save(self, uploads: Uploads | None, user: str, status: str,
              plan: Callable[[Staged], dict[str, Any]], write: Callable[[dict[str, Any], list[Attachment]], Record]
              ) -> Record:
        """Stage the uploads, validate the values they complete, write; on any failure remove the staged
        files, so a refused or failed save leaves nothing behind."""
        staged = self._stage(uploads or {}, user)
        try:
            planned = plan(staged)
            self._check(planned, status)
            return write(planned, _flat(staged))
        except BaseException:
            self.store.discard_staged(_flat(staged))
            raise

    def _check(self, values: Mapping[str, Any], status: str) -> None:
        errors = self.validator.validate(values, status)
        if errors:
            raise ValidationFailed(errors)

    def _stage(self, uploads: Uploads, user: str) -> Staged:
        """Check and store every upload; if any is refused, remove the others and say why, per field."""
        staged: dict[str, list[Attachment]] = {}
        refused: dict[str, str] = {}
        for name, files in uploads.items():
            for upload in files:
                try:
                    attachment = self.store.stage_attachment(name, upload.filename, upload.stream, user=user)
                except AttachmentRejected as rejected:
                    refused.setdefault(name, f"{self._label(name)}: {rejected}")
                    continue
                staged.setdefault(name, []).append(attachment)
        if refused:
            self.store.discard_staged(_flat(staged))
            raise ValidationFailed(refused)
        return staged

    def _label(self, name: str) -> str:
        field = self.rtype.field_map.get(name)
        return field.label if field else name


def _with_files(values: Mapping[str, Any], attached: list[Attachment], staged: Staged,
                removed: frozenset[str]) -> dict[str, Any]:
    """The values with each file field holding its kept files' ids followed by the new uploads' ids.

    A file field is known by its files (those attached now and those just uploaded), not by its type, and
    its value is rebuilt here from them: a form never sets it.
    """
    planned = dict(values)
    kept: dict[str, list[str]] = {}
    for attachment in attached:
        if attachment.id not in removed:
            kept.setdefault(attachment.field, []).append(attachment.id)
        else:
            kept.setdefault(attachment.field, [])
    for name in {*kept, *staged}:
        ids = kept.get(name, []) + [attachment.id for attachment in staged.get(name, [])]
        planned[name] = ids or None
    return planned


def _flat(staged: Staged) -> list[Attachment]:
    return [attachment for attachments in staged.values() for attachment in attachments]
