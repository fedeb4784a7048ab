"""What a store remembers in the process: the listing's totals, facet counts and the order of a page, and the
records, files and discussion of the record pages people open, kept under the repository's revision (which
every write of any server moves on) and bounded, in answers and in the items they hold, so a worker's memory
stays flat however many repositories and queries it serves."""
from __future__ import annotations

import threading
import weakref
from typing import Any, Callable, Hashable

#: How many answers, and items in them (a count, a facet key, a record of a page), one store keeps.
ENTRIES, ITEMS = 256, 50_000


class Remembered:
    """The answers of one revision; past either bound, it starts afresh."""

    def __init__(self, revision: Hashable):
        self.revision = revision
        self.answers: dict[Hashable, Any] = {}
        self.weight = 0
        self.lock = threading.Lock()

    def remember(self, key: Hashable, compute: Callable[[], Any], weight: Callable[[Any], int] = len) -> Any:
        found = self.answers.get(key)
        if found is None:
            found = compute()
            heavy = max(1, weight(found))
            with self.lock:
                if len(self.answers) >= ENTRIES or self.weight + heavy > ITEMS:
                    self.answers.clear()
                    self.weight = 0
                self.answers[key] = found
                self.weight += heavy
        return found


def one(_: object) -> int:
    """The weight of an answer that is one item (a total, a record's row)."""
    return 1


class Forgetful(Remembered):
    """For a store that cannot say its revision: nothing is kept."""

    def remember(self, key: Hashable, compute: Callable[[], Any], weight: Callable[[Any], int] = len) -> Any:
        return compute()


_kept: "weakref.WeakKeyDictionary[Any, dict[str, Remembered]]" = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def remembered(store: Any, kind: str = "listing") -> Remembered:
    """The store's answers of ``kind`` for its revision as it is now. Read before anything is counted, so what
    is kept under a revision is never older than it. Each kind is bounded on its own: the records of the pages
    people open ("records") never push the listing's answers out."""
    revision = store.revision()
    if revision is None:
        return Forgetful(None)
    with _lock:
        kinds = _kept.setdefault(store, {})
        kept = kinds.get(kind)
        if kept is None or kept.revision != revision:
            kept = kinds[kind] = Remembered(revision)
    return kept
