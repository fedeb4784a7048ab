"""The seam between the pages and the rest of the engine: how the project is loaded and records are stored.

The pages need four things from other packages: the loaded project, the stores, a record validator per
repository and the one write path (``engine.records.Records``). They are reached through ``Parts`` so that the
application factory names them in one place; the defaults import the real modules only when the app is built,
and a test may hand in its own (``create_app({"PARTS": Parts(...)})``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from engine.config import Paths
from engine.schema.model import Project, RepositoryType


@dataclass(frozen=True)
class Parts:
    load_project: Callable[[Paths], Project]
    open_stores: Callable[[Paths], Any]             # -> engine.store.Stores: .get(instance, rtype), .close()
    validator: Callable[[RepositoryType], Any]      # -> engine.schema.compile.RecordValidator
    records: Callable[[RepositoryType, Any, Any], Any]  # -> engine.records.Records(rtype, store, validator)


def default_parts() -> Parts:
    """The engine's own schema loader, field registry, TinyDB stores and write path."""
    from engine.fields import default_registry
    from engine.records import Records
    from engine.schema import load_project
    from engine.schema.compile import RecordValidator
    from engine.store import Stores

    return Parts(
        load_project=lambda paths: load_project(paths, default_registry()),
        open_stores=Stores,
        validator=RecordValidator,
        records=Records,
    )
