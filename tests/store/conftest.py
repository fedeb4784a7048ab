"""Fixtures for the store tests: ``store_factory`` is parametrised over every backend, so each contract test
runs against each one. A new backend adds its name to BACKENDS and an opener below."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from engine.schema.compile import RecordValidator
from engine.schema.model import RepositoryType
from engine.store.base import Store
from storekit import qi_project

BACKENDS = ("tinydb", "postgresql")


def _open_tinydb(rtype: RepositoryType, folder: Path, request) -> Store:
    from engine.store.tinydb import TinyDBStore
    return TinyDBStore(rtype, folder)


def _open_postgresql(rtype: RepositoryType, folder: Path, request) -> Store:
    """A store on this test's own schema of the test database; opened twice, it shares one pool, as two
    threads of a worker would (``here_and_elsewhere`` opens a second pool, as a second server)."""
    from engine.store.postgres.database import database
    from engine.store.postgres.store import PostgresStore
    return PostgresStore(rtype, database(request.getfixturevalue("postgres_url")), "test")


OPENERS: dict[str, Callable[[RepositoryType, Path, pytest.FixtureRequest], Store]] = {
    "tinydb": _open_tinydb, "postgresql": _open_postgresql}


def pytest_generate_tests(metafunc):
    """Every test of a store runs on every backend, but for those marked ``embedded``: they are about the
    embedded store's own files (sidecars, compaction), which a database does not have."""
    if "store_factory" in metafunc.fixturenames:
        embedded = metafunc.definition.get_closest_marker("embedded") is not None
        metafunc.parametrize("store_factory", ("tinydb",) if embedded else BACKENDS, indirect=True)


@pytest.fixture
def store_factory(request, tmp_path) -> Callable[..., Store]:
    """Opens a store of the QI repository type (or another) on this test's own data (a folder, or a schema
    of the test database). Opening twice gives two stores on the same data, as two workers would have."""
    opened: list[Store] = []
    if request.param == "postgresql":
        request.getfixturevalue("postgres_url")     # made now: a forked child opening a store uses the same

    def open_store(rtype: RepositoryType | None = None) -> Store:
        store = OPENERS[request.param](rtype or qi_project(), tmp_path / "data", request)
        opened.append(store)
        return store
    yield open_store
    for store in opened:
        store.close()


@pytest.fixture
def store(store_factory) -> Store:
    return store_factory()


@pytest.fixture
def rtype() -> RepositoryType:
    return qi_project()


@pytest.fixture
def validator(rtype) -> RecordValidator:
    return RecordValidator(rtype)


@pytest.fixture
def here_and_elsewhere(postgres_url):
    """Two stores of one repository: this process's, on its one pool (as the application opens it), and
    another application server's, on a pool of its own."""
    from engine.store.postgres.database import Database, database
    from engine.store.postgres.store import PostgresStore
    elsewhere = Database(postgres_url)
    yield (PostgresStore(qi_project(), database(postgres_url), "test"), PostgresStore(qi_project(), elsewhere, "test"))
    elsewhere.close()
