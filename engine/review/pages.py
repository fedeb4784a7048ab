"""What the record page and the instance home say about review and superseding.

The record page: whether the record is overdue or due soon (``ReviewState``), the records it supersedes
(the references its ``supersedes: true`` field holds) and the live records that supersede it (those whose
superseding field names it, found by the store's query on that field). The instance home: per repository
with ``review:``, how many open records are due within its largest remind offset and how many are overdue,
with the browse page's query string that lists each.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from engine.errors import RecordNotFound
from engine.fields.dates import DateRange
from engine.fields.values import as_list
from engine.review.due import ReviewState, review_state, window
from engine.schema.model import RepositoryType
from engine.store.base import Query, Record, Store

#: The most superseding records the record page lists (there is almost always one).
SUPERSEDERS_SHOWN = 10


@dataclass(frozen=True)
class RecordReview:
    """What ``record_review.html`` shows: the review ``state`` (None: not due), the records the shown one
    ``supersedes`` and those ``superseded_by`` it, each a live record of the same repository."""
    state: ReviewState | None
    supersedes: tuple[Record, ...] = ()
    superseded_by: tuple[Record, ...] = ()


def record_review(rtype: RepositoryType, store: Store, record: Record, today: date) -> RecordReview:
    """The record's review as of ``today`` and its superseding links: the superseders are found by the
    store's own query on the superseding field, so the cost is the records shown, not the repository's size."""
    field = rtype.superseding_field
    if field is None:
        return RecordReview(review_state(rtype, record, today))
    query = Query(filters={field.name: (record.reference,)}, sort="-updated", per_page=SUPERSEDERS_SHOWN)
    superseders = tuple(other for other in store.query(query).records if other.reference != record.reference)
    return RecordReview(review_state(rtype, record, today),
                        supersedes=tuple(_live(store, references(record.values.get(field.name)))),
                        superseded_by=superseders)


def references(value: Any) -> tuple[str, ...]:
    """A reference field's value as references: one, several (``multiple: true``) or none."""
    return tuple(one.strip() for one in as_list(value) if isinstance(one, str) and one.strip())


def _live(store: Store, wanted: tuple[str, ...]):
    for reference in wanted:
        try:
            yield store.get(reference)
        except RecordNotFound:      # deleted since, or never there: nothing to link to
            continue


@dataclass(frozen=True)
class ReviewCounts:
    """A repository's open records ``due`` for review within ``days`` (today included) and ``overdue``, with
    the browse page's query strings that list them (``due_query``, ``overdue_query``)."""
    days: int
    due: int
    overdue: int
    due_query: str
    overdue_query: str


def review_counts(rtype: RepositoryType, store: Store, today: date) -> ReviewCounts | None:
    """None for a type without ``review:``."""
    if rtype.review is None:
        return None
    name, days = rtype.review.date, window(rtype)
    soon, past = DateRange(today, today + timedelta(days=days)), DateRange(None, today - timedelta(days=1))

    def count(wanted: DateRange) -> int:
        return store.query(Query(filters={name: (wanted,)}, state="open", per_page=1)).total

    return ReviewCounts(days, count(soon), count(past), _query(name, soon), _query(name, past))


def _query(name: str, wanted: DateRange) -> str:
    """``review_date_from=2026-12-02&review_date_to=2027-03-02&state=open``: the filter panel's boxes."""
    pairs = [(f"{name}_from", wanted.start), (f"{name}_to", wanted.end)]
    return urlencode([(key, day.isoformat()) for key, day in pairs if day] + [("state", "open")])
