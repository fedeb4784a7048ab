"""``repo-engine db upgrade``: bring the schema of the PostgreSQL database that ``REPO_ENGINE_DATABASE_URL``
names up to date, and say what that applied.

Servers do the same at start-up (under an advisory lock, so several starting together never race); running
it first, as a release step, keeps that out of the servers' start and shows what a release changes. A second
run applies nothing. The embedded store has no schema to upgrade.
"""
from __future__ import annotations

import sys

from engine.config import DATABASE_ENV, Paths

NO_DATABASE = (f"no database is configured: set {DATABASE_ENV}=postgresql://user@host/database (the embedded "
               "store needs no upgrade)")


def register(sub) -> None:
    parser = sub.add_parser("db", help=f"the PostgreSQL database ({DATABASE_ENV})")
    actions = parser.add_subparsers(dest="action", required=True)
    upgrade = actions.add_parser("upgrade", help="bring the database's schema up to date")
    upgrade.set_defaults(run=run_upgrade)


def run_upgrade(args) -> int:
    from engine.store.postgres.database import Database
    from engine.store.postgres.schema import steps, upgrade
    paths = Paths.from_env(args.schemas, args.instances)
    if not paths.database:
        print(f"repo-engine db upgrade: {NO_DATABASE}", file=sys.stderr)
        return 1
    db = Database(paths.database, upgrade=False, min_size=1, max_size=1)    # its own pool, to hear each step
    try:
        applied = upgrade(db)
    finally:
        db.close()
    for step in applied:
        print(f"Applied schema version {step}")
    print(f"Database schema is up to date (version {len(steps())})")
    return 0
