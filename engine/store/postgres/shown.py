"""The documents of the records a process's pages have shown, kept until their repository's revision moves on.

A browse page knows which records it shows without the database (their order is remembered under the
revision: ``listing``), but would still read their 25 documents, a round trip of its own on every page: the
cost of paging through a repository once each page's order is known. So the documents it reads are kept
here, under the revision they were read at, and a page of records read once is shown again from memory until
any server writes to that repository (the embedded store holds every record in memory; this holds only what
was shown, within a bound). The same revision the page's order is kept under says when they are stale, so
what a page shows is never older than its order.

Bounded for the whole process, however many repositories it serves, by the size of the documents as the
database sent them (``KEPT_BYTES``; parsed, they take about twice that): past it, the least recently shown go
first. Documents handed out are shared by every page that shows them, and never changed.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Hashable, Iterable, Mapping, Sequence

from engine.store.postgres.database import read_json

Doc = dict[str, Any]
#: How much of the documents' text one process keeps, in bytes, over every repository.
KEPT_BYTES = 32 * 2**20


class Shown:
    """Documents by (repository, number), each under its repository's revision, least recently shown first. A
    repository is named by anything hashable (its database's URL and id: two sites' ids are alike)."""

    def __init__(self, budget: int = KEPT_BYTES):
        self.budget = budget
        self._docs: OrderedDict[tuple[Hashable, int], tuple[str, Doc, int]] = OrderedDict()
        self._numbers: dict[Hashable, set[int]] = {}    # the numbers kept of each repository
        self._revisions: dict[Hashable, Hashable] = {}    # the revision they were read at
        self._bytes = 0
        self._lock = threading.Lock()

    def take(self, repo: Hashable, revision: Hashable, numbers: Iterable[int]) -> dict[int, tuple[str, Doc]]:
        """The (reference, document) of those of ``numbers`` kept at ``revision``."""
        found: dict[int, tuple[str, Doc]] = {}
        with self._lock:
            self._current(repo, revision)
            for number in numbers:
                kept = self._docs.get((repo, number))
                if kept is not None:
                    self._docs.move_to_end((repo, number))
                    found[number] = kept[:2]
        return found

    def keep(self, repo: Hashable, revision: Hashable, read: Mapping[int, tuple[str, Doc, int]]) -> None:
        """Keep documents read at ``revision``: number -> (reference, document, size of its text)."""
        with self._lock:
            self._current(repo, revision)
            numbers = self._numbers.setdefault(repo, set())
            for number, (reference, doc, size) in read.items():
                if size > self.budget:
                    continue
                self._drop((repo, number))
                self._docs[(repo, number)] = (reference, doc, size)
                numbers.add(number)
                self._bytes += size
            while self._bytes > self.budget:
                self._drop(next(iter(self._docs)))

    @property
    def size(self) -> int:
        """The bytes of text kept."""
        return self._bytes

    def _current(self, repo: Hashable, revision: Hashable) -> None:
        """Keep documents of ``revision`` from now on: another forgets the repository's kept ones (as a
        ``remembered`` answer of another revision is)."""
        if self._revisions.get(repo) != revision:
            for number in self._numbers.pop(repo, ()):
                self._bytes -= self._docs.pop((repo, number))[2]
            self._revisions[repo] = revision

    def _drop(self, key: tuple[Hashable, int]) -> None:
        kept = self._docs.pop(key, None)
        if kept is not None:
            self._bytes -= kept[2]
            self._numbers[key[0]].discard(key[1])


#: The process's one: what a worker's pages showed, over every store it opened.
SHOWN = Shown()


def documents(conn, store, revision: Hashable, numbers: Sequence[int], ahead: Sequence[int] = ()
              ) -> dict[int, tuple[str, Doc]]:
    """number -> (reference, stored document) of ``store``'s records ``numbers``, those kept at ``revision``
    (``store.revision()`` as the page read it) from memory, the others read on ``conn`` (``kept``). When any
    must be read, so are those of ``ahead`` not kept (the records the next pages show), in the same statement."""
    wanted = [*numbers, *ahead]
    found = SHOWN.take(_site(store), revision, wanted)
    if all(number in found for number in numbers):
        return found
    found.update(kept(store, revision, conn.execute(
        "SELECT number, reference, doc::text FROM records WHERE repo = %s AND number = ANY(%s)",
        [store.repo, [number for number in wanted if number not in found]])))
    return found


def kept(store, revision: Hashable, rows: Iterable[tuple[int, str, str]]) -> dict[int, tuple[str, Doc]]:
    """number -> (reference, document) of rows of (number, reference, document's text) read from the
    database, kept at ``revision``."""
    read = {number: (reference, read_json(text), len(text)) for number, reference, text in rows}
    SHOWN.keep(_site(store), revision, read)
    return {number: (reference, doc) for number, (reference, doc, _) in read.items()}


def _site(store) -> tuple[str, int]:
    return store.db.url, store.repo
