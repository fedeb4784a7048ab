"""One PostgreSQL database, as the process sees it: a connection pool per URL (shared by every store), the
schema brought up to date once per process, and the id of each (instance, repository).

A connection is lent for a transaction (``connection``: every write, and a read that must see one moment of
the data) or for reading (``reading``): each statement then sees what was committed when it began, as it
would inside a transaction at PostgreSQL's READ COMMITTED level, without the two round trips a transaction
adds (BEGIN and COMMIT) to a page that asks a question or two.
"""
from __future__ import annotations

import json
import os
import threading
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Iterator

import msgspec

from engine.errors import StoreError

#: How many connections a process keeps per database (each application server's worker is one process).
POOL_MIN, POOL_MAX = 1, 8


#: The settings of every session: counting scans look expensive enough to the planner to compile them first
#: (JIT), which costs several times the scan itself on rows this narrow; and the parts of a UNION ALL
#: (``clauses.page_of``) are read one after the other, never in parallel.
SESSION = "SET jit = off; SET enable_parallel_append = off"
#: The revisions of every repository and every kept document (``documents``), in one query.
REVISIONS = "SELECT id, NULL, revision FROM repositories UNION ALL SELECT NULL, name, revision FROM documents"


class Revisions:
    """What one moment saw of the revisions: every repository's (by id) and every kept document's (by name)."""

    def __init__(self, rows):
        self.repositories: dict[int, int] = {}
        self.documents: dict[str, int] = {}
        for repo, name, revision in rows:
            if name is None:
                self.repositories[repo] = revision
            else:
                self.documents[name] = revision


#: Within one moment (a web request: ``moment``), every revision read once, in one query: a page asking
#: several repositories (a trust-wide search, a record's related records) and the accounts waits for the
#: database once to know which of its remembered answers still hold. URL -> what was seen there.
_moment: ContextVar[dict[str, Revisions] | None] = ContextVar("revisions", default=None)


@contextmanager
def moment() -> Iterator[None]:
    """Read the repositories' revisions once for the block (a request): a write in it makes them read again."""
    token = _moment.set({})
    try:
        yield
    finally:
        _moment.reset(token)


def in_moment() -> bool:
    """Is a moment open (a web request), in which every revision is read once?"""
    return _moment.get() is not None


def moved_on() -> None:
    """A write of this moment moved a revision on: the revisions are read again when next asked for."""
    seen = _moment.get()
    if seen:
        seen.clear()


class DatabaseUnavailable(StoreError):
    """The database cannot be reached or refused the connection: said in an operator's terms."""


