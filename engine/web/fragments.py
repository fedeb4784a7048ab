"""Rendered pieces of a page kept by what they depend on, so that a busy page escapes its text once.

The browse page's facet panel (fifty-odd checkboxes, half of the page's escaping) depends only on the
store's counts and the ticked values; a table row only on its record's version. Those very values are the
key, not a store-wide version number: a write by another process that changes a count or a record changes
the key, and the other panels and rows stay valid.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable, Hashable

from markupsafe import Markup

#: Room for the facet panels people actually ask for and the rows of the pages they read (a few KB each).
LIMIT = 4096


class FragmentCache:
    """Least-recently-used HTML fragments; ``get`` renders on a miss. One per site (app)."""

    def __init__(self, limit: int = LIMIT):
        self.limit = limit
        self._kept: OrderedDict[Hashable, Markup] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, render: Callable[[], str]) -> Markup:
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None:
                self._kept.move_to_end(key)
                return kept
        made = Markup(render())     # rendered outside the lock: a rare duplicate render is harmless
        with self._lock:
            self._kept[key] = made
            if len(self._kept) > self.limit:
                self._kept.popitem(last=False)
        return made
