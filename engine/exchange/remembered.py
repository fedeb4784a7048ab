"""The column choices an import remembers per repository ("Lead E-mail" is the Lead email field; "Notes" is
ignored), so that the next file with those headers is read the same way without asking again.

They are kept at the site's place: in its data folder, ``import-columns/<instance>.<repository>.json`` (names
hold no dots, so no two repositories share a file), or in the database (``engine.store.places``), as
``{"columns": {header key: column name}}``. A change is made under the lock on the latest version and written
whole (``engine.store.wholefile``): a crash leaves the earlier choices or the new ones, and two admins
confirming at once both keep theirs.
"""
from __future__ import annotations

import json
import logging
from typing import Mapping

from engine.errors import StoreError
from engine.exchange.columns import header_key
from engine.store.places import Place, whole_document
from engine.store.wholefile import Layout

FOLDER = "import-columns"
log = logging.getLogger("engine.exchange")


def _parse(where, raw: bytes | None) -> dict:
    """The kept choices; none when they cannot be read (then the page asks again: a lost choice costs a
    click, never an import)."""
    if raw is None:
        return {}
    try:
        columns = json.loads(raw.decode("utf-8")).get("columns", {})
    except (ValueError, AttributeError):
        log.warning("%s cannot be read; the import page will ask about its columns again", where)
        return {}
    return {"columns": {str(key): str(name) for key, name in columns.items()}} if isinstance(columns, dict) else {}


def _body(kept: dict) -> bytes:
    return json.dumps(kept, indent=1, sort_keys=True, ensure_ascii=False).encode("utf-8")


LAYOUT = Layout(_parse, _body)


class RememberedColumns:
    """The remembered choices of one repository of one instance."""

    def __init__(self, place: Place, instance: str, repository: str):
        name = f"{instance}.{repository}"
        self._kept = whole_document(place / FOLDER, name, LAYOUT, lock_file=f"{name}.json.lock", busy=lambda:
                                    StoreError("Column choices are being saved by someone else; try again."))
        self.path = self._kept.where

    def load(self) -> dict[str, str]:
        """The choices by header key (none when nothing was remembered or it cannot be read)."""
        return dict(self._kept.current().get("columns", {}))

    def remember(self, choices: Mapping[str, str]) -> None:
        """Keep ``choices`` (header as written or its key, to column name) over those kept already."""
        if not choices:
            return
        with self._kept.changing() as kept:
            kept["columns"] = {**kept.get("columns", {}),
                               **{header_key(header): name for header, name in choices.items()}}
