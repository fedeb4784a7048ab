"""Where the site's data is kept: folders on this machine (the embedded store), or one PostgreSQL database
when ``Paths.database`` names one. Every part of the site asks here, so the choice is made once.

A *place* is a folder (``Path``) or a spot in the database (``InDatabase``), and ``place / name`` is the
place within it in both: the site's place holds accounts and alerts, an instance's place its repositories'
records, a repository's place its drafts.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Union

from engine.config import Paths
from engine.store.locking import DEFAULT_TIMEOUT_S, WriteLock
from engine.store.wholefile import Document, Layout, WholeFile

if TYPE_CHECKING:
    from engine.store.postgres.database import Database


@dataclass(frozen=True)
class InDatabase:
    """Data kept in ``db``; ``scope`` says whose (empty: the whole site's; then an instance, a repository)."""
    db: "Database"
    scope: tuple[str, ...] = ()

    def __truediv__(self, name: str) -> "InDatabase":
        return InDatabase(self.db, (*self.scope, name))

    def document(self, name: str) -> str:
        """The name of a ``documents`` row: ``accounts``, ``drafts:<instance>/<repository>``."""
        return f"{name}:{'/'.join(self.scope)}" if self.scope else name


Place = Union[Path, InDatabase]


def site_place(paths: Paths) -> Place:
    """Where the whole deployment's own data is kept (accounts, alerts, the secret key)."""
    return InDatabase(database_of(paths)) if paths.database else paths.site_data


def instance_place(paths: Paths, instance: str) -> Place:
    """Where one instance's repositories are kept."""
    return InDatabase(database_of(paths), (instance,)) if paths.database else paths.instance_data(instance)


def database_of(paths: Paths) -> "Database":
    """The process's pool of the configured database, opened (and its schema brought up to date) on first
    use; ``DatabaseUnavailable`` saying so when it cannot be reached."""
    from engine.store.postgres.database import database
    return database(paths.database)


def whole_document(place: Place, name: str, layout: Layout, *, busy: Callable[[], Exception],
                   timeout: float = DEFAULT_TIMEOUT_S, lock_file: str | None = None) -> Document:
    """The small table ``name`` kept at ``place``: ``<folder>/<name>.json`` under the lock file ``lock_file``
    (``<name>.lock`` unless a table has long had another), or its row of the database's ``documents``."""
    if isinstance(place, InDatabase):
        from engine.store.postgres.documents import DatabaseDocument
        return DatabaseDocument(place.db, place.document(name), layout, busy=busy, timeout=timeout)
    folder = Path(place)
    lock = WriteLock(folder / (lock_file or f"{name}.lock"), timeout=timeout, busy=busy)
    return WholeFile(folder / f"{name}.json", lock, layout)


def backend(paths: Paths) -> str:
    """Which backend holds the site's data, in an operator's words (``repo-engine check`` says it)."""
    if paths.database:
        from engine.store.postgres.database import safe_url
        return f"PostgreSQL ({safe_url(paths.database)})"
    return "the embedded store"
