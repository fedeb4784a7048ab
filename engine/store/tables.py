"""The tables of one snapshot as persistent maps: the next snapshot shares every document a write did not change.

A save used to copy each table to make the next snapshot, which costs ~8 ms at 100k records on a small
machine, more than the save itself. ``Table`` keeps its documents in an ``immutables.Map`` (a hash array
mapped trie, in C: a lookup is as quick as a dict's, ``put`` of a few documents costs microseconds whatever
the size, and the old version stays valid for readers still holding it). Ids are the increasing integers
TinyDB gives documents, so iteration in id order is the order documents were first written.

``ByReference`` is the records table seen by reference (``QI-0042`` -> its document), without a second map.
"""
from __future__ import annotations

from typing import Any, Iterator, Mapping

import immutables

from engine.store.documents import reference_number

Doc = dict[str, Any]


class Table(Mapping[str, Doc]):
    """Documents by id (``"1"``, ``"2"``, ...), iterated in id order; never changed, ``put`` makes the next."""

    __slots__ = ("_docs", "last")

    def __init__(self, docs: immutables.Map | None = None, last: int = 0):
        self._docs = docs if docs is not None else immutables.Map()
        self.last = last                    # the highest id ever stored (ids never go back)

    @classmethod
    def of(cls, docs: Mapping[str, Doc]) -> "Table":
        return cls(immutables.Map(docs), max(map(int, docs), default=0))

    def put(self, docs: Mapping[str, Doc]) -> "Table":
        """This table with ``docs`` added or replaced (by id)."""
        if not docs:
            return self
        with self._docs.mutate() as changing:
            for doc_id, doc in docs.items():
                changing[doc_id] = doc
            merged = changing.finish()
        return Table(merged, max(self.last, *map(int, docs)))

    def next_id(self) -> str:
        return str(self.last + 1)

    def __getitem__(self, doc_id: str) -> Doc:
        return self._docs[doc_id]

    def get(self, doc_id: str, default: Any = None) -> Any:
        return self._docs.get(doc_id, default)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._docs

    def __len__(self) -> int:
        return len(self._docs)

    def __iter__(self) -> Iterator[str]:
        docs = self._docs
        if self.last <= 2 * len(docs) + 64:     # ids are dense (the usual case): count up
            for number in range(1, self.last + 1):
                doc_id = str(number)
                if doc_id in docs:
                    yield doc_id
        else:
            yield from sorted(docs, key=int)

    def __reversed__(self) -> Iterator[str]:
        docs = self._docs
        if self.last <= 2 * len(docs) + 64:
            for number in range(self.last, 0, -1):
                doc_id = str(number)
                if doc_id in docs:
                    yield doc_id
        else:
            yield from sorted(docs, key=int, reverse=True)

    def unordered(self) -> Iterator[Doc]:
        """Every document, in no particular order (quicker, for grouping)."""
        return iter(self._docs.values())

    def unordered_items(self) -> Iterator[tuple[str, Doc]]:
        """Every (id, document), in no particular order."""
        return iter(self._docs.items())


class ByReference(Mapping[str, Doc]):
    """The records table by reference; a document whose reference does not read back is not found."""

    __slots__ = ("table",)

    def __init__(self, table: Table):
        self.table = table

    def __getitem__(self, reference: str) -> Doc:
        doc = self.get(reference)
        if doc is None:
            raise KeyError(reference)
        return doc

    def get(self, reference: str, default: Any = None) -> Any:
        number = reference_number(reference) if isinstance(reference, str) else None
        doc = self.table.get(str(number)) if number is not None else None
        return doc if doc is not None and doc.get("reference") == reference else default

    def __contains__(self, reference: object) -> bool:
        return isinstance(reference, str) and self.get(reference) is not None

    def __len__(self) -> int:
        return len(self.table)

    def __iter__(self) -> Iterator[str]:
        table = self.table
        for doc_id in table:
            yield table[doc_id]["reference"]

    def __reversed__(self) -> Iterator[str]:
        table = self.table
        for doc_id in reversed(table):
            yield table[doc_id]["reference"]
