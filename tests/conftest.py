"""Fixtures every test folder may use: PostgreSQL (see ``pgkit``), and ``backend``, which runs a site-level
test once on the embedded store and once on PostgreSQL."""
from __future__ import annotations

import os

import pytest

from engine.config import DATABASE_ENV
from pgkit import BACKENDS

# A database the shell names is someone's site: no test ever writes to it (``backend`` gives each its own).
os.environ.pop(DATABASE_ENV, None)


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


@pytest.fixture(params=BACKENDS)
def backend(request, monkeypatch) -> str:
    """The backend a site-level test runs on: on "postgresql" ``REPO_ENGINE_DATABASE_URL`` names an empty
    site of its own, as a deployment's environment would; on "tinydb" it is unset."""
    if request.param == "postgresql":
        monkeypatch.setenv(DATABASE_ENV, request.getfixturevalue("postgres_url"))
    else:
        monkeypatch.delenv(DATABASE_ENV, raising=False)
    return request.param
