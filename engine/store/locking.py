"""The write lock of one repository: exclusive across processes (a lock file) and across threads.

Every read-modify-write of a repository's file happens inside ``WriteLock``: the writer then sees the latest
file (it reloads if another process replaced it) and no one else can write until it has replaced the file.
Readers take no lock: files are only ever replaced whole, so a reader always opens a complete version.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from filelock import FileLock, Timeout

from engine.errors import StoreError

#: How long a writer waits for another before giving up; a write normally holds the lock for milliseconds.
DEFAULT_TIMEOUT_S = 30.0


def _repository_busy() -> Exception:
    return StoreError("The repository is busy; nothing was saved. Try again in a moment.")


class WriteLock:
    """``busy`` makes the error raised when the lock is not had within ``timeout`` (it says, in the words of
    whatever the lock guards, that nothing was changed)."""

    def __init__(self, lock_path: Path, timeout: float = DEFAULT_TIMEOUT_S,
                 busy: Callable[[], Exception] = _repository_busy):
        self._path = lock_path
        self._timeout = timeout
        self._busy = busy
        # One lock object per thread (filelock's default), each with its own descriptor, so threads of one
        # process exclude each other through the kernel as processes do; the RLock keeps the in-process
        # cache consistent while one thread swaps it.
        self._file_lock = FileLock(str(lock_path), timeout=timeout)
        self._threads = threading.RLock()

    @contextmanager
    def held(self) -> Iterator[None]:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        with self._threads:
            try:
                self._file_lock.acquire()
            except Timeout as exc:
                raise self._busy() from exc
            try:
                yield
            finally:
                self._file_lock.release()
