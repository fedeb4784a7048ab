"""Drafts as the pages and the API both meet them: who may see one, what it is called, and submitting it.

A draft is seen by the person who saved it and by those who may edit anyone's records in the instance
(editors, admins): the same question ``can(person, instance, "edit", owner)`` asks of a record. Anyone else
is told there is no such draft, so its address gives nothing away.

Submitting is the one way a draft becomes a record: ``Records.create``, with every rule, as the new-record
form and the API's create run it. It carries an idempotency key made of the draft's id, so a submit sent
again (a double click, a retry after a dropped connection, a crash between making the record and deleting
the draft) gives back the record the first one made, never a second record.
"""
from __future__ import annotations

from dataclasses import dataclass

from engine.access import User, can
from engine.errors import EngineError, IdempotencyKeyReused, RecordNotFound
from engine.records import Uploads
from engine.store.base import Idempotency, Record
from engine.store.drafts import Draft, DraftNotFound
from engine.schema.model import Field, RepositoryType
from engine.web.site import HostedRepository, Site, form_fields

UNTITLED = "Untitled draft"


def draftable(rtype: RepositoryType) -> tuple[Field, ...]:
    """The fields a draft holds: every field a form fills in but the file fields (files come at submit)."""
    return tuple(f for f in form_fields(rtype) if not f.kind.holds_files)


def may_see(person: User, hosted: HostedRepository, draft: Draft) -> bool:
    return can(person, hosted.instance, "edit", draft.owner)


def visible_draft(site: Site, hosted: HostedRepository, person: User, draft_id: str) -> Draft:
    """The draft, for someone who may see it; ``DraftNotFound`` both when it does not exist and when they may
    not see it."""
    draft = site.drafts(hosted).get(draft_id)
    if not may_see(person, hosted, draft):
        raise DraftNotFound()
    return draft


def draft_title(hosted: HostedRepository, draft: Draft) -> str:
    """The draft's title field as text, or "Untitled draft" while it has none."""
    field = hosted.rtype.field_map.get(hosted.rtype.record_title)
    text = field.kind.display_text(field, draft.values.get(field.name)) if field else ""
    return text or UNTITLED


def submit_key(draft_id: str) -> str:
    return f"draft:{draft_id}"


def submitted_as(site: Site, hosted: HostedRepository, draft_id: str) -> Record | None:
    """The record a submit of this draft made (within the idempotency window), if one did and it is live."""
    reference = site.store(hosted).created_with(submit_key(draft_id))
    if reference is None:
        return None
    try:
        return site.store(hosted).get(reference)
    except RecordNotFound:
        return None


@dataclass(frozen=True)
class Submitted:
    record: Record
    replayed: bool      # the draft had been submitted already: this is the record that submit made


class AlreadySubmitted(EngineError):
    """The draft was submitted, then changed: the record it made is kept, and so are the changes, in the draft."""

    def __init__(self, reference: str):
        self.reference = reference
        super().__init__(f"This draft was submitted already, as {reference}, and has changed since. Your "
                         f"changes are kept in the draft: open {reference} to make them there, then delete "
                         "the draft.")


def submit(site: Site, hosted: HostedRepository, draft: Draft, *, user: str,
           uploads: Uploads | None = None) -> Submitted:
    """Make the record from the draft, then delete the draft. ``ValidationFailed`` (the draft kept) when a
    rule refuses it. The record is the draft owner's, whoever submits it (an editor finishing it for them)."""
    key = submit_key(draft.id)
    replayed = site.store(hosted).created_with(key) is not None
    try:
        record = site.records(hosted).create(_current_fields(hosted, draft), user=user, created_by=draft.owner,
                                             uploads=uploads, idempotency=Idempotency(key, draft.fingerprint))
    except IdempotencyKeyReused as reused:
        raise AlreadySubmitted(reused.reference) from None
    # Deleted only once the record is written: a crash between the two leaves the draft, and submitting it
    # again gives back the record already made.
    site.drafts(hosted).delete(draft.id)
    return Submitted(record, replayed)


def _current_fields(hosted: HostedRepository, draft: Draft) -> dict:
    """The draft's values of fields the type still has: a field removed since it was saved is not asked for."""
    return {name: value for name, value in draft.values.items() if name in hosted.rtype.field_map}
