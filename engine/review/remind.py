"""Queueing review reminders: for each open record of a type with ``review:``, the one reminder its review
date calls for today, queued once.

A record whose review date is ``days`` away has crossed every remind offset ``o`` with ``days <= o``; the
reminder for the smallest of them is the one due (a record first seen 25 days before its date gets the
30-day reminder, never a late 90-day one), and once the date has passed, the overdue reminder. Each reminder
is known by its key, ``review:<instance>:<repo>:<reference>:<due date>:<offset or overdue>``, and the outbox
never queues a key twice: running ``repo-engine remind`` again the same day queues nothing, the next offset
is queued when it is crossed, and a review date changed later is a new due date with reminders of its own.

The owner's notice carries that key; each other recipient's (a rule's role, field or webhook) carries the key
followed by ``:<recipient>``, so every recipient's notice is queued once and none stands in for another.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Sequence

from engine.access.accounts import Accounts
from engine.fields.dates import DateRange
from engine.fields.values import plural
from engine.notify.notice import Notice
from engine.review.audience import Recipient, owner_address, recipients
from engine.review.due import ReviewState, review_state, window
from engine.schema.model import Instance, RepositoryType
from engine.store.base import Query, Record, Store

DUE, OVERDUE = "review_due", "review_overdue"


@dataclass(frozen=True)
class Reminder:
    """One reminder about one record: its review ``state``, the remind ``offset`` crossed (None: overdue),
    the ``key`` it is queued under and the ``notices`` (one per recipient) that carry it."""
    reference: str
    state: ReviewState
    offset: int | None
    key: str
    notices: tuple[Notice, ...]

    def words(self) -> str:
        """'GL-0004 due in 30 days (owner@example.nhs.uk)', 'GL-0006 overdue since 22 November 2026 (...)'."""
        state = self.state
        when = f"overdue since {state.due_words}" if self.offset is None else f"due {state.days_words}"
        to = ", ".join(notice.to for notice in self.notices)
        return f"{self.reference} {when} ({to or 'nobody to tell'})"


#: The last part of an overdue reminder's key, where a due one has its offset.
OVERDUE_MARK = "overdue"


def reminder_key(instance: str, repository: str, reference: str, due: date, mark: str) -> str:
    return f"review:{instance}:{repository}:{reference}:{due.isoformat()}:{mark}"


def due_mark(rtype: RepositoryType, state: ReviewState) -> str | None:
    """Which reminder is due: 'overdue', the smallest remind offset crossed ('30'), or None for none yet."""
    if state.overdue:
        return OVERDUE_MARK
    crossed = [offset for offset in rtype.review.remind if state.days <= offset]
    return str(min(crossed)) if crossed else None


def reminders(instance: Instance, rtype: RepositoryType, store: Store, accounts: Accounts,
              today: date) -> list[Reminder]:
    """The reminders due today for the repository's open records, whether queued before or not."""
    if rtype.review is None:
        return []
    found = []
    for record in _candidates(rtype, store, today):
        state = review_state(rtype, record, today)
        mark = None if state is None else due_mark(rtype, state)
        if mark is None:
            continue
        key = reminder_key(instance.name, rtype.name, record.reference, state.due, mark)
        offset = None if mark == OVERDUE_MARK else int(mark)
        event = OVERDUE if offset is None else DUE
        owner = owner_address(rtype, record, accounts)
        notices = tuple(_notice(instance, rtype, record, state, event, one,
                                key if one.to == owner else f"{key}:{one.to}")
                        for one in recipients(instance.name, rtype, record, event, store, accounts))
        found.append(Reminder(record.reference, state, offset, key, notices))
    return found


@dataclass(frozen=True)
class Queued:
    """What one run queued: the ``reminders`` with their new notices, and the references of those due with
    ``nobody`` to tell (no owner address and no rule), which an operator should hear of."""
    reminders: tuple[Reminder, ...]
    nobody: tuple[str, ...] = ()

    def words(self) -> str:
        """'Queued 2 reminders: GL-0004 due in 30 days (owner@example.nhs.uk), ...' or 'No reminders to queue.'"""
        said = (f"Queued {plural(len(self.reminders), 'reminder')}: "
                + ", ".join(reminder.words() for reminder in self.reminders)) if self.reminders \
            else "No reminders to queue."
        if self.nobody:
            said += f" Nobody to remind of {', '.join(self.nobody)}: no owner's address and no notify rule."
        return said


def queue_reminders(instance: Instance, rtype: RepositoryType, store: Store, accounts: Accounts,
                    today: date) -> Queued:
    """Queue, in one write to the repository's outbox, every notice of today's reminders not queued before."""
    fresh, nobody = [], []
    for reminder in reminders(instance, rtype, store, accounts, today):
        if not reminder.notices:
            nobody.append(reminder.reference)
            continue
        notices = tuple(n for n in reminder.notices if not store.outbox.has_key(n.key))
        if notices:
            fresh.append(Reminder(reminder.reference, reminder.state, reminder.offset, reminder.key, notices))
    if fresh:
        store.outbox.queue([notice for reminder in fresh for notice in reminder.notices])
    return Queued(tuple(fresh), tuple(nobody))


def _candidates(rtype: RepositoryType, store: Store, today: date) -> Sequence[Record]:
    """Open records whose review date is no later than the largest offset from today."""
    latest = today + timedelta(days=window(rtype))
    query = Query(filters={rtype.review.date: (DateRange(None, latest),)}, state="open", sort="reference")
    return list(store.iter_all(query))


def _notice(instance: Instance, rtype: RepositoryType, record: Record, state: ReviewState, event: str,
            recipient: Recipient, key: str) -> Notice:
    title = record.values.get(rtype.record_title)
    return Notice(event=event, channel=recipient.channel, to=recipient.to, secret_env=recipient.secret_env,
                  instance=instance.name, repository=rtype.name, reference=record.reference,
                  title=str(title) if title else record.reference, status=record.status, key=key,
                  details={"due": state.due.isoformat(), "days": state.days})
