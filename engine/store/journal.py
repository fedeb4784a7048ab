"""A short log of the latest writes beside a repository file, so other processes catch up without re-reading it.

With several worker processes, each one's cache goes stale whenever another one saves; re-reading and
parsing the whole file costs far more than the save itself. So each writer, after replacing the file, appends
one line here: the signature of the file it started from, the signature of the file it wrote, and the
documents it changed. A process holding the first version applies the changes and has the second, exactly.

The log is only a shortcut, never the record: the repository file is written and fsync'd first, and a reader
uses the log only when it finds an unbroken chain of lines from its own version to the file on disk now
(signatures match exactly); otherwise it reads the file. A torn or missing line just breaks the chain.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from engine.store.durable import Signature, replace_file
from engine.store.encoding import Changes

#: Past this size the log starts afresh; a process more writes behind than it holds reads the file instead.
LIMIT_BYTES = 512 * 1024


def _label(found: Signature | None) -> bytes:
    return b"-" if found is None else f"{found.inode}:{found.mtime_ns}:{found.size}".encode("ascii")


class Journal:
    def __init__(self, path: Path):
        self.path = path

    def record(self, base: Signature | None, written: Signature, changes: Changes) -> None:
        """Log one write. Call under the write lock, after the repository file was replaced."""
        line = b" ".join([_label(base), _label(written), json.dumps(changes).encode("ascii")]) + b"\n"
        try:
            size = os.path.getsize(self.path)
            whole = size + len(line) <= LIMIT_BYTES and (size == 0 or self._ends_with_newline())
        except FileNotFoundError:
            whole = False
        if whole:
            with open(self.path, "ab") as log:
                log.write(line)
        else:       # too long, or a writer died mid-line: start again, so no line is ever glued to a torn one
            replace_file(self.path, [line])

    def changes_between(self, start: Signature | None, end: Signature) -> dict[str, dict[str, Any]] | None:
        """The documents changed from version ``start`` to ``end`` of the file, merged; None when the log
        does not link the two."""
        try:
            links = self._links()
        except ValueError:          # a line not as written here: the log is no help
            return None
        merged: dict[str, dict[str, Any]] = {}
        at = _label(start)
        for _ in range(len(links)):
            if at not in links:
                return None
            at, raw = links[at]
            for table, docs in json.loads(raw).items():
                merged.setdefault(table, {}).update(docs)
            if at == _label(end):
                return merged
        return None

    def _links(self) -> dict[bytes, tuple[bytes, bytes]]:
        """From-signature -> (to-signature, changes as JSON), for every complete line."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        links = {}
        for line in raw.split(b"\n")[:-1]:      # the last piece is empty, or a line still being written
            start, end, changes = line.split(b" ", 2)
            links[start] = (end, changes)
        return links

    def _ends_with_newline(self) -> bool:
        with open(self.path, "rb") as log:
            log.seek(-1, os.SEEK_END)
            return log.read(1) == b"\n"
