"""Faults for the tests of damaged data and a full disk: one repository's store made to fail as a damaged
repository's does (every method raises ``DataDamaged``), and the errors a write meets when the disk is full.

The store is patched on its instance, not its class: the point of most tests is that the other repositories,
served by the same class, carry on.
"""
from __future__ import annotations

import errno
from pathlib import Path

from engine.errors import DataDamaged, OutOfSpace
from engine.store.base import Store

FAULT = "the checksum of record 12 does not match what was written."
USER_MESSAGE = ("This repository's data could not be read. Nothing has been changed. Ask the service team to "
                "run `repo-engine check`.")
FULL_MESSAGE = "The server has run out of space; your answers have not been saved."
#: Every method of the store interface but ``close``, which a damaged store still does.
STORE_METHODS = tuple(name for name in dir(Store) if not name.startswith("_") and name != "close"
                      and callable(getattr(Store, name)))


def store_of(app, instance: str, repo: str):
    site = app.extensions["repo_engine"]
    return site.store(site.repository(instance, repo))


def damage(monkeypatch, app, instance: str, repo: str) -> DataDamaged:
    """Make every method of that repository's store raise ``DataDamaged`` naming its file; returns the error."""
    path = Path(app.extensions["repo_engine"].paths.instance_data(instance)) / repo / "records.json"
    damaged = DataDamaged(path, FAULT)

    def refuse(*args, **kwargs):
        raise damaged
    store = store_of(app, instance, repo)
    for name in STORE_METHODS:
        monkeypatch.setattr(store, name, refuse)
    return damaged


#: What a write meets on a full disk: the OSError of a file written directly, or the store's own error.
FULL_DISK = {
    "ENOSPC": lambda path: OSError(errno.ENOSPC, "No space left on device", str(path)),
    "EDQUOT": lambda path: OSError(errno.EDQUOT, "Disk quota exceeded", str(path)),
    "OutOfSpace": lambda path: OutOfSpace(path),
}


#: The store methods that write (whichever of them the write path uses for a given save).
WRITE_METHODS = ("insert", "insert_many", "update", "delete", "restore", "stage_attachment", "save_attachment",
                 "delete_attachment")


def refuse_writes(monkeypatch, store, error: BaseException) -> None:
    """Every write of ``store`` fails with ``error``; reads carry on, as on a full disk."""
    for name in WRITE_METHODS:
        monkeypatch.setattr(store, name, raising(error))


def raising(error: BaseException):
    def fail(*args, **kwargs):
        raise error
    return fail
