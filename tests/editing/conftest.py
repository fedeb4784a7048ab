"""Fixtures for the tests of changing types and editing records: a site on ``tmp_path`` (see ``editkit``)."""
from __future__ import annotations

import pytest

from editkit import Site


@pytest.fixture
def site(tmp_path):
    made = Site(tmp_path)
    yield made
    made.close()
