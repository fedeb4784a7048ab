"""The spreadsheet an import page holds between its check and its confirm, with a note beside it (its file
name, the versions of the records it would update as first read, its good rows).

Kept at the site's place (``engine.store.places``): files in ``<site data>/imports/`` (``<name>`` and
``<name>.note``), or a row of the database's ``held_imports`` table, so that the confirm may reach another
application server than the check did. What is held longer than a day is cleared when the next file is held.
"""
from __future__ import annotations

import json
import re
import secrets
import tempfile
import time
from pathlib import Path

from engine.exchange.bundle import discard_stale
from engine.store.durable import read_bytes, replace_file
from engine.store.places import InDatabase, Place

HELD_FOR_SECONDS = 24 * 3600
NAME = re.compile(r"[A-Za-z0-9_-]{20,40}\.(csv|xlsx|json|zip)")
FOLDER = "imports"


def _new_name(suffix: str) -> str:
    return secrets.token_urlsafe(24) + suffix


def _read_note(raw) -> dict:
    try:
        note = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return note if isinstance(note, dict) else {}


class HeldInFolder:
    """Held files in ``folder``; ``scratch`` is where a ZIP is unpacked for the length of one request."""

    def __init__(self, folder: Path):
        self.folder = self.scratch = folder

    def hold(self, data: bytes, suffix: str) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        stale = time.time() - HELD_FOR_SECONDS
        for old in self.folder.iterdir():
            if old.is_file() and old.stat().st_mtime < stale:
                old.unlink(missing_ok=True)
        discard_stale(self.folder, stale)
        name = _new_name(suffix)
        (self.folder / name).write_bytes(data)
        return name

    def read(self, name: str) -> bytes | None:
        return read_bytes(self.folder / name) if NAME.fullmatch(name) else None

    def note(self, name: str) -> dict:
        return _read_note(read_bytes(self.folder / f"{name}.note")) if NAME.fullmatch(name) else {}

    def set_note(self, name: str, note: dict) -> None:
        replace_file(self.folder / f"{name}.note", [json.dumps(note).encode("utf-8")])

    def discard(self, name: str) -> None:
        if NAME.fullmatch(name):
            for path in (self.folder / name, self.folder / f"{name}.note"):
                path.unlink(missing_ok=True)


class HeldInDatabase:
    """Held files as rows of ``held_imports``; a ZIP is unpacked in the system's temporary folder."""

    def __init__(self, place: InDatabase):
        self.db = place.db
        self.scratch = Path(tempfile.gettempdir())

    def hold(self, data: bytes, suffix: str) -> str:
        name = _new_name(suffix)
        with self.db.connection() as conn:
            conn.execute("DELETE FROM held_imports WHERE held_at < now() - make_interval(secs => %s)",
                         (HELD_FOR_SECONDS,))
            conn.execute("INSERT INTO held_imports (name, data) VALUES (%s, %s)", (name, data))
        return name

    def read(self, name: str) -> bytes | None:
        return self._one("SELECT data FROM held_imports WHERE name = %s", name)

    def note(self, name: str) -> dict:
        return _read_note(self._one("SELECT note::text FROM held_imports WHERE name = %s", name))

    def set_note(self, name: str, note: dict) -> None:
        with self.db.connection() as conn:
            conn.execute("UPDATE held_imports SET note = %s::jsonb WHERE name = %s", (json.dumps(note), name))

    def discard(self, name: str) -> None:
        with self.db.connection() as conn:
            conn.execute("DELETE FROM held_imports WHERE name = %s", (name,))

    def _one(self, sql: str, name: str):
        if not NAME.fullmatch(name):
            return None
        with self.db.connection() as conn:
            row = conn.execute(sql, (name,)).fetchone()
        return None if row is None else (bytes(row[0]) if isinstance(row[0], memoryview) else row[0])


def held_files(place: Place) -> HeldInFolder | HeldInDatabase:
    """The held files of the site kept at ``place``."""
    return HeldInDatabase(place) if isinstance(place, InDatabase) else HeldInFolder(Path(place) / FOLDER)
