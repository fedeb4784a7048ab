"""The embedded store's side of a move: a site read from its data folders, or written into empty ones.

Reading takes each repository's write lock while its files are read (a copy is taken from one moment of
each), though a move is meant to be made with the service stopped. Writing lays each repository down as a
compaction leaves it (``records.json``, its manifest, a log holding no save yet), files first and the
manifest last, so the store opens it as it opens any compacted repository.

A copy that fails part-way is removed again, and ``migrate-data.incomplete`` in the site's data folder
names what it wrote until it is complete: a run killed before it could tidy up is tidied by the next run,
which removes those paths (and nothing else) before it starts again.
"""
from __future__ import annotations

import json
import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

from engine.config import Paths
from engine.schema.model import Project
from engine.store import attachments as stored_files
from engine.store import log as wal
from engine.store.disk import FILE, LOG, MANIFEST, RepositoryFiles, next_reference, write_compacted
from engine.store.documents import reference_number
from engine.store.durable import fsync_folder, read_bytes, replace_file
from engine.store.manifest import Manifest, write_manifest
from engine.store.snapshot import META, META_ID, OUTBOX, Snapshot
from engine.moving.holding import (ACCOUNTS, ALERTS, CHUNK, SECRET_KEY, TABLES, MoveFailed, Repository, Site,
                                   TargetNotEmpty, drafts_name, drafts_of, in_force)

MARKER = "migrate-data.incomplete"
SITE_FILES = {ACCOUNTS: "accounts.json", ALERTS: "alerts.json", SECRET_KEY: ".secret_key"}
DRAFTS_FILE = "drafts.json"
SITE_OUTBOX = "outbox"
Contents = Callable[[str], Iterator[bytes]]


