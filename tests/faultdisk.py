"""A small tmpfs that can be filled up: a real full disk for tests, mounted where the machine allows it."""
from __future__ import annotations

import errno
import os
import subprocess
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest


@contextmanager
def small_disk(folder: Path, size_kb: int = 1024) -> Iterator[Path]:
    """``folder`` as a tmpfs of ``size_kb``; the test is skipped, saying why, where it cannot be mounted."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(folder)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        reason = f"cannot mount a small tmpfs here to fill a disk: {mounted.stderr.strip() or 'not root'}"
        print(reason)
        pytest.skip(reason)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path, leave_bytes: int = 0) -> Path:
    """Fill the disk holding ``folder`` to its last ``leave_bytes`` (0: completely); the filler file, whose
    removal frees the space again."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        stats = os.statvfs(folder)
        free = stats.f_bavail * stats.f_frsize - leave_bytes
        while free > 0:
            free -= os.write(fd, b"\0" * min(free, 1 << 16))
        while leave_bytes == 0:
            os.write(fd, b"\0" * 512)
    except OSError as error:
        if error.errno != errno.ENOSPC:
            raise
    finally:
        os.close(fd)
    return filler
