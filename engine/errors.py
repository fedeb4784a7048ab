"""Typed domain errors. One web handler turns each into a page (or JSON on API paths)."""
from __future__ import annotations

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


class EditConflict(EngineError):
    """Someone saved the record after the editor loaded it. ``current`` is the record as it is now."""

    def __init__(self, reference: str, expected_version: int, current: Any):
        self.reference = reference
        self.expected_version = expected_version
        self.current = current
        super().__init__(
            f"{reference} was changed by someone else (now version {current.version}, "
            f"you started from version {expected_version})."
        )


class AttachmentRejected(EngineError):
    """An upload refused for its size or type; the message says which and why."""


class StoreError(EngineError):
    """Persistence failed; nothing was written."""
