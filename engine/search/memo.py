"""Answers an index keeps as long as it lives (one version of a repository's data), bounded in memory.

A search remembers its scores, a filter its matching records, so that paging, facets and going back cost
nothing. Left to count entries only, a few hundred remembered searches of a large repository, each a map
of thousands of scores, held most of a worker's memory (a record page runs a "has this been done before?"
search of its own: every record opened added one). ``Memo`` also counts the items its answers hold and
starts afresh past ``items``, so a worker's memory stays flat however many different searches it serves.
"""
from __future__ import annotations

from typing import Any, Callable, Hashable

ENTRIES = 256
ITEMS = 250_000         # about 25-40 MB of sets and score maps


class Memo(dict):
    def __init__(self, entries: int = ENTRIES, items: int = ITEMS):
        super().__init__()
        self.entries, self.items, self.weight = entries, items, 0

    def remember(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The answer kept under ``key``, or ``compute()``'s, kept (an unhashable key is never kept)."""
        try:
            found = self.get(key)
        except TypeError:
            return compute()
        if found is None:
            found = compute()
            weight = len(found) if hasattr(found, "__len__") else 1
            if len(self) >= self.entries or self.weight + weight > self.items:
                self.clear()
            self[key] = found
            self.weight += weight
        return found

    def clear(self) -> None:
        super().clear()
        self.weight = 0
