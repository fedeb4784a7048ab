"""PostgreSQL for the tests: one database per test run (made at the start, dropped at the end), and in it a
schema of its own per test that asks for one, so tests never see each other's rows.

The server is the machine's (``make test`` starts it when it is down); ``REPO_ENGINE_TEST_POSTGRES`` names
another. A test run that cannot reach it fails, naming the server: no test is skipped for want of it."""
from __future__ import annotations

import itertools
import os
import uuid
from urllib.parse import quote

#: What a test that runs on each backend is parametrised over (``backend`` in conftest.py).
BACKENDS = ("tinydb", "postgresql")
SERVER = os.environ.get("REPO_ENGINE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
_numbers = itertools.count(1)
PREFIX = "repo_engine_test_"


def _admin():
    import psycopg
    try:
        return psycopg.connect(SERVER, autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as error:
        raise RuntimeError(f"The PostgreSQL tests need a server at {SERVER} (make test starts the machine's "
                           f"own; REPO_ENGINE_TEST_POSTGRES names another): {error}") from error


class TestDatabase:
    """A database made for one test run; ``site()`` a fresh schema in it, as a URL a site is given."""

    def __init__(self) -> None:
        self.name = f"{PREFIX}{os.getpid()}_{uuid.uuid4().hex[:8]}"
        with _admin() as conn:
            _drop_abandoned(conn)
            conn.execute(f'CREATE DATABASE "{self.name}"')
        self.url = _with_database(SERVER, self.name)

    def site(self) -> str:
        """The URL of a new, empty schema of its own (the application creates its tables on first use)."""
        import psycopg
        schema = f"site_{next(_numbers)}_{uuid.uuid4().hex[:8]}"      # unique in forked children too
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        return _with_option(self.url, f"-csearch_path={schema}")

    def drop_site(self, url: str) -> None:
        from engine.store.postgres.database import forget
        forget(url)

    def drop(self) -> None:
        from engine.store.postgres.database import close_all
        close_all()
        with _admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _drop_abandoned(conn) -> None:
    """Drop the databases of earlier test runs whose process is gone (a run killed before it could)."""
    names = [name for name, in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                                             (PREFIX + "%",))]
    for name in names:
        pid = name[len(PREFIX):].split("_", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _with_database(url: str, name: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}"


def _with_option(url: str, option: str) -> str:
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options={quote(option)}"


def rows(url: str) -> dict[str, list[str]]:
    """Every row of every table of the site at ``url``, as text, in order: what a test compares to prove that
    a refused request wrote nothing (the database's twin of reading every file of a data folder)."""
    import psycopg
    with psycopg.connect(url, autocommit=True) as conn:
        tables = [name for (name,) in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
            "ORDER BY table_name")]
        return {table: [row for (row,) in conn.execute(f'SELECT t::text FROM "{table}" t ORDER BY 1')]
                for table in tables}
