"""Workflow: who may move a record on through its type's actions, and why a move cannot be made now.

``rules`` decides it (``may_act``, ``available``, ``refusals``, ``status_refusal``) and says it in the person's
words (``who_words``); ``engine.records.Records.act`` is the one write that applies it (docs/workflow.md).
"""
from engine.workflow.rules import (available, may_act, names_person, refusals, start_refusal, status_refusal,
                                   who_words)

__all__ = ["available", "may_act", "names_person", "refusals", "start_refusal", "status_refusal", "who_words"]
