"""When a record is due for review: its due date, the days until then, and whether it is overdue or due soon.

A record is due for review only while it is in an open status: a guideline that was Superseded or Withdrawn
is kept for reference and nobody reviews it again, whatever its review date says.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from engine.fields.dates import as_date, long_date
from engine.schema.model import RepositoryType
from engine.store.base import Record


@dataclass(frozen=True)
class ReviewState:
    """A live record's review: ``due`` (its review date field's value), ``days`` from ``today`` until then
    (negative once passed), and the largest remind offset of its type, ``window``: it is ``due_soon`` within
    that many days (the day itself included) and ``overdue`` once the date has passed."""
    due: date
    days: int
    window: int

    @property
    def overdue(self) -> bool:
        return self.days < 0

    @property
    def due_soon(self) -> bool:
        return 0 <= self.days <= self.window

    @property
    def due_words(self) -> str:
        """'22 November 2026'."""
        return long_date(self.due)

    @property
    def days_words(self) -> str:
        """'in 12 days', 'tomorrow', 'today', or for a passed date '3 days ago'."""
        if self.days == 0:
            return "today"
        if self.days == 1:
            return "tomorrow"
        if self.days > 1:
            return f"in {self.days} days"
        return "yesterday" if self.days == -1 else f"{-self.days} days ago"


def window(rtype: RepositoryType) -> int:
    """How many days before its due date a record counts as due soon: the type's largest remind offset."""
    return max(rtype.review.remind, default=0) if rtype.review else 0


def review_state(rtype: RepositoryType, record: Record, today: date) -> ReviewState | None:
    """The record's review as of ``today``; None when its type has no ``review:``, the record has no review
    date, it is deleted, or it is in a closed status (never due)."""
    review = rtype.review
    if review is None or record.deleted or record.status in rtype.closed_statuses:
        return None
    due = as_date(record.values.get(review.date))
    if due is None:
        return None
    return ReviewState(due=due, days=(due - today).days, window=window(rtype))
