"""Rendered pieces of a page kept by what they depend on, so that a busy page escapes its text once.

The browse page's body (everything below its header) depends only on the store's data, the URL and what the
reader's role lets them see: it is kept under the store's revision, and a hit skips the query and all
rendering but the layout around it. On a miss, the pieces are themselves kept: the browse page's facet panel (fifty-odd checkboxes, half of the page's escaping) depends only on the
store's counts and the ticked values; a table row only on its record's version. Those very values are the
key, not a store-wide version number: a write by another process that changes a count or a record changes
the key, and the other panels and rows stay valid.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Callable, Hashable

from markupsafe import Markup

#: Room for the facet panels people actually ask for and the rows of the pages they read (a few KB each).
LIMIT = 4096
#: Room for whole page bodies (25-40 KB each): the pages being read right now, not every URL ever asked for.
BODY_LIMIT = 256


class FragmentCache:
    """Least-recently-used rendered values; ``get`` makes one on a miss. One per site (app)."""

    def __init__(self, limit: int = LIMIT):
        self.limit = limit
        self._kept: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, render: Callable[[], str]) -> Markup:
        """HTML kept under ``key``, rendered by ``render`` on a miss."""
        return self.keep(key, lambda: Markup(render()))

    def keep(self, key: Hashable, make: Callable[[], Any]) -> Any:
        """Any value kept under ``key``, made by ``make`` on a miss."""
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None:
                self._kept.move_to_end(key)
                return kept
        made = make()               # made outside the lock: a rare duplicate is harmless
        with self._lock:
            self._kept[key] = made
            if len(self._kept) > self.limit:
                self._kept.popitem(last=False)
        return made
