"""What a site holds, said the same way whichever backend it came from: a repository's tables as documents
in a fixed order, its counter, its files' text; the site's own documents; and the checksums both sides of a
move are compared by.

Documents are exactly the embedded store's (the PostgreSQL tables keep them as ``doc``), so most tables
pass through untouched. Two are kept as what they mean rather than as every document ever written, because
the PostgreSQL tables hold only that: ``watchers`` holds the watches in force (a watch stopped is no row
there), and ``requests`` the latest create made under each idempotency key (the one ``created_with`` reads).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

from engine.errors import EngineError

Doc = dict[str, Any]
#: A repository's tables, in the order they are copied (records before what hangs from them).
TABLES = ("records", "history", "attachments", "requests", "comments", "watchers", "outbox")
#: The site's own documents: the accounts (with roles, tokens and invitations), the saved-search alerts,
#: one set of drafts per repository (``drafts/<instance>/<repository>``), and the key sessions and the links
#: in mails already sent are signed with (``{"value": key}``), so that they still hold after the move.
ACCOUNTS, ALERTS, DRAFTS, SECRET_KEY = "accounts", "alerts", "drafts", "secret-key"
#: How much of a file is read, written and hashed at a time.
CHUNK = 1024 * 1024


class MoveFailed(EngineError):
    """The copy could not be made, or does not match what was read; the target was left as it was."""


class TargetNotEmpty(MoveFailed):
    """The target already holds a site (or part of one): a copy is made only into an empty one."""


@dataclass
class Repository:
    """One instance's repository: its tables (see ``TABLES``), the number its next record gets, the rest
    of its meta document, and the text extracted from each attached file that has some."""
    instance: str
    name: str
    next_reference: int = 1
    meta: Doc = field(default_factory=dict)
    tables: dict[str, list[Doc]] = field(default_factory=lambda: {name: [] for name in TABLES})
    texts: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        return self.instance, self.name

    @property
    def where(self) -> str:
        return f"{self.instance}/{self.name}"

    def is_empty(self) -> bool:
        """Nothing was ever written: no table holds a document and the counter never moved."""
        return self.next_reference <= 1 and not self.meta and not any(self.tables.values())

    def size(self) -> int:
        return sum(len(docs) for docs in self.tables.values())


@dataclass
class Site:
    """The site's own documents by name (``ACCOUNTS``, ``ALERTS``, ``SECRET_KEY``, ``drafts_name(...)``) and
    its outbox."""
    documents: dict[str, Any] = field(default_factory=dict)
    outbox: list[Doc] = field(default_factory=list)


def drafts_name(instance: str, repository: str) -> str:
    return f"{DRAFTS}/{instance}/{repository}"


def drafts_of(name: str) -> tuple[str, str] | None:
    """(instance, repository) of a drafts document's name; None for any other document."""
    kind, _, rest = name.partition("/")
    instance, _, repository = rest.partition("/")
    return (instance, repository) if kind == DRAFTS and instance and repository else None


def in_force(table: str, docs: Iterable[Doc]) -> list[Doc]:
    """A table's documents as both backends keep them (see the module's docstring), in a fixed order."""
    if table == "watchers":
        watching = {(doc["reference"], doc["username"]) for doc in docs if doc.get("watching", True)}
        return [{"reference": reference, "username": username, "watching": True}
                for reference, username in sorted(watching)]
    if table == "requests":
        latest = {doc["key"]: doc for doc in docs}      # written in order: the last one is in force
        return [latest[key] for key in sorted(latest)]
    return list(docs)


def canonical(value: Any) -> bytes:
    """One spelling of a JSON value: keys sorted, no spaces, text as UTF-8."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False).encode("utf-8")


def digest(docs: Iterable[Any]) -> str:
    """The SHA-256 of the documents' canonical JSON, one a line, in order."""
    hashed = hashlib.sha256()
    for doc in docs:
        hashed.update(canonical(doc))
        hashed.update(b"\n")
    return hashed.hexdigest()


def file_digest(chunks: Iterator[bytes]) -> tuple[str, int]:
    hashed, size = hashlib.sha256(), 0
    for chunk in chunks:
        hashed.update(chunk)
        size += len(chunk)
    return hashed.hexdigest(), size


@dataclass
class Tally:
    """What a copy is checked by: per table its count and checksum, the counter, and per file its SHA-256
    and size. Two tallies are equal when both sides hold the same."""
    counts: dict[str, tuple[int, str]] = field(default_factory=dict)
    files: dict[str, tuple[str, int]] = field(default_factory=dict)

    @classmethod
    def of_repository(cls, repository: Repository) -> "Tally":
        counts = {table: (len(docs), digest(docs)) for table, docs in repository.tables.items()}
        counts["counter"] = (repository.next_reference, digest([repository.meta]))
        counts["texts"] = (len(repository.texts), digest(sorted(repository.texts.items())))
        return cls(counts)

    @classmethod
    def of_site(cls, site: Site) -> "Tally":
        counts = {name: (1, digest([body])) for name, body in site.documents.items()}
        counts["site outbox"] = (len(site.outbox), digest(site.outbox))
        return cls(counts)

    def differences(self, other: "Tally") -> list[str]:
        """What differs from ``other`` (the copy), in words; empty when nothing does."""
        said = []
        for name in sorted(set(self.counts) | set(other.counts)):
            mine, theirs = self.counts.get(name), other.counts.get(name)
            if mine != theirs:
                said.append(f"{name}: {_count(mine)} read, {_count(theirs)} in the copy"
                            + (" (same count, different content)" if mine and theirs and mine[0] == theirs[0]
                               else ""))
        for file_id in sorted(set(self.files) | set(other.files)):
            if self.files.get(file_id) != other.files.get(file_id):
                said.append(f"file {file_id}: {'missing from the copy' if file_id not in other.files else 'differs'}")
        return said


def _count(value: tuple[int, str] | None) -> str:
    return "none" if value is None else str(value[0])
