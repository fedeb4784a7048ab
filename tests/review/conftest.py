"""Fixtures for the review tests: the guideline project of ``reviewkit`` on ``tmp_path``, with and without
``notify:`` rules for reminders."""
from __future__ import annotations

import pytest

from reviewkit import Guidelines, write_project


@pytest.fixture
def guidelines(tmp_path):
    opened = Guidelines(write_project(tmp_path))
    yield opened
    opened.close()


@pytest.fixture
def ruled(tmp_path):
    """The same project, whose type also tells editors and the pharmacist of overdue guidelines and posts due
    ones to a webhook."""
    opened = Guidelines(write_project(tmp_path, rules=True))
    yield opened
    opened.close()