class EmbeddedSite:
    """The data folders of ``paths`` for the repositories ``project``'s instances host."""

    def __init__(self, paths: Paths, project: Project):
        self.paths = paths
        self.hosted = [(instance.name, rtype.name) for instance in project.instances.values()
                       for rtype in instance.repositories]

    def describe(self) -> str:
        return f"the data folders under {self.paths.site_data}"

    def folder(self, instance: str, name: str) -> Path:
        return self.paths.instance_data(instance) / name

    # -- reading ----------------------------------------------------------------------------------------------
    def repositories(self) -> list[tuple[str, str]]:
        """The hosted repositories that ever held data."""
        return [key for key in self.hosted if RepositoryFiles(self.folder(*key)).has_held_data()]

    def read(self, instance: str, name: str) -> Repository:
        snapshot = _snapshot(self.folder(instance, name))
        repository = Repository(instance, name, next_reference(snapshot),
                                {k: v for k, v in snapshot.meta.items() if k != "next_reference"})
        for table in TABLES:
            docs = snapshot.tables[table]
            repository.tables[table] = in_force(table, (docs[doc_id] for doc_id in docs))
        files = self.folder(instance, name) / "attachments"
        for doc in repository.tables["attachments"]:
            text = stored_files.read_text(files, doc["id"])
            if text is not None:
                repository.texts[doc["id"]] = text
        return repository

    def content(self, repository: Repository, file_id: str) -> Iterator[bytes]:
        path = self.folder(*repository.key) / "attachments" / file_id
        if not stored_files.FILE_ID.fullmatch(file_id) or not path.is_file():
            raise MoveFailed(f"{repository.where}: the attached file {file_id} is missing from {path.parent}; "
                             "restore it from a backup before moving the site.")
        with open(path, "rb") as source:
            while chunk := source.read(CHUNK):
                yield chunk

    def site(self) -> Site:
        site = Site()
        for name, file in SITE_FILES.items():
            body = _site_file(name, self.paths.site_data / file)
            if body is not None:
                site.documents[name] = body
        for key in self.hosted:
            body = _site_file(DRAFTS_FILE, self.folder(*key) / DRAFTS_FILE)
            if body is not None:
                site.documents[drafts_name(*key)] = body
        outbox = self.paths.site_data / SITE_OUTBOX
        if RepositoryFiles(outbox).has_held_data():
            docs = _snapshot(outbox).tables[OUTBOX]
            site.outbox = [docs[doc_id] for doc_id in docs]
        return site

    # -- writing ----------------------------------------------------------------------------------------------
    def check_empty(self) -> None:
        """``TargetNotEmpty`` naming what is there already (a half-copy of an earlier run is removed first)."""
        self._remove_half_copy()
        found = [path for path in self._targets() if _holds_anything(path)]
        if found:
            shown = ", ".join(str(path) for path in found[:5]) + (" ..." if len(found) > 5 else "")
            raise TargetNotEmpty(f"The local data folders are not empty ({shown}): a site is moved only into "
                                 "empty ones. Move them aside (or point REPO_ENGINE_DATA at an empty folder) "
                                 "and run the command again.")

    @contextmanager
    def writing(self) -> Iterator[None]:
        """The copy's writes: named in the marker first, removed again if the block fails."""
        marker = self.paths.site_data / MARKER
        replace_file(marker, [json.dumps([str(path) for path in self._targets()]).encode("utf-8")])
        try:
            yield
        except BaseException:
            self._remove_half_copy()
            raise
        marker.unlink()
        fsync_folder(marker.parent)

    def write(self, repository: Repository, contents: Contents) -> None:
        """Files first, then ``records.json`` and its manifest: the repository exists once the last is in."""
        folder = self._hosted(*repository.key)
        files = folder / "attachments"
        files.mkdir(parents=True, exist_ok=True)
        for doc in repository.tables["attachments"]:
            if not stored_files.FILE_ID.fullmatch(doc["id"]):       # an id names a file in this folder only
                raise MoveFailed(f"{repository.where}: {doc['id'][:40]!r} is not the id of a stored file.")
            replace_file(files / doc["id"], contents(doc["id"]))
            if doc["id"] in repository.texts:
                replace_file(stored_files.text_path(files, doc["id"]),
                             [repository.texts[doc["id"]].encode("utf-8")])
        tables = {table: _numbered(table, docs) for table, docs in repository.tables.items()}
        tables[META] = {META_ID: {**repository.meta, "next_reference": repository.next_reference}}
        lay_down(folder, tables)

    def write_site(self, site: Site) -> None:
        for name, body in site.documents.items():
            drafts = drafts_of(name)
            path = self._hosted(*drafts) / DRAFTS_FILE if drafts else self.paths.site_data / SITE_FILES[name]
            replace_file(path, [body["value"].encode("ascii") if name == SECRET_KEY else
                                json.dumps(body, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")])
        if site.outbox:
            lay_down(self.paths.site_data / SITE_OUTBOX, {OUTBOX: _numbered(OUTBOX, site.outbox)})

    def _hosted(self, instance: str, name: str) -> Path:
        """The folder of a repository the instances host; ``MoveFailed`` for any other."""
        if (instance, name) not in self.hosted:
            raise MoveFailed(f"{instance}/{name} holds data, but no instance here hosts that repository: add it "
                             "back to the instance (or check --instances) and run the command again.")
        return self.folder(instance, name)

    def _targets(self) -> list[Path]:
        """Every path a copy writes (and a half-copy is removed from)."""
        site = self.paths.site_data
        return [*(self.folder(*key) for key in self.hosted), *(site / file for file in SITE_FILES.values()),
                site / SITE_OUTBOX]

    def _remove_half_copy(self) -> None:
        marker = self.paths.site_data / MARKER
        written = read_bytes(marker)
        if written is None:
            return
        for path in map(Path, json.loads(written)):
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()
        marker.unlink()


def lay_down(folder: Path, tables: dict[str, dict[str, Any]]) -> None:
    """A repository's files as a compaction leaves them, holding ``tables``: the file, its manifest and an
    empty log after it."""
    folder.mkdir(parents=True, exist_ok=True)
    temp, compacted = write_compacted(folder, Snapshot.of(tables), 0, 1)
    write_manifest(folder / MANIFEST, Manifest(1, compacted))
    os.replace(temp, folder / FILE)
    replace_file(folder / LOG, [wal.header_line(0, 1)])
    fsync_folder(folder)


def _numbered(table: str, docs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Documents by id: a record by its reference's number (as the store keeps it), others 1, 2, ..."""
    if table == "records":
        return {str(reference_number(doc["reference"])): doc for doc in docs}
    return {str(number): doc for number, doc in enumerate(docs, 1)}


def _snapshot(folder: Path) -> Snapshot:
    files = RepositoryFiles(folder)
    with files.lock.held():
        return files.current()


def _site_file(name: str, path: Path) -> Any:
    """A site document as its file holds it (JSON; the secret key as ``{"value": key}``); None: no file."""
    raw = read_bytes(path)
    if raw is None:
        return None
    try:
        text = raw.decode("utf-8")
        return {"value": text.strip()} if name == SECRET_KEY else json.loads(text)
    except (UnicodeDecodeError, ValueError) as error:
        raise MoveFailed(f"{path} cannot be read ({error}); restore it from a backup first.") from None


def _holds_anything(path: Path) -> bool:
    """Whether a path holds data: a file, or a folder with a file in it (lock files aside)."""
    if path.is_file():
        return True
    if not path.is_dir():
        return False
    return any(one.is_file() and not one.name.endswith(".lock")
               for one in path.rglob("*"))
