"""When a guideline is due for review: its due date, the days until then, overdue once passed, due soon within
the largest remind offset, and never for a guideline in a closed status or without a review date."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from engine.review import review_state
from engine.schema.model import Review
from reviewkit import TODAY


@pytest.mark.parametrize("days, overdue, due_soon, words", [
    (120, False, False, "in 120 days"),
    (91, False, False, "in 91 days"),
    (90, False, True, "in 90 days"),
    (12, False, True, "in 12 days"),
    (1, False, True, "tomorrow"),
    (0, False, True, "today"),
    (-1, True, False, "yesterday"),
    (-400, True, False, "400 days ago"),
])
def test_days_until_due_decide_overdue_and_due_soon(guidelines, days, overdue, due_soon, words):
    record = guidelines.add(days=days)
    state = review_state(guidelines.rtype, record, TODAY)
    assert state.due == date.fromisoformat(record.values["review_date"])
    assert (state.days, state.overdue, state.due_soon, state.days_words) == (days, overdue, due_soon, words)


def test_due_soon_is_within_the_largest_remind_offset(guidelines):
    rtype = replace(guidelines.rtype, review=Review(date="review_date", owner="owner_email", remind=(0, 14)))
    assert review_state(rtype, guidelines.add(days=14), TODAY).due_soon
    assert not review_state(rtype, guidelines.add(days=15), TODAY).due_soon


@pytest.mark.parametrize("status", ["Superseded", "Withdrawn"])
def test_a_guideline_in_a_closed_status_is_never_due(guidelines, status):
    assert review_state(guidelines.rtype, guidelines.add(days=-30, status=status), TODAY) is None
    assert review_state(guidelines.rtype, guidelines.add(days=5, status=status), TODAY) is None


def test_an_open_draft_past_its_date_is_overdue(guidelines):
    assert review_state(guidelines.rtype, guidelines.add(days=-3, status="Draft"), TODAY).overdue


def test_no_review_date_or_no_review_means_never_due(guidelines):
    record = guidelines.add(days=None)
    assert review_state(guidelines.rtype, record, TODAY) is None
    dated = guidelines.add(days=-10)
    assert review_state(replace(guidelines.rtype, review=None), dated, TODAY) is None


def test_the_due_date_reads_as_the_nhs_style_guide_writes_dates(guidelines):
    state = review_state(guidelines.rtype, guidelines.add(review_date="2026-11-22", days=None), TODAY)
    assert state.due_words == "22 November 2026" and state.days == -10
