"""Where schemas, instances and the site's data live: command-line options, environment, then defaults.

The data is either in folders (the embedded store: ``REPO_ENGINE_DATA``, else beside each instance) or, when
``REPO_ENGINE_DATABASE_URL`` names one, all of it in one PostgreSQL database; ``engine.store.places`` turns
this into where each part is kept."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DATABASE_ENV = "REPO_ENGINE_DATABASE_URL"


@dataclass(frozen=True)
class Paths:
    schemas: Path
    instances: Path
    data: Path | None = None        # REPO_ENGINE_DATA: all instance data under <data>/<instance>/
    database: str | None = None     # REPO_ENGINE_DATABASE_URL: the whole site in this PostgreSQL database

    @classmethod
    def from_env(cls, schemas: str | os.PathLike | None = None, instances: str | os.PathLike | None = None,
                 data: str | os.PathLike | None = None, database: str | None = None) -> "Paths":
        env = os.environ
        data = data or env.get("REPO_ENGINE_DATA")
        database = (database or env.get(DATABASE_ENV) or "").strip()
        return cls(
            schemas=Path(schemas or env.get("REPO_ENGINE_SCHEMAS", "schemas")),
            instances=Path(instances or env.get("REPO_ENGINE_INSTANCES", "instances")),
            data=Path(data) if data else None,
            database=database or None,
        )

    @property
    def site_data(self) -> Path:
        """Data that belongs to the whole deployment (accounts, the secret key): REPO_ENGINE_DATA, else
        ``data/`` beside the instances folder; never inside a tracked folder."""
        return self.data if self.data is not None else self.instances.resolve().parent / "data"

    def instance_data(self, instance: str) -> Path:
        """The folder holding one instance's records and attachments (git-ignored by default)."""
        if self.data is not None:
            return self.data / instance
        return self.instances / instance / "data"
