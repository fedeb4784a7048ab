"""Durable, atomic replacement of a file: a crash at any moment leaves the old file or the new one, never a mix.

The new content goes to a temporary file in the same folder (so ``os.replace`` is a rename on one file system),
is flushed and fsync'd, renamed over the old file, and then the folder itself is fsync'd so that the rename
survives a power cut. Only after all of that does the caller acknowledge the write.
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable


@dataclass(frozen=True)
class Signature:
    """What identifies one written version of a file cheaply, without reading it."""
    inode: int
    mtime_ns: int
    size: int

    @classmethod
    def of(cls, stat: os.stat_result) -> "Signature":
        return cls(stat.st_ino, stat.st_mtime_ns, stat.st_size)


def signature(path: Path) -> Signature | None:
    """The file's current signature, or None when it does not exist."""
    try:
        return Signature.of(os.stat(path))
    except FileNotFoundError:
        return None


def replace_file(path: Path, chunks: Iterable[bytes]) -> Signature:
    """Write ``chunks`` to ``path`` atomically and durably; return the new file's signature."""
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            out.writelines(chunks)
            out.flush()
            os.fsync(out.fileno())
            written = Signature.of(os.fstat(out.fileno()))
        os.replace(temp, path)
    except BaseException:
        remove_quietly(temp)
        raise
    fsync_folder(folder)
    return written


def fsync_folder(folder: Path) -> None:
    """Make a rename or a new file in ``folder`` survive a crash."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_file(path: Path) -> tuple[bytes, Signature] | None:
    """The file's bytes and the signature of exactly that version (fstat on the open file), or None."""
    try:
        with open(path, "rb") as source:
            stat = os.fstat(source.fileno())
            return source.read(), Signature.of(stat)
    except FileNotFoundError:
        return None


def read_bytes(path: Path) -> bytes | None:
    """The file's bytes, or None when it does not exist."""
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        return None


def remove_quietly(path: str | Path) -> None:
    """Remove a file that may already be gone."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
