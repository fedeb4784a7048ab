"""Files attached to records: checked, checksummed and kept under generated names.

An upload is refused unless its extension is one the field accepts, its first bytes look like that kind of
file (so ``setup.exe`` renamed ``report.pdf`` is refused), and it fits the field's size limit. It is stored
under a random id, never under the user's filename, which is kept only as metadata (cleaned for display).
The content type it will be served with is chosen here from a short list of inert types; anything else is
served as ``application/octet-stream`` so that a browser never runs or renders it as a page.
The text search needs is extracted once, when the file is accepted, into a sidecar ``<id>.txt`` beside it
(``text_path``); a file stored before extraction existed gets its sidecar from ``ensure_text``.
"""
from __future__ import annotations

import errno
import hashlib
import logging
import os
import re
import secrets
import time
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable

from engine.errors import AttachmentRejected, OutOfSpace
from engine.schema.model import Field
from engine.search.extract import extract_text
from engine.store.durable import fsync_folder

DEFAULT_MAX_SIZE_MB = 20.0
DEFAULT_ACCEPT = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".png", ".jpg", ".jpeg",
                  ".txt", ".csv")
CHUNK = 1024 * 1024
SNIFF_BYTES = 8192
#: What ``secrets.token_hex(16)`` gives: an id that can never name a path outside the folder.
FILE_ID = re.compile(r"[0-9a-f]{32}")
log = logging.getLogger("engine.search")


@dataclass(frozen=True)
class Kind:
    """A kind of file we know how to recognise: how users call it, its served type and a test of its bytes."""
    name: str
    content_type: str
    looks_right: Callable[[bytes, Path], bool]


def _starts(*magics: bytes) -> Callable[[bytes, Path], bool]:
    return lambda head, path: head.startswith(magics)


def _office_zip(head: bytes, path: Path) -> bool:
    """DOCX, XLSX and PPTX are zip packages listing their parts in ``[Content_Types].xml``."""
    if not head.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(path) as package:
            return "[Content_Types].xml" in package.namelist()
    except zipfile.BadZipFile:
        return False


def _plain_text(head: bytes, path: Path) -> bool:
    """Text: no NUL bytes and not an executable's header (UTF-8 and Windows-1252 both accepted)."""
    return b"\x00" not in head and not head.startswith(EXECUTABLE_MAGICS)


