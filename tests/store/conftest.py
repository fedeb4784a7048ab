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

BACKENDS = ("tinydb",)


def _open_tinydb(rtype: RepositoryType, folder: Path) -> Store:
    from engine.store.tinydb import TinyDBStore
    return TinyDBStore(rtype, folder)


OPENERS: dict[str, Callable[[RepositoryType, Path], Store]] = {"tinydb": _open_tinydb}


@pytest.fixture(params=BACKENDS)
def store_factory(request, tmp_path) -> Callable[..., Store]:
    """Opens a store of the QI repository type (or another) on this test's own data folder. Opening twice
    gives two independent stores on the same data, as two worker processes would have."""
    opened: list[Store] = []

    def open_store(rtype: RepositoryType | None = None) -> Store:
        store = OPENERS[request.param](rtype or qi_project(), tmp_path / "data")
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
