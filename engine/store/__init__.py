"""Persistence: the ``Store`` interface (``base``), the embedded TinyDB backend, the PostgreSQL backend
(``postgres``), and ``Stores``, which opens one store per (instance, repository) on first use and keeps it for
the life of the application. Which backend is ``engine.store.places``'s one decision."""
from __future__ import annotations

import threading
from pathlib import Path

from engine.config import Paths
from engine.schema.model import Instance, RepositoryType
from engine.store.base import Attachment, NewRecord, Page, Query, Record, Store, Upload, Version
from engine.store.places import InDatabase, Place, instance_place


def open_store(rtype: RepositoryType, place: Place) -> Store:
    """The store of ``rtype`` kept at ``place``: an instance's data folder (the embedded store), or the
    instance's place in the database."""
    if isinstance(place, InDatabase):
        from engine.store.postgres.store import PostgresStore
        return PostgresStore(rtype, place.db, place.scope[0])
    from engine.store.tinydb import TinyDBStore
    return TinyDBStore(rtype, Path(place))


class Stores:
    """Every open store of an application, by instance and repository; each opened once, then reused
    (its in-memory cache is what makes reads fast)."""

    def __init__(self, paths: Paths):
        self.paths = paths
        self._open: dict[tuple[str, str], Store] = {}
        self._opening = threading.Lock()

    def get(self, instance: Instance, rtype: RepositoryType) -> Store:
        key = (instance.name, rtype.name)
        store = self._open.get(key)
        if store is None:
            with self._opening:
                store = self._open.get(key)
                if store is None:
                    store = self._open[key] = open_store(rtype, instance_place(self.paths, instance.name))
        return store

    def close(self) -> None:
        with self._opening:
            for store in self._open.values():
                store.close()
            self._open.clear()


__all__ = ["Attachment", "NewRecord", "Page", "Query", "Record", "Store", "Stores", "Upload", "Version", "open_store"]
