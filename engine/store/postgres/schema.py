"""The database's schema, created and upgraded by the application (``repo-engine db upgrade``, and at every
start): an ordered list of steps, each applied once, in one transaction with the number it brings the schema
to, under an advisory lock so that servers starting together never race. No step is ever changed once
released; a change of the schema is a new step at the end."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from engine.errors import StoreError
from engine.store.postgres.tables import CORE

if TYPE_CHECKING:
    from engine.store.postgres.database import Database

log = logging.getLogger("engine.store")
#: The advisory lock every upgrade holds (any number the application alone uses).
UPGRADE_LOCK = 0x5245_504F      # "REPO"


def steps() -> list[tuple[str, str]]:
    """(What it brings, SQL) of each schema version, oldest first: version N is ``steps()[N - 1]``."""
    from engine.store.postgres.listing_tables import LISTING
    from engine.store.postgres.pair_tables import PAIRED, PAIRS, TERMS_ONCE
    from engine.store.postgres.record_docs import AS_WRITTEN
    from engine.store.postgres.rederiving import DERIVED_UNDER
    from engine.store.postgres.search_tables import RANKED, SEARCH
    from engine.store.postgres.site_tables import SITE
    return [("records, history, files, discussion and outbox", CORE),
            ("indexes for filters, facets and sort", LISTING),
            ("search terms", SEARCH),
            ("site tables", SITE),
            ("ranked search terms", RANKED),
            ("facet counts under one filter", PAIRS),
            ("the type each repository's rows are derived under", DERIVED_UNDER),
            ("counts under one filter for the facets people filter by", PAIRED),
            ("record documents kept as written", AS_WRITTEN),
            ("counts under one filter made from each record's facets once", TERMS_ONCE)]


class SchemaTooNew(StoreError):
    """The database was upgraded by a newer release of the application than this one."""


def current_version(conn) -> int:
    conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)")
    row = conn.execute("SELECT version FROM schema_version").fetchone()
    if row is None:
        conn.execute("INSERT INTO schema_version VALUES (0)")
        return 0
    return row[0]


def upgrade(db: "Database") -> list[str]:
    """Bring the schema up to date; what each step applied brought (empty: it was up to date)."""
    applied: list[str] = []
    known = steps()
    with db.connection() as conn:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (UPGRADE_LOCK,))
        version = current_version(conn)
        if version > len(known):
            raise SchemaTooNew(f"The database's schema is version {version}; this release knows up to "
                               f"{len(known)}. Upgrade the application before using this database.")
        for number, (brings, sql) in enumerate(known[version:], start=version + 1):
            if sql.strip():
                conn.execute(sql)
            conn.execute("UPDATE schema_version SET version = %s", (number,))
            applied.append(f"{number}: {brings}")
            log.info("Database schema upgraded to version %s (%s)", number, brings)
    return applied
