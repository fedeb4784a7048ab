"""A small tmpfs that can be filled up: a real full disk for the tests."""
from __future__ import annotations

import errno
import os
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest


def _mount(folder: Path, size_kb: int) -> list[str] | None:
    """Mount the tmpfs, as root or through passwordless sudo; the command prefix used, or None."""
    for prefix in ([], ["sudo", "-n"]):
        if prefix and shutil.which("sudo") is None:
            continue
        done = subprocess.run([*prefix, "mount", "-t", "tmpfs", "-o",
                               f"size={size_kb}k,uid={os.getuid()},gid={os.getgid()}", "tmpfs", str(folder)],
                              capture_output=True, text=True)
        if done.returncode == 0:
            return prefix
    return None


@contextmanager
def small_disk(folder: Path, size_kb: int = 1024) -> Iterator[Path]:
    """``folder`` as a tmpfs of ``size_kb``. Mounting needs root or passwordless sudo, as installing
    chromium for the browser tests does; without either the test fails, saying so, rather than being
    skipped."""
    folder.mkdir(parents=True, exist_ok=True)
    prefix = _mount(folder, size_kb)
    if prefix is None:
        pytest.fail("a full disk is tested on a small tmpfs, which needs root or passwordless sudo to mount "
                    "(run `make test` as root, or give this user sudo for mount and umount)")
    try:
        yield folder
    finally:
        subprocess.run([*prefix, "umount", "-l", str(folder)], check=False)


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
