"""Drafts: new records a person saved before finishing them, kept apart from the records until submitted.

A draft has no reference and is not a record: it is in no list, search, count or export, and nothing checks
its values but their size. It becomes a record only when submitted, through ``Records.create``, which runs
every rule (see ``engine.web.drafting``).

Layout: ``<data>/<instance>/<repository>/drafts.json`` beside the repository's records, holding every draft
of that repository (``{"format": 1, "drafts": {id: {...}}}``), and ``drafts.lock``; with a database, the same
JSON in its document ``drafts:<instance>/<repository>`` (``engine.store.places``). Every change takes the
lock (across processes and threads), reads the drafts afresh, and replaces them whole and durably
(``engine.store.wholefile``), so a crash leaves the drafts before the change or after it, and two workers
saving drafts at once never lose each other's. Reads are served from memory while nothing changed.

A file that cannot be read (not JSON, not the layout above, a draft missing a part) is refused with
``DraftsDamaged`` on every read and write, never taken for "no drafts": saving over it would lose them all.
A missing file is a repository where nobody has saved a draft.
"""
from __future__ import annotations

import hashlib
import json
import re
import secrets
import threading
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Mapping

from engine.config import Paths
from engine.errors import DataDamaged, EngineError, NotFound, StoreError
from engine.schema.model import Instance, RepositoryType
from engine.store.documents import parse_stamp, stamp, utc_now
from engine.store.places import Place, instance_place, whole_document
from engine.store.wholefile import Layout

NAME = "drafts"
FORMAT = 1
#: The most one draft's values may take as JSON: far more than any form's answers, far less than a disk.
MAX_DRAFT_BYTES = 1024 * 1024
#: How many drafts one person may keep in one repository.
MAX_DRAFTS_PER_PERSON = 20
#: A draft id as ``new_id`` makes them (URL-safe base64); anything else names no draft.
ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")


@dataclass(frozen=True)
class Draft:
    """One person's unfinished new record: the values as they last saved them."""
    id: str
    owner: str
    created: datetime
    updated: datetime
    version: int
    values: Mapping[str, Any]

    @property
    def fingerprint(self) -> str:
        """The same for the same values, however ordered: what a submit's idempotency is checked against."""
        canonical = json.dumps(self.values, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("ascii")).hexdigest()


class DraftNotFound(NotFound):
    """No such draft, or one the person may not see: the two are answered alike."""

    def __init__(self) -> None:
        super().__init__("There is no draft at this address. It may have been submitted or deleted.")


class DraftRefused(EngineError):
    """A draft that was not saved, with why in the person's words."""


class DraftTooLarge(DraftRefused):
    def __init__(self, size: int, limit: int):
        super().__init__(f"Your draft was not saved: its answers take {_size(size)} and a draft may hold "
                         f"{_size(limit)}. Shorten the longest answers, then save it again.")


class TooManyDrafts(DraftRefused):
    def __init__(self, limit: int):
        super().__init__(f"Your draft was not saved: you already have {limit} drafts here, the most one "
                         "person may keep. Submit or delete one of them (they are listed on My submissions), "
                         "then save this one.")


class DraftConflict(EngineError):
    """The draft was saved elsewhere (another tab, another device) after this copy of it was read."""

    def __init__(self, current: Draft, expected_version: int):
        self.current = current
        self.expected_version = expected_version
        super().__init__(f"This draft was saved somewhere else since you opened it (now version "
                         f"{current.version}, you started from version {expected_version}).")


class DraftsDamaged(DataDamaged):
    """The drafts file of a repository cannot be read; its records are not affected."""

    USER_MESSAGE = ("Your drafts here could not be read. Nothing has been changed. Ask the service team to "
                    "look at the drafts of this repository.")


ADVICE = ("Restore drafts.json from a backup, or move it aside to start again with no drafts "
          "(they are unfinished submissions: every record is untouched).")


def new_id() -> str:
    return secrets.token_urlsafe(16)


def _size(count: int) -> str:
    return f"{count / (1024 * 1024):.1f} MB" if count >= 1024 * 1024 else f"{max(1, round(count / 1024))} KB"


