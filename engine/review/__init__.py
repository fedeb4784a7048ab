"""Review dates: when a record of a type with ``review:`` is due for review (``due``), the reminders
``repo-engine remind`` queues for it (``remind``, to the people ``audience`` names), and what the record page
and the instance home say about it (``pages``). See docs/workflow.md.
"""
from engine.review.due import ReviewState, review_state

__all__ = ["ReviewState", "review_state"]
