"""The write-ahead log of one repository: every save is one checksummed line appended and fsync'd.

``records.log`` begins with a header line naming the compaction it follows (``after``: the number of the last
save already in ``records.json``); each later line is one save, numbered from there without a gap::

    <crc32 of the JSON, 8 hex digits> {"seq": 41, "next": 42, "changes": {"records": {"41": {...}}, ...}}

A save is acknowledged only once its line is on disk. A line is written by one ``write`` of the whole line,
so a reader sees either a complete line or a piece with no newline yet; it stops at the last whole, valid
line and reads on from there next time. A last piece with no newline (or only the zeros a power cut can
leave) was torn by a crash and never acknowledged: it is ignored, and the next writer cuts it off before
appending. A whole line that fails its checksum (changed after it was written), a gap in the numbers or a
header that is not one is damage: ``LogDamaged`` says which line.
"""
from __future__ import annotations

import errno
import json
import os
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from engine.errors import OutOfSpace, StoreError

Changes = Mapping[str, Mapping[str, dict[str, Any]]]
FORMAT = 1
_FULL = (errno.ENOSPC, errno.EDQUOT)


class LogDamaged(Exception):
    def __init__(self, line: int, fault: str):
        self.line = line
        super().__init__(f"line {line}: {fault}")


def encode_line(value: Mapping[str, Any]) -> bytes:
    text = json.dumps(value, ensure_ascii=True, allow_nan=False, separators=(",", ":")).encode("ascii")
    return b"%08x %s\n" % (zlib.crc32(text), text)


def header_line(after: int, generation: int) -> bytes:
    return encode_line({"log": FORMAT, "after": after, "generation": generation})


def entry_line(seq: int, changes: Changes, next_reference: int) -> bytes:
    """One save; ``next`` is the next reference after it, so that a recovery that loses a save can still
    never hand out a reference that save had given."""
    return encode_line({"seq": seq, "next": next_reference, "changes": changes})


def _decode(line: bytes) -> dict[str, Any] | None:
    """The JSON of a line whose checksum holds, else None."""
    crc, _, text = line.partition(b" ")
    try:
        if len(crc) != 8 or int(crc, 16) != zlib.crc32(text):
            return None
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


@dataclass(frozen=True)
class Header:
    after: int
    generation: int
    end: int            # the offset just past the header line


@dataclass(frozen=True)
class Entry:
    seq: int
    changes: dict[str, dict[str, dict[str, Any]]]
    end: int            # the offset just past this line
    next_reference: int = 1


def read_header(raw: bytes) -> Header:
    line, newline, _ = raw.partition(b"\n")
    value = _decode(line) if newline else None
    if value is None or value.get("log") != FORMAT or not _count(value.get("after")) \
            or not _count(value.get("generation")):
        raise LogDamaged(1, "the first line is not a log header written by this service")
    return Header(value["after"], value["generation"], len(line) + 1)


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def read_entries(raw: bytes, start: int, after: int, first_line: int = 2) -> tuple[list[Entry], int]:
    """The whole, valid entries of ``raw[start:]``, which must follow save number ``after``, and the offset
    where reading stopped (past the last of them). ``first_line`` numbers the line at ``start`` for messages."""
    entries: list[Entry] = []
    position, expected, number = start, after + 1, first_line
    pending: tuple[int, str] | None = None        # a bad line, damage only if a good one follows it
    while True:
        cut = raw.find(b"\n", position)
        if cut < 0:
            break
        value = _decode(raw[position:cut])
        if value is None:
            if raw[position:cut].strip(b"\x00"):   # a whole line, changed: a torn write leaves no newline
                raise LogDamaged(number, "fails its checksum: it was changed or damaged after it was written")
            pending = pending or (number, "is blank where a save should be")    # zeros left by a power cut
        else:
            if pending is not None:
                raise LogDamaged(*pending)
            if not isinstance(value.get("changes"), dict) or not _tables(value["changes"]):
                raise LogDamaged(number, "is not a save of documents")
            if value.get("seq") != expected:
                raise LogDamaged(number, f"is save {value.get('seq')} where save {expected} should be")
            entries.append(Entry(expected, value["changes"], cut + 1, _next(value)))
            expected += 1
        position, number = cut + 1, number + 1
    end = entries[-1].end if entries else start
    return entries, end


def _next(value: Mapping[str, Any]) -> int:
    number = value.get("next", 1)
    return number if isinstance(number, int) else 1


def _tables(changes: Mapping[str, Any]) -> bool:
    return all(isinstance(docs, dict) and all(isinstance(doc, dict) for doc in docs.values())
               for docs in changes.values())


def append(path: Path, valid_end: int, line: bytes) -> os.stat_result:
    """Append ``line`` durably after the first ``valid_end`` bytes (anything past them, a torn line, is cut
    off first); on failure the file is cut back, so nothing half-written stays. Call under the write lock."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
    except OSError as error:
        raise _failure(error, path) from error
    try:
        try:
            if os.fstat(fd).st_size != valid_end:
                os.ftruncate(fd, valid_end)
            os.lseek(fd, valid_end, os.SEEK_SET)
            view = memoryview(line)
            while view:
                view = view[os.write(fd, view):]
            os.fdatasync(fd)
            return os.fstat(fd)
        except OSError as error:
            try:
                os.ftruncate(fd, valid_end)
            except OSError:
                pass
            raise _failure(error, path) from error
    finally:
        os.close(fd)


def _failure(error: OSError, path: Path) -> StoreError:
    if error.errno in _FULL:
        return OutOfSpace(path)
    return StoreError(f"The repository could not be saved ({error.strerror}); nothing was saved.")


@dataclass(frozen=True)
class Scan:
    """Everything readable in a log, however damaged (for ``recover``)."""
    header: Header | None
    entries: dict[int, Entry]       # by save number: every line whose checksum holds
    bad_lines: list[int]            # line numbers of lines that fail their checksum (a torn last one included)


def scan(raw: bytes) -> Scan:
    try:
        header = read_header(raw)
    except LogDamaged:
        header = None
    entries: dict[int, Entry] = {}
    bad: list[int] = []
    position, number = (header.end, 2) if header else (0, 1)
    while position < len(raw):
        cut = raw.find(b"\n", position)
        cut = len(raw) if cut < 0 else cut
        value = _decode(raw[position:cut])
        if value is not None and isinstance(value.get("seq"), int) and isinstance(value.get("changes"), dict) \
                and _tables(value["changes"]):
            entries[value["seq"]] = Entry(value["seq"], value["changes"], cut + 1, _next(value))
        elif value is None or "log" not in value:
            bad.append(number)
        position, number = cut + 1, number + 1
    return Scan(header, entries, bad)
