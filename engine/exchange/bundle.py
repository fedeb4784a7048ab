"""A ZIP uploaded on the import page: an export's spreadsheet with the files its file columns name, as
``repo-engine export -o FILE --attachments DIR`` writes them (``DIR/<reference>/<file name>``) and a person
zips them up, the folder beside the spreadsheet or the spreadsheet inside the folder.

A ZIP is someone else's file, so it is opened with the limits of an upload and more: no name may lead out of
the folder it is unpacked in (``../``, ``/etc``, ``C:``), none may be a link, and it may neither declare nor
inflate to more than the total an upload may bring (a "zip bomb" of a few KB can unpack to gigabytes). Each
file a row names is then held to its field's types and size (``engine.exchange.files``), and again by the
store when written. What is unpacked is removed when the import is done with it.
"""
from __future__ import annotations

import io
import re
import shutil
import stat
import tempfile
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterator

from engine.exchange.files import FileFolder
from engine.exchange.readers import UnreadableFile

SPREADSHEETS = (".csv", ".xlsx", ".json")
#: More files than any export of one repository brings: a ZIP of millions of empty entries is refused unread.
MAX_ENTRIES = 20_000
CHUNK = 1024 * 1024
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class Bundle:
    """The spreadsheet of a ZIP (its name and bytes) and where the files it names were unpacked."""
    sheet_name: str
    sheet: bytes
    files: FileFolder


@contextmanager
def unpacked(data: bytes, filename: str, *, limit: int, within: Path) -> Iterator[Bundle]:
    """The ZIP ``data`` unpacked into a new folder under ``within``, removed on leaving; ``UnreadableFile``
    saying why when it is not a ZIP, holds no single spreadsheet, or breaks a limit (``limit``: bytes)."""
    within.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=within, prefix=".unpacked-") as scratch:
        root = Path(scratch)
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as package:
                members = _members(package, filename, limit)
                sheet = _spreadsheet(members, filename)
                _extract(package, members, root, filename, limit)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, ValueError):
            raise UnreadableFile(f"{filename} is not a ZIP file that can be opened: make it again "
                                 "(in Windows, Send to > Compressed folder) and upload it again.") from None
        yield Bundle(PurePosixPath(sheet.filename).name, (root / sheet.filename).read_bytes(),
                     _file_folder(root, sheet, filename))


def _members(package: zipfile.ZipFile, filename: str, limit: int) -> list[zipfile.ZipInfo]:
    """The files to unpack, every name and size checked before a byte is inflated."""
    entries = package.infolist()
    if len(entries) > MAX_ENTRIES:
        raise UnreadableFile(f"{filename} holds more than {MAX_ENTRIES:,} files: import it in parts.")
    members = [entry for entry in entries if not entry.is_dir() and not _clutter(entry.filename)]
    for entry in members:
        if not _safe(entry.filename) or stat.S_ISLNK(entry.external_attr >> 16):
            raise UnreadableFile(f"{filename} holds '{entry.filename}', which points outside the ZIP: "
                                 "nothing was imported.")
        if entry.flag_bits & 0x1:
            raise UnreadableFile(f"{filename} is protected by a password: make it again without one.")
    if sum(entry.file_size for entry in members) > limit:
        raise UnreadableFile(_too_big(filename, limit))
    return members


def _clutter(name: str) -> bool:
    """What a Mac adds to a ZIP it makes: never part of an export."""
    parts = PurePosixPath(name).parts
    return "__MACOSX" in parts or parts[-1] == ".DS_Store" or parts[-1].startswith("._")


def _safe(name: str) -> bool:
    path = PurePosixPath(name)
    return not (path.is_absolute() or "\\" in name or _DRIVE.match(name) or ".." in path.parts or "\x00" in name)


def _spreadsheet(members: list[zipfile.ZipInfo], filename: str) -> zipfile.ZipInfo:
    """The one CSV, Excel or JSON file nearest the top (the files it names are in folders below it)."""
    sheets = [entry for entry in members if PurePosixPath(entry.filename).suffix.lower() in SPREADSHEETS]
    if not sheets:
        raise UnreadableFile(f"{filename} holds no CSV, Excel (.xlsx) or JSON file to import.")
    depth = min(len(PurePosixPath(entry.filename).parts) for entry in sheets)
    top = [entry for entry in sheets if len(PurePosixPath(entry.filename).parts) == depth]
    if len(top) > 1:
        names = ", ".join(entry.filename for entry in top)
        raise UnreadableFile(f"{filename} holds several spreadsheets ({names}): keep only the one to import.")
    return top[0]


def _extract(package: zipfile.ZipFile, members: list[zipfile.ZipInfo], root: Path, filename: str,
             limit: int) -> None:
    """Inflate each file, counting: a file that inflates past the size it declared, or a total past
    ``limit``, stops at once (a ZIP's sizes are only what it says of itself)."""
    total = 0
    for entry in members:
        target = root.joinpath(*PurePosixPath(entry.filename).parts)
        if not target.resolve().is_relative_to(root.resolve()):
            raise UnreadableFile(f"{filename} holds '{entry.filename}', which points outside the ZIP.")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with package.open(entry) as source, open(target, "xb") as out:
                total += _copy(source, out, entry.file_size, limit - total, filename, limit)
        except (FileExistsError, NotADirectoryError, IsADirectoryError):
            raise UnreadableFile(f"{filename} holds '{entry.filename}' twice: make the ZIP again.") from None


def _copy(source, out, declared: int, room: int, filename: str, limit: int) -> int:
    written = 0
    while chunk := source.read(CHUNK):
        written += len(chunk)
        if written > declared or written > room:
            raise UnreadableFile(_too_big(filename, limit))
        out.write(chunk)
    return written


def _file_folder(root: Path, sheet: zipfile.ZipInfo, filename: str) -> FileFolder:
    """Names are looked up beside the spreadsheet, then in each folder beside it: ``export/projects.xlsx``
    with ``export/project-files/QI-0001/report.pdf`` finds ``QI-0001/report.pdf`` either way."""
    base = root.joinpath(*PurePosixPath(sheet.filename).parts[:-1])
    folders = sorted(path for path in base.iterdir() if path.is_dir())
    return FileFolder((base, *folders), filename)


def _too_big(filename: str, limit: int) -> str:
    return (f"{filename} unpacks to more than {limit / 1024 / 1024:g} MB, more than one import can take: "
            "import the records in parts.")


def discard_stale(folder: Path, older_than: float) -> None:
    """Remove what an import unpacked and a crash left behind (``older_than``: a time as ``time.time()``)."""
    for old in folder.glob(".unpacked-*"):
        if old.stat().st_mtime < older_than:
            shutil.rmtree(old, ignore_errors=True)
