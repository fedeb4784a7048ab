"""The column choices an import remembers per repository ("Lead E-mail" is the Lead email field; "Notes" is
ignored), so that the next file with those headers is read the same way without asking again.

They are kept in the site's data folder, ``import-columns/<instance>.<repository>.json`` (names hold no dots,
so no two repositories share a file), as ``{"columns": {header key: column name}}``. A change is made under a
file lock on the latest version and written whole with ``replace_file``: a crash leaves the earlier choices or
the new ones, and two admins confirming at once both keep theirs.
"""
from __future__ import annotations

import fcntl
import json
import logging
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Mapping

from engine.exchange.columns import header_key
from engine.store.durable import read_bytes, replace_file

FOLDER = "import-columns"
log = logging.getLogger("engine.exchange")


class RememberedColumns:
    """The remembered choices of one repository of one instance."""

    def __init__(self, site_data: Path, instance: str, repository: str):
        self.path = Path(site_data) / FOLDER / f"{instance}.{repository}.json"

    def load(self) -> dict[str, str]:
        """The choices by header key; none when nothing was remembered or the file cannot be read (then
        the page asks again: a lost choice costs a click, never an import)."""
        raw = read_bytes(self.path)
        if raw is None:
            return {}
        try:
            columns = json.loads(raw.decode("utf-8")).get("columns", {})
        except (ValueError, AttributeError):
            log.warning("%s cannot be read; the import page will ask about its columns again", self.path)
            return {}
        return {str(key): str(name) for key, name in columns.items()} if isinstance(columns, dict) else {}

    def remember(self, choices: Mapping[str, str]) -> None:
        """Keep ``choices`` (header as written or its key, to column name) over those kept already."""
        if not choices:
            return
        with self._locked():
            kept = self.load()
            kept.update({header_key(header): name for header, name in choices.items()})
            text = json.dumps({"columns": kept}, indent=1, sort_keys=True, ensure_ascii=False)
            replace_file(self.path, [text.encode("utf-8")])

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """Held for the milliseconds of one read and rewrite; the descriptor is closed after, as a page
        remembers choices once per import."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path.with_name(self.path.name + ".lock"), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)