class Drafts:
    """The drafts of one repository of one instance, kept at ``place`` (the repository's data folder, or its
    place in the database)."""

    def __init__(self, place: Place, *, max_bytes: int = MAX_DRAFT_BYTES,
                 max_per_person: int = MAX_DRAFTS_PER_PERSON):
        self.max_bytes = max_bytes
        self.max_per_person = max_per_person
        self._file = whole_document(place, NAME, LAYOUT, busy=lambda: StoreError(
            "Drafts are being saved by someone else; yours was not saved. Try again in a moment."))
        self.path = self._file.where        # the file (or the database document) named in messages

    # -- reading ----------------------------------------------------------------------------------------------
    def get(self, draft_id: str) -> Draft:
        draft = self._current().get(draft_id) if ID_PATTERN.fullmatch(draft_id or "") else None
        if draft is None:
            raise DraftNotFound()
        return draft

    def owned_by(self, owner: str) -> list[Draft]:
        """The person's drafts, the last saved first."""
        found = [draft for draft in self._current().values() if draft.owner == owner]
        return sorted(found, key=lambda draft: draft.updated, reverse=True)

    def verify(self) -> list[DataDamaged]:
        """The drafts' faults, read afresh (empty when sound or absent)."""
        return self._file.verify()

    def _current(self) -> dict[str, Draft]:
        return self._file.current()

    # -- writing ----------------------------------------------------------------------------------------------
    def add(self, owner: str, values: Mapping[str, Any], *, now: datetime | None = None) -> Draft:
        """Save a new draft of ``owner``'s; ``DraftRefused`` when it is too large or they have too many."""
        when = now or utc_now()
        draft = Draft(new_id(), owner, when, when, 1, self._bounded(values))
        with self._changing() as drafts:
            if sum(1 for kept in drafts.values() if kept.owner == owner) >= self.max_per_person:
                raise TooManyDrafts(self.max_per_person)
            drafts[draft.id] = draft
        return draft

    def update(self, draft_id: str, values: Mapping[str, Any], *, expected_version: int,
               now: datetime | None = None) -> Draft:
        """Replace the draft's values when it is still at ``expected_version`` (``DraftConflict`` otherwise).
        A save that changes nothing is no conflict: it overwrites nobody's work."""
        values = self._bounded(values)
        with self._changing() as drafts:
            current = drafts.get(draft_id)
            if current is None:
                raise DraftNotFound()
            if dict(current.values) == values:
                return current
            if current.version != expected_version:
                raise DraftConflict(current, expected_version)
            saved = drafts[draft_id] = replace(current, values=values, version=current.version + 1,
                                               updated=now or utc_now())
        return saved

    def delete(self, draft_id: str) -> bool:
        """Remove a draft; False when it was already gone (a submit sent twice deletes it once)."""
        with self._changing() as drafts:
            return drafts.pop(draft_id, None) is not None

    def _bounded(self, values: Mapping[str, Any]) -> dict[str, Any]:
        kept = {name: value for name, value in values.items() if value is not None}
        size = len(json.dumps(kept, ensure_ascii=False).encode("utf-8"))
        if size > self.max_bytes:
            raise DraftTooLarge(size, self.max_bytes)
        return kept

    def _changing(self):
        """The drafts as they are kept now, under the lock, to change in place (``Document.changing``)."""
        return self._file.changing()


def _body(drafts: dict[str, Draft]) -> bytes:
    return json.dumps({"format": FORMAT, "drafts": {d.id: _doc(d) for d in drafts.values()}},
                      ensure_ascii=False, sort_keys=True).encode("utf-8")


def _doc(draft: Draft) -> dict[str, Any]:
    return {"owner": draft.owner, "created": stamp(draft.created), "updated": stamp(draft.updated),
            "version": draft.version, "values": dict(draft.values)}


def _parse(path: Any, raw: bytes | None) -> dict[str, Draft]:
    """Every draft the file holds; ``DraftsDamaged`` naming what is wrong when it cannot be read whole."""
    if raw is None:
        return {}
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise DraftsDamaged(path, "the file is not readable JSON (empty, cut short or overwritten).",
                            ADVICE) from None
    if not isinstance(body, dict) or body.get("format") != FORMAT or not isinstance(body.get("drafts"), dict):
        raise DraftsDamaged(path, f"the file is not a drafts file of format {FORMAT}.", ADVICE)
    return {draft_id: _draft(path, draft_id, doc) for draft_id, doc in body["drafts"].items()}


def _draft(path: Any, draft_id: str, doc: Any) -> Draft:
    try:
        if not ID_PATTERN.fullmatch(draft_id) or not isinstance(doc["owner"], str) \
                or not isinstance(doc["values"], dict) or type(doc["version"]) is not int or doc["version"] < 1:
            raise ValueError
        return Draft(draft_id, doc["owner"], parse_stamp(doc["created"]), parse_stamp(doc["updated"]),
                     doc["version"], doc["values"])
    except (KeyError, TypeError, ValueError):
        raise DraftsDamaged(path, f"draft {draft_id[:64]!r} is missing a part or holds one that cannot be read.",
                            ADVICE) from None


LAYOUT: Layout[Draft] = Layout(_parse, _body)


class DraftStores:
    """Every open ``Drafts`` of an application, by instance and repository: each opened once, then reused
    (its memory of the file is what spares a read per request)."""

    def __init__(self, paths: Paths):
        self.paths = paths
        self._open: dict[tuple[str, str], Drafts] = {}
        self._opening = threading.Lock()

    def get(self, instance: Instance, rtype: RepositoryType) -> Drafts:
        key = (instance.name, rtype.name)
        with self._opening:
            if key not in self._open:
                self._open[key] = Drafts(instance_place(self.paths, instance.name) / rtype.name)
            return self._open[key]