def safe_url(url: str) -> str:
    """The URL with any password hidden, for messages and logs."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo
    try:
        parts = conninfo_to_dict(url)
    except Exception:       # noqa: BLE001 - a URL psycopg cannot read is shown as "the database URL"
        return "the database URL"
    if "password" in parts:
        parts["password"] = "***"
    return make_conninfo(**parts)


def probe(url: str) -> None:
    """Connect once, now: a database out of reach is said at once with its cause (the server is down, the
    database or role does not exist, the password is wrong), where a pool would only time out."""
    import psycopg
    try:
        psycopg.connect(url, connect_timeout=10).close()
    except psycopg.Error as error:
        cause = " ".join(str(error).split()) or type(error).__name__
        raise DatabaseUnavailable(f"Cannot connect to the database at {safe_url(url)} (REPO_ENGINE_DATABASE_URL): "
                                  f"{cause}") from error


class Database:
    """The pool of one database URL. ``connection()`` lends a connection whose block is one transaction
    (committed when it ends without an error, rolled back otherwise)."""

    def __init__(self, url: str, *, upgrade: bool = True, min_size: int = POOL_MIN, max_size: int = POOL_MAX):
        from psycopg.rows import tuple_row
        from psycopg_pool import ConnectionPool
        probe(url)
        self.url = url
        self.pid = os.getpid()      # a pool's connections belong to the process that opened them
        self._repositories: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()
        self.pool = ConnectionPool(url, min_size=min_size, max_size=max_size, open=False, name="repo-engine",
                                   kwargs={"autocommit": False, "row_factory": tuple_row}, configure=_configure)
        try:
            self.pool.open(wait=True, timeout=15)
        except Exception as error:      # noqa: BLE001 - psycopg_pool raises PoolTimeout, wrapping the cause
            self.pool.close()
            raise DatabaseUnavailable(f"Cannot connect to the database at {safe_url(url)}: {error}") from error
        if upgrade:
            from engine.store.postgres.schema import upgrade as bring_up_to_date
            bring_up_to_date(self)

    @contextmanager
    def connection(self) -> Iterator["psycopg.Connection"]:     # noqa: F821 - psycopg is imported lazily
        """A connection whose block is one transaction: committed when it ends well, rolled back otherwise."""
        with self.pool.connection() as conn:
            yield conn

    @contextmanager
    def reading(self) -> Iterator["psycopg.Connection"]:        # noqa: F821
        """A connection for reading: each statement is its own moment, and no transaction is opened."""
        with self.pool.connection() as conn:
            conn.autocommit = True
            try:
                yield conn
            finally:
                if not conn.closed:
                    conn.autocommit = False

    def revision(self, repo: int) -> int:
        """The revision of repository ``repo`` (every write moves it on): read now, or once per moment."""
        seen = self._seen(lambda revisions: repo in revisions.repositories)
        if seen is None:
            with self.reading() as conn:
                return conn.execute("SELECT revision FROM repositories WHERE id = %s", (repo,)).fetchone()[0]
        return seen.repositories[repo]

    def document_revision(self, name: str) -> int | None:
        """The revision of the kept document ``name`` (0: none kept) within a moment, read once for the moment
        with every other; None outside one (the caller asks itself)."""
        seen = self._seen(lambda revisions: True)
        return None if seen is None else seen.documents.get(name, 0)

    def _seen(self, holds) -> Revisions | None:
        """The revisions this moment saw, read now if it has not yet seen them (or not what ``holds`` wants:
        a repository made since); None outside a moment."""
        seen = _moment.get()
        if seen is None:
            return None
        revisions = seen.get(self.url)
        if revisions is None or not holds(revisions):
            with self.reading() as conn:
                revisions = seen[self.url] = Revisions(conn.execute(REVISIONS).fetchall())
        return revisions

    def repository(self, instance: str, repository: str) -> int:
        """The id of an instance's repository, made on first use (the counter of references starts at 1)."""
        key = (instance, repository)
        found = self._repositories.get(key)
        if found is None:
            with self.connection() as conn:
                conn.execute("INSERT INTO repositories (instance, repository) VALUES (%s, %s) "
                             "ON CONFLICT (instance, repository) DO NOTHING", key)
                found = conn.execute("SELECT id FROM repositories WHERE instance = %s AND repository = %s",
                                     key).fetchone()[0]
            self._repositories[key] = found
        return found

    def close(self) -> None:
        self.pool.close()


def _configure(conn) -> None:
    """Each new connection of the pool: the session's settings (``SESSION``) and how it reads JSON
    (``read_json``), left idle for the pool."""
    from psycopg.types.json import set_json_loads
    set_json_loads(read_json, conn)
    conn.execute(SESSION)
    conn.commit()


_JSON = msgspec.json.Decoder()


def read_json(data: bytes) -> Any:
    """A JSON value the database sends (a record's document, derived keys, history): msgspec reads it in
    about a third of the standard library's time, to the same values; what msgspec will not read (the escape
    of a lone surrogate, a number past a double's range, both valid JSON) is read by the standard library."""
    try:
        return _JSON.decode(data)
    except msgspec.DecodeError:
        return json.loads(data)


_open: dict[str, Database] = {}
_opening = threading.Lock()
#: Databases a forked process inherited: held, never closed nor collected, since closing a connection (as
#: the garbage collector would) tells the server to end the session the parent is still using.
_inherited: list[Database] = []


def database(url: str) -> Database:
    """The process's one ``Database`` of ``url`` (opened, and its schema upgraded, on first use). A process
    forked from one that had it open (a gunicorn worker, a test's child) opens its own: the parent's
    connections are the parent's, and are left alone rather than closed."""
    found = _open.get(url)
    if found is None or found.pid != os.getpid():
        with _opening:
            found = _open.get(url)
            if found is None or found.pid != os.getpid():
                if found is not None:
                    _inherited.append(found)
                found = _open[url] = Database(url)
    return found


def close_all() -> None:
    with _opening:
        for one in _open.values():
            if one.pid == os.getpid():
                one.close()
        _open.clear()


def forget(url: str) -> None:
    """Close and forget the process's pool of ``url`` (a test's own site; a site being moved away)."""
    with _opening:
        found = _open.pop(url, None)
    if found is not None and found.pid == os.getpid():
        found.close()
