"""Fixtures for field-type tests; shared data and helpers are in fieldkit.py."""
from __future__ import annotations

import pytest

from engine.fields import default_registry


@pytest.fixture
def registry():
    """A registry of its own, so a test may register extension types without touching others."""
    return default_registry()