OLE = _starts(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
OOXML = "application/vnd.openxmlformats-officedocument"
KINDS: dict[str, Kind] = {
    ".pdf": Kind("PDF", "application/pdf", _starts(b"%PDF-")),
    ".doc": Kind("Word document", "application/msword", OLE),
    ".docx": Kind("Word document", f"{OOXML}.wordprocessingml.document", _office_zip),
    ".xls": Kind("Excel spreadsheet", "application/vnd.ms-excel", OLE),
    ".xlsx": Kind("Excel spreadsheet", f"{OOXML}.spreadsheetml.sheet", _office_zip),
    ".ppt": Kind("PowerPoint presentation", "application/vnd.ms-powerpoint", OLE),
    ".pptx": Kind("PowerPoint presentation", f"{OOXML}.presentationml.presentation", _office_zip),
    ".png": Kind("PNG image", "image/png", _starts(b"\x89PNG\r\n\x1a\n")),
    ".jpg": Kind("JPEG image", "image/jpeg", _starts(b"\xff\xd8\xff")),
    ".jpeg": Kind("JPEG image", "image/jpeg", _starts(b"\xff\xd8\xff")),
    ".gif": Kind("GIF image", "image/gif", _starts(b"GIF87a", b"GIF89a")),
    ".txt": Kind("text file", "text/plain", _plain_text),
    ".csv": Kind("CSV file", "text/csv", _plain_text),
}
#: Windows PE, ELF, Mach-O, scripts: refused whatever the extension says.
EXECUTABLE_MAGICS = (b"MZ", b"\x7fELF", b"\xfe\xed\xfa", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"#!")
SERVED_OCTET_STREAM = "application/octet-stream"


@dataclass(frozen=True)
class StoredFile:
    """An upload written under its generated id, with what was learnt while writing it."""
    id: str
    filename: str
    content_type: str
    size: int
    sha256: str


#: Control and markup characters, and the direction marks, overrides and isolates that make
#: ``invoice<RLO>fdp.txt`` look like ``invoicetxt.pdf`` on the page.
UNSHOWN = re.compile(r"[\x00-\x1f\x7f<>:\"|?*\u200e\u200f\u202a-\u202e\u2066-\u2069]")
MAX_NAME = 200


def display_name(filename: str) -> str:
    """The user's filename reduced to something safe to show: no folders, control, markup or direction
    characters; a long name is shortened before its extension, so the file keeps its type."""
    name = unicodedata.normalize("NFC", filename).replace("\\", "/").rsplit("/", 1)[-1]
    name = UNSHOWN.sub("", name).strip(" .")
    if len(name) > MAX_NAME:
        stem, extension = os.path.splitext(name)
        extension = extension if len(extension) <= 16 else ""
        name = stem[:MAX_NAME - len(extension)].rstrip(" .") + extension
    return name or "file"


def accepted(field: Field) -> tuple[str, ...]:
    return tuple(ext.lower() if ext.startswith(".") else f".{ext.lower()}" for ext in field.accept) \
        or DEFAULT_ACCEPT


def store_upload(folder: Path, field: Field, filename: str, stream: BinaryIO) -> StoredFile:
    """Write the upload under a new id in ``folder``; ``AttachmentRejected`` (and nothing left) when refused."""
    extension = os.path.splitext(display_name(filename))[1].lower()
    allowed = accepted(field)
    if extension not in allowed:
        raise AttachmentRejected(_type_message(allowed))
    folder.mkdir(parents=True, exist_ok=True)
    file_id = secrets.token_hex(16)
    path = folder / file_id
    try:
        size, digest, head = _copy(stream, path, _limit_bytes(field))
        kind = KINDS.get(extension)
        if head.startswith(EXECUTABLE_MAGICS) or (kind is not None and not kind.looks_right(head, path)):
            raise AttachmentRejected(_type_message(allowed))
    except OSError as error:
        remove_file(path)
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            raise OutOfSpace(folder) from error
        raise
    except BaseException:
        remove_file(path)
        raise
    _write_text(folder, file_id, extract_text(path, extension))     # before the fsync, which covers it
    fsync_folder(folder)
    content_type = kind.content_type if kind else SERVED_OCTET_STREAM
    return StoredFile(file_id, display_name(filename), content_type, size, digest)


def _copy(stream: BinaryIO, path: Path, limit: int) -> tuple[int, str, bytes]:
    """Copy with a running size check (a large upload is refused without being kept) and a checksum."""
    digest = hashlib.sha256()
    size, head = 0, b""
    with open(path, "xb") as out:
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > limit:
                raise AttachmentRejected(f"The file must be smaller than {_megabytes(limit)} MB")
            if len(head) < SNIFF_BYTES:
                head += chunk[:SNIFF_BYTES - len(head)]
            digest.update(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    if size == 0:
        raise AttachmentRejected("The selected file is empty")
    return size, digest.hexdigest(), head


def _limit_bytes(field: Field) -> int:
    return int((field.max_size_mb or DEFAULT_MAX_SIZE_MB) * 1024 * 1024)


def _megabytes(limit: int) -> str:
    return f"{limit / 1024 / 1024:g}"


def _type_message(allowed: tuple[str, ...]) -> str:
    names = list(dict.fromkeys(KINDS[ext].name if ext in KINDS else ext.lstrip(".").upper() for ext in allowed))
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
    article = "an" if listed[0].lower() in "aeiou" else "a"
    return f"The file must be {article} {listed}"


def remove_file(path: Path) -> None:
    """Remove a stored file and its extracted text, so that a discarded upload leaves nothing behind."""
    for one in (path, text_path(path.parent, path.name)):
        try:
            os.unlink(one)
        except FileNotFoundError:
            pass


#: A staged file younger than this may belong to an upload still being saved; older and unreferenced, it was
#: left by a process killed between staging and saving.
STALE_AFTER_S = 3600.0


def sweep_unreferenced(folder: Path, referenced: set[str], older_than: float = STALE_AFTER_S) -> int:
    """Remove stored files (with their text and temporaries) no record refers to, older than ``older_than``
    seconds; how many files were removed."""
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return 0
    removed, cutoff = 0, time.time() - older_than
    for name in names:
        file_id = name.lstrip(".")[:32]
        if not FILE_ID.fullmatch(file_id) or file_id in referenced:
            continue
        path = folder / name
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            pass
    return removed


# -- extracted text -------------------------------------------------------------------------------------------
def text_path(folder: Path, file_id: str) -> Path:
    """Where the text extracted from the stored file ``file_id`` is kept."""
    return folder / f"{file_id}.txt"


def read_text(folder: Path, file_id: str) -> str | None:
    """The text extracted from a stored file; None when there is none or ``file_id`` is not an id."""
    if not FILE_ID.fullmatch(file_id):
        return None
    try:
        return text_path(folder, file_id).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def ensure_text(folder: Path, file_id: str, filename: str) -> bool:
    """Extract the text of a file stored without it (uploaded before extraction existed); True when written.
    A file with no text to give is read again on each call: there is nothing to remember that by."""
    path = folder / file_id
    if not FILE_ID.fullmatch(file_id) or text_path(folder, file_id).exists() or not path.exists():
        return False
    extension = os.path.splitext(display_name(filename))[1].lower()
    return _write_text(folder, file_id, extract_text(path, extension))


def _write_text(folder: Path, file_id: str, text: str | None) -> bool:
    """Write the sidecar atomically (a reader sees all of it or none); a failure is logged, never raised, so
    that it can never cost the user the upload."""
    if not text:
        return False
    temporary = folder / f".{file_id}.{secrets.token_hex(4)}.tmp"
    try:
        with open(temporary, "x", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, text_path(folder, file_id))
        return True
    except (OSError, UnicodeError) as error:
        log.warning("Extracted text of %s not saved: %s", folder / file_id, error)
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        return False
