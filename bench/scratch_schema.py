"""A PostgreSQL schema of its own for one benchmark run, given as the URL of a site kept in it; dropped afterwards,
whatever ended the run.

The schema is chosen by ``search_path`` in the URL (``options=-csearch_path=...``), as a deployment would keep
its site out of ``public``: so a run needs only a server and a role that may create schemas, not a database of
its own, and leaves nothing behind in the database it was given.
"""
from __future__ import annotations

import itertools
import os
from contextlib import contextmanager
from typing import Iterator
from urllib.parse import quote

_schemas = itertools.count(1)


@contextmanager
def scratch_site(url: str) -> Iterator[str]:
    """A schema of its own in the database at ``url``, as the URL of a site; dropped afterwards."""
    import psycopg
    from engine.store.postgres.database import forget
    schema = f"bench_{os.getpid()}_{next(_schemas)}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    site = f"{url}{'&' if '?' in url else '?'}options={quote(f'-csearch_path={schema}')}"
    try:
        yield site
    finally:
        forget(site)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
