"""Where an import finds the files its file columns name: a folder given on the command line
(``--attachments DIR``) or the files of a ZIP uploaded with the spreadsheet, and the checks a file must pass
before the import is offered (the field's types and size, as an upload on the form gets them).

A cell names a file by its path under the folder (``QI-0001/report.pdf``, as an export writes it); a name that
leads out of the folder (``../secret``) finds nothing. The store checks each file again when it is written,
its first bytes included: this early check is so that the report can name the row.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from engine.schema.model import Field
from engine.store.attachments import DEFAULT_MAX_SIZE_MB, accepted


@dataclass(frozen=True)
class FileFolder:
    """The folders a file name is looked up in, first match wins, and how the report calls them."""
    roots: tuple[Path, ...]
    called: str

    @classmethod
    def of(cls, folder: Path) -> "FileFolder":
        return cls((folder,), str(folder))

    def find(self, name: str) -> Path | None:
        for root in self.roots:
            base = root.resolve()
            path = (base / name).resolve()
            if path.is_relative_to(base) and path.is_file():
                return path
        return None


def file_problem(field: Field, path: Path) -> str | None:
    """Why the field would refuse the file (its extension or its size), in the words of the upload form."""
    extension = os.path.splitext(path.name)[1].lower()
    allowed = accepted(field)
    if extension not in allowed:
        kinds = " or ".join(ext.lstrip(".").upper() for ext in allowed)
        return f"{path.name} must be a {kinds} file"
    limit = field.max_size_mb or DEFAULT_MAX_SIZE_MB
    if path.stat().st_size > limit * 1024 * 1024:
        return f"{path.name} must be smaller than {limit:g}MB"
    return None
