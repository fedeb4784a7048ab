"""Fixtures for the workflow tests: an improvement project with a workflow, its store and people (see
workflowkit.py)."""
from __future__ import annotations

import pytest

from workflowkit import Project


@pytest.fixture
def project(tmp_path):
    made = Project(tmp_path)
    yield made
    made.close()
