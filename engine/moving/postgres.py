"""The PostgreSQL side of a move: a site read from the database, or written into an empty one.

Everything is done on one connection the caller holds, in its one transaction: a copy into the database is
checked against what was read before it is committed, so a copy that fails or does not match leaves the
database exactly as it was (empty), and the command can simply be run again.
"""
from __future__ import annotations

import json
from contextlib import nullcontext
from typing import ContextManager, Iterator

from engine.schema.model import Project, RepositoryType
from engine.moving.holding import (ACCOUNTS, ALERTS, SECRET_KEY, MoveFailed, Repository, Site, TargetNotEmpty,
                                   drafts_name, drafts_of, in_force)
from engine.store.documents import stamp
from engine.store.postgres import bulk
from engine.store.postgres.writing import COUNTER

#: The table a repository's documents are read from, in the order they were written. Files still staged (no
#: save has taken them yet) are left behind, as the embedded store's sweep would remove them.
ORDERED = {"records": "SELECT doc FROM records WHERE repo = %s ORDER BY number",
           "history": "SELECT doc FROM history WHERE repo = %s ORDER BY id",
           "attachments": "SELECT doc FROM attachments WHERE repo = %s AND number IS NOT NULL ORDER BY seq",
           "comments": "SELECT doc FROM comments WHERE repo = %s ORDER BY seq",
           "outbox": "SELECT doc FROM outbox WHERE repo = %s ORDER BY seq"}
#: Never counted as content by the emptiness check: the schema's own bookkeeping.
BOOKKEEPING = ("schema_version",)


def document_name(name: str) -> str:
    """The ``documents`` row of a site document (``holding``'s names): ``drafts:<instance>/<repository>``."""
    drafts = drafts_of(name)
    return f"drafts:{drafts[0]}/{drafts[1]}" if drafts else name


def site_name(row_name: str) -> str | None:
    """``holding``'s name of a ``documents`` row; None for a row that is no site document moved here."""
    kind, _, rest = row_name.partition(":")
    if kind == "drafts" and "/" in rest:
        return drafts_name(*rest.split("/", 1))
    return row_name if row_name in (ACCOUNTS, ALERTS, SECRET_KEY) else None


class PostgresSite:
    """The site in the database ``conn`` is connected to; ``project`` gives each repository's type, which
    the derived columns and search terms are made from."""

    def __init__(self, conn, project: Project | None = None, describe: str = "the database"):
        self.conn = conn
        self.types: dict[tuple[str, str], RepositoryType] = {} if project is None else {
            (instance.name, rtype.name): rtype for instance in project.instances.values()
            for rtype in instance.repositories}
        self._ids: dict[tuple[str, str], int] = {}
        self._describe = describe

    def describe(self) -> str:
        return self._describe

    # -- reading ----------------------------------------------------------------------------------------------
    def repositories(self) -> list[tuple[str, str]]:
        rows = self.conn.execute("SELECT id, instance, repository FROM repositories ORDER BY id").fetchall()
        self._ids.update({(instance, name): repo for repo, instance, name in rows})
        return [(instance, name) for _, instance, name in rows]

    def read(self, instance: str, name: str) -> Repository:
        repo = self._id(instance, name)
        next_reference = self.conn.execute(COUNTER, (repo,)).fetchone()[0]
        meta = self.conn.execute("SELECT meta FROM repositories WHERE id = %s", (repo,)).fetchone()[0]
        repository = Repository(instance, name, next_reference, dict(meta))
        for table, sql in ORDERED.items():
            repository.tables[table] = [doc for (doc,) in self.conn.execute(sql, (repo,))]
        repository.tables["requests"] = in_force("requests", (
            {"key": key, "at": stamp(at), "fingerprint": fingerprint, "reference": reference}
            for key, at, fingerprint, reference in self.conn.execute(
                "SELECT key, at, fingerprint, reference FROM requests WHERE repo = %s ORDER BY at, key", (repo,))))
        repository.tables["watchers"] = in_force("watchers", (
            {"reference": reference, "username": username} for reference, username in self.conn.execute(
                "SELECT r.reference, w.username FROM watchers w JOIN records r USING (repo, number) "
                "WHERE w.repo = %s", (repo,))))
        repository.texts = dict(self.conn.execute(
            "SELECT id, text FROM attachments WHERE repo = %s AND number IS NOT NULL AND text IS NOT NULL",
            (repo,)).fetchall())
        return repository

    def content(self, repository: Repository, file_id: str) -> Iterator[bytes]:
        rows = self.conn.execute("SELECT data FROM attachment_content WHERE id = %s ORDER BY chunk", (file_id,))
        for (data,) in rows:
            yield bytes(data)

    def site(self) -> Site:
        site = Site()
        for row_name, body in self.conn.execute("SELECT name, body FROM documents ORDER BY name"):
            name = site_name(row_name)
            if name is not None:
                site.documents[name] = body
        site.outbox = [doc for (doc,) in self.conn.execute(
            "SELECT doc FROM outbox WHERE repo IS NULL ORDER BY seq")]
        return site

    def _id(self, instance: str, name: str) -> int:
        if (instance, name) not in self._ids:
            self.repositories()
        return self._ids[(instance, name)]

    # -- writing ----------------------------------------------------------------------------------------------
    def check_empty(self) -> None:
        found = [f"{table} ({count:,} rows)" for table, count in self.counts().items() if count]
        if found:
            raise TargetNotEmpty(f"{self._describe} is not empty: {', '.join(found)}. A site is moved only into an "
                                 "empty database; name a new one (or drop this one's tables) and run the command "
                                 "again.")

    def counts(self) -> dict[str, int]:
        """Rows per table of the schema the connection uses (its bookkeeping aside)."""
        tables = [name for (name,) in self.conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
            "AND table_type = 'BASE TABLE' ORDER BY table_name") if name not in BOOKKEEPING]
        return {table: self.conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}

    def writing(self) -> ContextManager[None]:
        """Nothing to add: the caller's transaction is what undoes a copy that fails."""
        return nullcontext()

    def write(self, repository: Repository, contents) -> None:
        rtype = self.types.get(repository.key)
        if rtype is None:
            raise MoveFailed(f"{repository.where} holds data, but no instance hosts that repository here: its "
                             "records cannot be indexed in the database. Add it back to the instance first.")
        conn, tables = self.conn, repository.tables
        repo = self._ids[repository.key] = bulk.new_repository(conn, repository.instance, repository.name,
                                                              repository.next_reference, repository.meta)
        bulk.load_records(conn, rtype, repo, tables["records"])
        bulk.load(conn, "history", repo, tables["history"])
        bulk.load_attachments(conn, repo, tables["attachments"], repository.texts)
        for doc in tables["attachments"]:
            bulk.load_content(conn, doc["id"], contents(doc["id"]))
        for table in ("requests", "comments", "watchers", "outbox"):
            bulk.load(conn, table, repo, tables[table])
        bulk.finish(conn, rtype, repo)

    def write_site(self, site: Site) -> None:
        for name, body in site.documents.items():
            self.conn.execute("INSERT INTO documents (name, revision, body) VALUES (%s, 1, %s::jsonb)",
                              (document_name(name), json.dumps(body, ensure_ascii=False)))
        bulk.load(self.conn, "outbox", None, site.outbox)
        bulk.analyze(self.conn)

