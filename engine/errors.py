"""Typed domain errors. One web handler turns each into a page (or JSON on API paths)."""
from __future__ import annotations

import errno
from typing import Any, Mapping


class EngineError(Exception):
    """Base of every error the engine raises on purpose; ``str()`` is a message for users."""


class SchemaError(EngineError):
    """One or more problems in YAML schemas or instances, each ``file:line: message``."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class NotFound(EngineError):
    """Base for anything a URL can name that does not exist."""


class InstanceNotFound(NotFound):
    pass


class RepositoryNotFound(NotFound):
    pass


class RecordNotFound(NotFound):
    def __init__(self, reference: str):
        self.reference = reference
        super().__init__(f"There is no record {reference}.")


class AttachmentNotFound(NotFound):
    pass


class ValidationFailed(EngineError):
    """Values refused before anything was written; ``errors`` maps field name to a message naming its label."""

    def __init__(self, errors: Mapping[str, str]):
        self.errors = dict(errors)
        super().__init__("; ".join(self.errors.values()))


class ActionNotFound(NotFound):
    """A workflow action a URL or request names that the repository's type does not have."""


class PermissionRefused(EngineError):
    """The person may not do this to this record (a workflow action someone else's to take); the message says
    who may. The web answers 403, the API 403 with the message."""


class EditConflict(EngineError):
    """Someone saved the record after the editor loaded it. ``current`` is the record as it is now.

    Most such saves merge (see ``Records.update``); this is raised when they cannot: ``fields`` names the
    fields both people changed to different values (empty when the version started from is unknown), and
    ``yours`` holds the values this person gave them."""

    def __init__(self, reference: str, expected_version: int, current: Any, fields: tuple[str, ...] = (),
                 yours: Mapping[str, Any] | None = None):
        self.reference = reference
        self.expected_version = expected_version
        self.current = current
        self.fields = tuple(fields)
        self.yours = dict(yours or {})
        super().__init__(
            f"{reference} was changed by someone else (now version {current.version}, "
            f"you started from version {expected_version})."
            + (f" You both changed: {', '.join(self.fields)}." if self.fields else "")
        )


class AttachmentRejected(EngineError):
    """An upload refused for its size or type; the message says which and why."""


class StoreError(EngineError):
    """Persistence failed; nothing was written."""


class DataDamaged(StoreError):
    """A repository's stored data is missing, unreadable or does not match what was written. The repository
    is served as unavailable and refuses every write until ``repo-engine check`` and ``recover`` have been
    run: damaged data is never read as an empty repository. ``path`` is the file at fault, ``fault`` says
    what is wrong with it and ``advice`` what to do, both in an operator's words; ``str()`` is for users."""

    USER_MESSAGE = ("This repository's data could not be read. Nothing has been changed. Ask the service team "
                    "to run `repo-engine check`.")

    def __init__(self, path: Any, fault: str, advice: str = ""):
        self.path = path
        self.fault = fault
        self.advice = advice or "Run `repo-engine recover INSTANCE REPO` to rebuild it from what is good."
        super().__init__(self.USER_MESSAGE)

    def report(self) -> str:
        """``file: fault. advice`` for logs and the command line."""
        return f"{self.path}: {self.fault} {self.advice}"


class OutOfSpace(StoreError):
    """The disk (or the quota) is full: nothing was written, and what was acknowledged before is intact.
    Writing works again, without a restart, as soon as space is freed."""

    def __init__(self, path: Any = None):
        self.path = path
        super().__init__("The server has run out of space; your answers have not been saved.")


class IdempotencyKeyReused(EngineError):
    """An API client sent an ``Idempotency-Key`` already used, within its lifetime, for a different create."""

    def __init__(self, reference: str):
        self.reference = reference
        super().__init__(f"This Idempotency-Key was already used to create {reference} with different values. "
                         "Send a new key for a new record.")


#: ``errno`` of a write refused because the disk, or the quota of the user the service runs as, is full.
DISK_FULL = frozenset(code for code in (errno.ENOSPC, getattr(errno, "EDQUOT", None)) if code is not None)


def as_out_of_space(error: BaseException) -> OutOfSpace | None:
    """``error`` as an ``OutOfSpace``: itself, or one naming the file of an ``OSError`` of a full disk or
    quota (a file written outside the store: the account list, the count of failed sign-ins); else None."""
    if isinstance(error, OutOfSpace):
        return error
    if isinstance(error, OSError) and error.errno in DISK_FULL:
        return OutOfSpace(error.filename)
    return None
