"""The one write path for records: validate, stage uploaded files, then store, or write nothing at all.

Web forms, the importer and the seeder all create and edit records through ``Records``; nothing else calls a
store's ``insert``, ``insert_many``, ``update``, ``delete`` or ``restore``. One record or thousands (an import)
take the same path: ``create`` is ``create_many`` of one, a single write. Files arrive as ``Upload`` values per
file field; they are checked and stored first (under generated names, not yet part of any record), then the
record is written with the file field holding their ids in the same atomic write. If anything fails, the
staged files are removed. A refused file (its type, size or content) is reported with every other problem of
the save, each naming the file, so one round of fixes is enough. New records and edits prepare their values the same way (``_prepare``), which is
also where text loses its control characters (``without_controls``, as does an imported ``created_by``):
the same characters, whether the text came from a form, the API, an import or the samples.

An edit is judged by what the person changed (``RecordValidator.validate(changed=...)``): old values the type
no longer accepts are kept, never a reason to refuse. The values of fields a ``show_when`` hides are dropped on
every write (``RecordValidator.settle``). An edit started from an older version merges (``engine.merging``).

A create may carry an ``Idempotency`` (the API's ``Idempotency-Key``): the store then makes the record once,
and a repeat of the same create within its window returns the record first made (see ``Store.insert_many``).

A reference field may only point at a live record of its target repository in the same instance: ``Records``
asks a ``ReferenceLookup`` (``live_references``, the one place that builds it from the open stores). A value a
record already held is not asked again, so a record whose linked record was since deleted stays editable.

A type with a ``workflow:`` moves its records on only through its actions (``act``, checked by
``engine.workflow.rules``): a new record starts in a start status and an edit keeps the status, unless an admin
is importing history (``history=True``). Each write queues its notices (``engine.notify.recipients``) in the
same write: a submitted record, an action, a comment (``comment``), an edit. ``open_records`` makes the
``Records`` of a repository with all of this, for every path (site, API, import, seed).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Callable, Collection, Iterable, Mapping, Protocol, Sequence

from engine.access.policy import User
from engine.errors import (ActionNotFound, AttachmentRejected, EditConflict, PermissionRefused, RecordNotFound,
                           ValidationFailed)
from engine.fields.values import as_list, without_controls
from engine.merging import Edit, changed_names, merge
from engine.notify.notice import Notice
from engine.notify.recipients import Notifier, People
from engine.schema.compile import RecordValidator
from engine.schema.model import Action, Instance, RepositoryType
from engine.store import Stores
from engine.store.attachments import display_name
from engine.store.base import Attachment, Comment, Idempotency, Move, NewRecord, Record, Store, Upload
from engine.workflow.rules import MAX_COMMENT, may_act, refusals, start_refusal, status_refusal, who_words

Uploads = Mapping[str, list[Upload]]
#: A save that merges is tried again this many times when yet another save lands between reading and writing.
MERGE_ATTEMPTS = 3
Staged = Mapping[str, list[Attachment]]
#: ``exists(target, reference)``: is ``reference`` a live (not deleted) record of repository ``target``?
ReferenceLookup = Callable[[str, str], bool]


def live_references(stores: Stores, instance: Instance) -> ReferenceLookup:
    """Whether a reference names a live record of one of ``instance``'s repositories: what reference fields
    are checked against on every write and what a record page links to (a reference never crosses instances)."""
    def exists(target: str, reference: str) -> bool:
        if not instance.has_repository(target):
            return False
        try:
            stores.get(instance, instance.repository(target)).get(reference)
        except RecordNotFound:
            return False
        return True
    return exists


@dataclass(frozen=True)
class NewItem:
    """One record for ``Records.create_many``: values, status (the first one when None), files to attach,
    what an imported record's source said about its creation and reference, and the client's idempotency key
    for this create (scoped to the client already)."""
    values: Mapping[str, Any]
    status: str | None = None
    uploads: Uploads | None = None
    created: datetime | None = None
    created_by: str | None = None
    reference: str | None = None
    idempotency: Idempotency | None = None


class ItemFailed(ValidationFailed):
    """Item ``index`` of a ``create_many`` was refused (``errors`` by field, as for one record)."""

    def __init__(self, index: int, errors: Mapping[str, str]):
        self.index = index
        super().__init__(errors)


class Validator(Protocol):
    """The rules of a type (``engine.schema.compile.RecordValidator``)."""
    def validate(self, values: Mapping[str, Any], status: str, *,
                 changed: Collection[str] | None = None) -> dict[str, str]: ...

    def settle(self, values: Mapping[str, Any], status: str) -> dict[str, Any]: ...

    def hidden(self, values: Mapping[str, Any], status: str) -> dict[str, str]: ...


def open_records(stores: Stores, instance: Instance, rtype: RepositoryType, *, validator: Validator | None = None,
                 people: People | None = None, secret: str | None = None) -> "Records":
    """The write path of one repository of ``instance`` with every rule: reference fields checked against the
    instance's live records, the type's workflow decided for ``instance``, notices to the people ``people``
    (``Accounts``) holds, unsubscribe links signed with ``secret``. The site, the API, imports and the seeder
    all make their ``Records`` here, so a rule applies the same way whatever the path."""
    store = stores.get(instance, rtype)
    notifier = Notifier(instance, rtype, people, store.watchers, secret)
    return Records(rtype, store, validator or RecordValidator(rtype), live_references(stores, instance),
                   instance=instance.name, notifier=notifier)


class Records:
    """Create, edit and move on the records of one repository. ``instance``: the instance's name (whose roles
    may take workflow actions); ``notifier``: who is told of each write (None: nobody)."""

    def __init__(self, rtype: RepositoryType, store: Store, validator: Validator,
                 references: ReferenceLookup | None = None, *, instance: str | None = None,
                 notifier: Notifier | None = None):
        self.rtype = rtype
        self.store = store
        self.validator = validator
        self.references = references    # None: reference values are not looked up (tests of the store alone)
        self.notifier = notifier
        self.instance = instance if instance is not None else (notifier.instance.name if notifier else "")

    def create(self, values: Mapping[str, Any], *, user: str, status: str | None = None,
               uploads: Uploads | None = None, created: datetime | None = None,
               created_by: str | None = None, reference: str | None = None,
               idempotency: Idempotency | None = None, history: bool = False, notify: bool = True) -> Record:
        """Save a new record. ``created``, ``created_by`` and ``reference`` keep what an imported record's
        source said (the saving user, now and the next reference otherwise). With ``idempotency``, a create
        already made under its key returns that record (``IdempotencyKeyReused`` if it had other values).
        ``history``: any status of the type may be given (an admin importing history; the seeder), not only a
        start status. ``notify``: the type's ``submitted`` rules are told (a person submitting it)."""
        item = NewItem(values, status, uploads, created, created_by, reference, idempotency)
        return self.create_many([item], user=user, history=history, notify=notify)[0]

    def create_many(self, items: Sequence["NewItem"], *, user: str,
                    progress: Callable[[int], None] | None = None, history: bool = False,
                    notify: bool = False) -> list[Record]:
        """Save many new records in ONE write: every item is staged and validated first, and if any fails
        (``ItemFailed`` says which) nothing is written and every staged file is removed. ``progress(n)`` is
        told as each item is checked. A reference field may name a record of the same batch by the reference
        it keeps (``NewItem.reference``), earlier or later in it: the batch is written whole or not at all.
        ``history`` and ``notify`` as for ``create``; an import or the seeder tells nobody."""
        planned: list[NewRecord] = []
        batch = frozenset(item.reference for item in items if item.reference)
        try:
            for index, item in enumerate(items):
                new = self._plan_new(index, item, user, batch, history)
                if notify and self.notifier is not None:
                    new = replace(new, notices=self.notifier.submitted(new.values, new.status, self._person(user)))
                planned.append(new)
                if progress:
                    progress(1)
            return self.store.insert_many(planned, user=user)
        except BaseException:
            self.store.discard_staged(file for new in planned for file in new.attachments)
            raise

    def _plan_new(self, index: int, item: "NewItem", user: str, batch: frozenset[str], history: bool) -> NewRecord:
        """One item's staged files and checked values; a refusal names the item (``ItemFailed``). The
        earlier items' staged files are removed by ``create_many``."""
        status = item.status or self.rtype.initial_status
        refused = {} if history else {"status": why} if (why := start_refusal(self.rtype, status)) else {}
        try:
            values, files = self._prepare(item.values, item.uploads, user, status, batch=batch)
        except ValidationFailed as failed:
            raise ItemFailed(index, {**failed.errors, **refused}) from None
        if refused:
            self.store.discard_staged(files)
            raise ItemFailed(index, refused)
        return NewRecord(values, status=status, created=item.created,
                         created_by=without_controls(item.created_by), reference=item.reference,
                         attachments=files, idempotency=item.idempotency)

    def delete(self, reference: str, *, user: str) -> Record:
        """Soft delete: hidden from every page and list, kept with its history and files until restored."""
        return self.store.delete(reference, user=user)

    def restore(self, reference: str, *, user: str) -> Record:
        """Bring a deleted record back, as it was."""
        return self.store.restore(reference, user=user)

    def update(self, reference: str, values: Mapping[str, Any], *, user: str, expected_version: int,
               status: str | None = None, uploads: Uploads | None = None,
               remove_attachments: Iterable[str] = (), history: bool = False) -> Record:
        """Save an edit. Fields absent from ``values`` keep their current value; a field set to None is
        cleared. Started from an older version than the current one, it merges (``engine.merging``): what this
        person changed is applied over what others saved since; ``EditConflict`` names the fields both changed.
        Only the values the person changed are held to today's rules (``RecordValidator.validate``). A type
        with a workflow refuses a change of status (``status_refusal``) unless ``history`` (an admin's import).
        The record's watchers and the type's ``edited`` rules are told."""
        attempts = MERGE_ATTEMPTS
        while True:
            current = self.store.get(reference)
            edit = Edit(values, status)
            if current.version != expected_version:
                edit = merge(self.rtype, self.store, current, edit, expected_version)
            try:
                return self._write_edit(current, edit, user, uploads, frozenset(remove_attachments), history)
            except EditConflict:        # another save landed between reading and writing: merge over it too
                attempts -= 1
                if attempts == 0 or uploads:    # an upload's stream is read once: the person sends it again
                    raise

    def restore_version(self, reference: str, number: int, *, user: str, expected_version: int,
                        history: bool = False) -> Record:
        """Make version ``number`` the current one again, as a new version noted "restored version N". Its values
        were the record's own, so they are not held to today's rules; hidden fields are still dropped. A type
        with a workflow keeps today's status (it changes only through the actions) unless ``history`` (an
        import putting back what it wrote)."""
        current = self.store.get(reference)
        if current.version != expected_version:
            raise EditConflict(reference, expected_version, current)
        old = next((v.record for v in self.store.history(reference) if v.record.version == number), None)
        if old is None:
            raise RecordNotFound(f"{reference} version {number}")
        files = {f.name for f in self.rtype.fields if f.kind.holds_files}
        values = {name: None for name in current.values if name not in files}
        values.update({name: value for name, value in old.values.items() if name not in files})
        status = old.status if history or self.rtype.workflow is None else current.status
        planned = self.validator.settle(without_controls({**current.values, **values}), status)
        return self.store.update(reference, planned, user=user, status=status, expected_version=current.version,
                                 note=f"restored version {number}")

    def _write_edit(self, current: Record, edit: Edit, user: str, uploads: Uploads | None,
                    removed: frozenset[str], history: bool) -> Record:
        status = edit.status or current.status
        refused = None if history else status_refusal(self.rtype, current.status, status)
        if refused:
            raise ValidationFailed({"status": refused})
        changed = changed_names(self.rtype, current, edit.values, edit.status)
        changed |= {name for name in (uploads or {})}
        changed |= {a.field for a in self.store.attachments(current.reference) if a.id in removed}
        planned, files = self._prepare({**current.values, **edit.values}, uploads, user, status,
                                       attached=self.store.attachments(current.reference), removed=removed,
                                       before=current.values, changed=changed)
        try:
            notices = self._edited(current, planned, status, user) if changed else []
            return self.store.update(current.reference, planned, user=user, status=status,
                                     expected_version=current.version, attachments=files, notices=notices)
        except BaseException:
            self.store.discard_staged(files)
            raise

    def _edited(self, current: Record, values: Mapping[str, Any], status: str, user: str) -> list[Notice]:
        if self.notifier is None:
            return []
        return self.notifier.edited(replace(current, values=values, status=status), self._person(user))

    # -- workflow and discussion ----------------------------------------------------------------------------
    def act(self, reference: str, action_slug: str, *, actor: User, comment: str = "",
            expected_version: int) -> Record:
        """Take a workflow action: the record moves to the action's status in a new version whose history note
        is the action's name and whose comment is kept; the records it supersedes move on (``then:
        superseded``) and the notices are queued, all in the same write. ``ActionNotFound`` for an action the
        type lacks, ``PermissionRefused`` (saying who may) when ``actor`` may not take it, ``ValidationFailed``
        when it cannot be taken now (``engine.workflow.rules.refusals``, and the type's rules for the new
        status), ``EditConflict`` when the record changed since ``expected_version``. A refused action writes
        nothing."""
        action = self._action(action_slug)
        current = self.store.get(reference)
        if not may_act(actor, self.instance or "", action, current):
            raise PermissionRefused(f"Only {who_words(self.rtype, action)} can use {action.name} on "
                                    f"{with_title(self.rtype, current)}.")
        text = _comment_text(comment)
        values = self.validator.settle(dict(current.values), action.to)
        errors = refusals(self.rtype, action, current, text)
        if "status" not in errors:      # the type's own rules for a record in the new status
            for name, message in self.validator.validate(values, action.to, changed={"status"}).items():
                errors.setdefault(name, message)
        if errors:
            raise ValidationFailed(errors)
        if current.version != expected_version:
            raise EditConflict(reference, expected_version, current)
        notices = self.notifier.acted(current, action, text, actor) if self.notifier else []
        return self.store.update(reference, values, user=actor.username, expected_version=current.version,
                                 status=action.to, note=action.name, comment=text, notices=notices,
                                 moves=self._moves(current, action))

    def comment(self, reference: str, text: str, *, actor: User) -> Comment:
        """Add a comment beside a live record, telling its watchers and the type's ``commented`` rules in the
        same write. ``ValidationFailed`` for an empty or too long comment; ``PermissionRefused`` for nobody
        signed in (who else may comment is the page's to decide)."""
        if not actor.signed_in:
            raise PermissionRefused("Sign in to comment.")
        text = _comment_text(text)
        if not text:
            raise ValidationFailed({"comment": "Enter a comment"})
        if len(text) > MAX_COMMENT:
            raise ValidationFailed({"comment": f"Comment must be {MAX_COMMENT:,} characters or fewer"})
        record = self.store.get(reference)
        notices = self.notifier.commented(record, text, actor) if self.notifier else []
        return self.store.add_comment(reference, text, user=actor.username, notices=notices)

    def _action(self, slug: str) -> Action:
        action = self.rtype.workflow.action(slug) if self.rtype.workflow else None
        if action is None:
            raise ActionNotFound(f"{self.rtype.title_plural} have no action “{slug}”.")
        return action

    def _moves(self, current: Record, action: Action) -> list[Move]:
        """The records ``current`` supersedes, each to the action's ``then: superseded`` status."""
        field = self.rtype.superseding_field
        if not action.then_superseded or field is None:
            return []
        named = dict.fromkeys(ref for ref in as_list(current.values.get(field.name))
                              if isinstance(ref, str) and ref != current.reference)
        return [Move(ref, action.then_superseded, f"superseded by {current.reference}") for ref in named]

    def _person(self, username: str) -> User:
        return self.notifier.person(username) if self.notifier else User(username=username)

    def _prepare(self, values: Mapping[str, Any], uploads: Uploads | None, user: str, status: str, *,
                 attached: Sequence[Attachment] = (), removed: frozenset[str] = frozenset(),
                 before: Mapping[str, Any] | None = None, batch: frozenset[str] = frozenset(),
                 changed: Collection[str] | None = None) -> tuple[dict[str, Any], list[Attachment]]:
        """Drop control characters from the text, stage the uploads, complete the values with the ids of the
        files kept and added, drop the values of hidden fields, check them: what new records and edits both do
        before writing. On any failure the staged files are removed, so a refused save leaves nothing behind."""
        staged, refused = self._stage(uploads or {}, user)
        try:
            planned = _with_files(without_controls(dict(values)), attached, staged, removed)
            planned = self.validator.settle(planned, status)
            self._check(planned, status, before=before, batch=batch, changed=changed, refused=refused)
        except BaseException:
            self.store.discard_staged(_flat(staged))
            raise
        return planned, _flat(staged)

    def _check(self, values: Mapping[str, Any], status: str, *, before: Mapping[str, Any] | None = None,
               batch: frozenset[str] = frozenset(), changed: Collection[str] | None = None,
               refused: Mapping[str, str] | None = None) -> None:
        errors = self.validator.validate(values, status, changed=changed)
        for name, message in self.dangling(values, before, batch).items():
            errors.setdefault(name, message)
        errors.update(refused or {})    # a refused file is the problem of its field, before "Upload ..."
        if errors:
            raise ValidationFailed(errors)

    def dangling(self, values: Mapping[str, Any], before: Mapping[str, Any] | None = None,
                 batch: frozenset[str] = frozenset()) -> dict[str, str]:
        """By reference field, what is wrong with the references ``values`` name that are not live records of
        the field's target: ``before`` (the record as stored) holds values not asked again, ``batch`` the
        references of records being written in the same write as these values."""
        if self.references is None:
            return {}
        found = {}
        for field in self.rtype.fields:
            if not field.target:
                continue
            held = as_list((before or {}).get(field.name))
            ours = batch if field.target == self.rtype.name else frozenset()
            missing = [ref for ref in as_list(values.get(field.name)) if isinstance(ref, str)
                       and ref not in held and ref not in ours and not self.references(field.target, ref)]
            if missing:
                found[field.name] = field.kind.missing_message(field, missing)
        return found

    def refused_uploads(self, uploads: Uploads, *, user: str) -> dict[str, str]:
        """Why the store would refuse any of ``uploads``, by field, keeping none of them: for a save refused
        before it is tried (a form with a value it could not read), so its files' problems are named with
        the others."""
        staged, refused = self._stage(uploads, user)
        self.store.discard_staged(_flat(staged))
        return refused

    def _stage(self, uploads: Uploads, user: str) -> tuple[Staged, dict[str, str]]:
        """Check and store every upload: the staged files, and per field why the first refused one was
        refused, naming it ("Report: The file must be a PDF (notes.txt was not attached)")."""
        staged: dict[str, list[Attachment]] = {}
        refused: dict[str, str] = {}
        for name, files in uploads.items():
            for upload in files:
                try:
                    attachment = self.store.stage_attachment(name, upload.filename, upload.stream, user=user)
                except AttachmentRejected as rejected:
                    refused.setdefault(name, f"{self._label(name)}: {rejected} "
                                             f"({display_name(upload.filename)} was not attached)")
                    continue
                staged.setdefault(name, []).append(attachment)
        return staged, refused

    def _label(self, name: str) -> str:
        field = self.rtype.field_map.get(name)
        return field.label if field else name


def with_title(rtype: RepositoryType, record: Record) -> str:
    """'QI-0003 (Sepsis screening)', or the reference alone when the record has no title."""
    field = rtype.field_map.get(rtype.record_title)
    title = field.kind.display_text(field, record.values.get(field.name)) if field else ""
    return f"{record.reference} ({title})" if title else record.reference


def _comment_text(text: str) -> str:
    """A comment as kept: without control characters, trimmed."""
    return str(without_controls(text or "")).strip()


def _with_files(values: Mapping[str, Any], attached: Sequence[Attachment], staged: Staged,
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
