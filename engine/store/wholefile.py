"""A small table kept whole in one JSON file: read once per change of the file, changed under a lock, written
atomically. Drafts and saved-search alerts are kept this way (``engine.store.drafts``, ``engine.notify.alerts``).

``parse(path, found)`` reads the file's bytes (``found`` is None when there is no file) into items by id, raising
``DataDamaged`` when it cannot be read whole; ``body(items)`` writes them. A damaged file is refused on every read
and every change, never read as empty.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Generic, Iterator, TypeVar

from engine.errors import DataDamaged, as_out_of_space
from engine.store.durable import Signature, read_file, replace_file, signature
from engine.store.locking import WriteLock

T = TypeVar("T")
Parse = Callable[[Path, "tuple[bytes, Signature] | None"], "dict[str, T]"]


class WholeFile(Generic[T]):
    def __init__(self, path: Path, lock: WriteLock, parse: Parse, body: Callable[[dict[str, T]], bytes]):
        self.path = path
        self.lock = lock
        self._parse = parse
        self._body = body
        self._read: tuple[Signature | None, dict[str, T]] = (None, {})
        self._reading = threading.Lock()

    def current(self) -> dict[str, T]:
        """The items as the file holds them now (read again only when another process replaced it)."""
        seen, items = self._read
        now = signature(self.path)
        if now is None:
            return {}
        if now != seen:
            with self._reading:
                found = read_file(self.path)
                items = self._parse(self.path, found)
                self._read = (found[1] if found else None, items)
        return items

    def verify(self) -> list[DataDamaged]:
        """The file's faults, read afresh (empty when sound or absent)."""
        try:
            self._parse(self.path, read_file(self.path))
        except DataDamaged as damage:
            return [damage]
        return []

    @contextmanager
    def changing(self) -> Iterator[dict[str, T]]:
        """The items as they are on disk now, under the lock, to change in place: what the block leaves is
        written when it ends without an error; nothing is written otherwise."""
        with self.lock.held():
            before = self.current()
            items = dict(before)
            yield items
            if items != before:
                self._write(items)

    def _write(self, items: dict[str, T]) -> None:
        try:
            written = replace_file(self.path, [self._body(items)])
        except OSError as error:
            full = as_out_of_space(error)
            if full is not None:
                raise full from error
            raise
        self._read = (written, dict(items))
