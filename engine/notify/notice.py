"""A notice (one message to one recipient) and a delivery (a notice in the outbox, with how sending went)."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Mapping

#: Where a notice goes: an email address, or a webhook (``to`` is the environment variable holding its URL).
EMAIL, WEBHOOK = "email", "webhook"
#: What a notice may be about (a type's ``notify:`` names the first six; ``digest`` is a saved search's news).
EVENTS = ("submitted", "action", "commented", "edited", "review_due", "review_overdue", "digest")
#: A delivery's states: waiting to be sent (perhaps after a failed try), taken by a sender, sent, given up.
PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"


def _new_id() -> str:
    return uuid.uuid4().hex


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Notice:
    """One message to one recipient, about one thing that happened, as written to the outbox.

    Everything the message says is here, so it can be written at the time of the change and sent later by
    any process: the record's ``reference`` (filled in by the store for a record being created) and
    ``title``, its ``status`` afterwards, who did it (``actor`` username, ``actor_name`` as shown), the
    ``action`` taken and its ``comment``. ``key``: a notice whose key is already in the outbox is not
    queued again (a review reminder is sent once per record, due date and offset). ``unsubscribe``: the
    secret of the watch or alert a one-click unsubscribe link ends. ``details``: what else the message needs
    (a review's due date; a digest's records), JSON-native."""
    event: str
    channel: str
    to: str
    instance: str
    repository: str = ""
    reference: str = ""
    title: str = ""
    status: str = ""
    actor: str = ""
    actor_name: str = ""
    action: str = ""
    comment: str = ""
    secret_env: str = ""
    unsubscribe: str = ""
    key: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)
    id: str = field(default_factory=_new_id)
    created: str = field(default_factory=_now)

    def as_doc(self) -> dict[str, Any]:
        return {name: (dict(value) if isinstance(value, Mapping) else value)
                for name, value in self.__dict__.items()}

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> "Notice":
        known = cls.__dataclass_fields__
        return cls(**{name: value for name, value in doc.items() if name in known})


@dataclass(frozen=True)
class Delivery:
    """A notice in an outbox and how sending it has gone: ``state`` (PENDING, SENDING, SENT, FAILED), the
    ``attempts`` made, when it may next be tried (``next_at``), until when a sender holds it
    (``claimed_until``), the last ``error``, and when it was sent."""
    notice: Notice
    state: str = PENDING
    attempts: int = 0
    next_at: str = ""
    claimed_until: str = ""
    holder: str = ""
    error: str = ""
    sent_at: str = ""

    @property
    def id(self) -> str:
        return self.notice.id
