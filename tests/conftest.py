"""Fixtures every test folder may use: PostgreSQL (see ``pgkit``)."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def test_database():
    """The test run's own database, dropped when the run ends."""
    from pgkit import TestDatabase
    made = TestDatabase()
    yield made
    made.drop()


@pytest.fixture
def postgres_url(test_database) -> str:
    """A URL to an empty PostgreSQL site (a schema of this test's own)."""
    url = test_database.site()
    yield url
    test_database.drop_site(url)
