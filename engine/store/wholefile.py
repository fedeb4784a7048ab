"""A small table kept whole: every item read at once, changed under a lock, written back whole. Drafts,
saved-search alerts, accounts and the count of failed sign-ins are kept this way.

``Layout`` says how one such table is read and written as JSON; ``Document`` is what its keepers use:
``WholeFile`` here (one JSON file, read once per change of the file, written atomically), or
``engine.store.postgres.documents.DatabaseDocument`` (one row of the database's ``documents`` table).
``engine.store.places.whole_document`` alone chooses between them. A damaged table is refused on every read
and every change, never read as empty.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, ContextManager, Generic, Iterator, Protocol, TypeVar

from engine.errors import DataDamaged, as_out_of_space
from engine.store.durable import Signature, read_file, replace_file, signature
from engine.store.locking import WriteLock

T = TypeVar("T")


@dataclass(frozen=True)
class Layout(Generic[T]):
    """``parse(where, raw)``: the items of the JSON ``raw`` (None: nothing kept yet), raising ``DataDamaged``
    at ``where`` when it cannot be read whole; ``body(items)``: the JSON to keep; ``copy``: what a change
    starts from (a shallow copy is enough for items nobody changes in place)."""
    parse: Callable[[Any, "bytes | None"], "dict[str, T]"]
    body: Callable[["dict[str, T]"], bytes]
    copy: Callable[["dict[str, T]"], "dict[str, T]"] = dict


class Document(Protocol[T]):
    """A table kept whole, wherever it is kept; ``where`` names it in an operator's messages."""
    where: Any

    def current(self) -> dict[str, T]:
        """The items as kept now (read again only when someone else changed them)."""

    def changing(self) -> ContextManager[dict[str, T]]:
        """The latest items under the table's lock, to change in place: what the block leaves is kept when it
        ends without an error; nothing is written otherwise."""

    def verify(self) -> list[DataDamaged]:
        """The table's faults, read afresh (empty when sound or absent)."""


class WholeFile(Generic[T]):
    def __init__(self, path: Path, lock: WriteLock, layout: Layout[T]):
        self.path = self.where = path
        self.lock = lock
        self.layout = layout
        self._read: tuple[Signature | None, dict[str, T]] = (None, {})
        self._reading = threading.Lock()

    def current(self) -> dict[str, T]:
        seen, items = self._read
        now = signature(self.path)
        if now is None:
            return {}
        if now != seen:
            with self._reading:
                found = read_file(self.path)
                items = self.layout.parse(self.path, found[0] if found else None)
                self._read = (found[1] if found else None, items)
        return items

    def verify(self) -> list[DataDamaged]:
        found = read_file(self.path)
        try:
            self.layout.parse(self.path, found[0] if found else None)
        except DataDamaged as damage:
            return [damage]
        return []

    @contextmanager
    def changing(self) -> Iterator[dict[str, T]]:
        with self.lock.held():
            before = self.current()
            items = self.layout.copy(before)
            yield items
            if items != before:
                self._write(items)

    def _write(self, items: dict[str, T]) -> None:
        try:
            written = replace_file(self.path, [self.layout.body(items)])
        except OSError as error:
            full = as_out_of_space(error)
            if full is not None:
                raise full from error
            raise
        self._read = (written, dict(items))
