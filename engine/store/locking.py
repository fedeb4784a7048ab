"""Locks of one repository, exclusive across processes (``flock`` on a lock file) and across threads.

Every read-modify-write of a repository happens inside ``WriteLock.held()``: the writer then sees the latest
data (it catches up with other processes' saves first) and no one else writes until it has finished.
Readers take no lock: the log is only appended to and every other file is only ever replaced whole.

A waiting writer tries again after an interval that starts at 20 microseconds and doubles up to 1 ms, so a
lock freed after a 2 ms save is taken within about 1 ms, not after a fixed poll of tens of milliseconds.
The descriptor is opened afresh in a forked child: processes sharing an open file would share its lock.
"""
from __future__ import annotations

import fcntl
import os
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from engine.errors import StoreError

#: How long a writer waits for another before giving up; a write normally holds the lock for milliseconds.
DEFAULT_TIMEOUT_S = 30.0
FIRST_WAIT_S, LONGEST_WAIT_S = 20e-6, 1e-3


def _repository_busy() -> Exception:
    return StoreError("The repository is busy; nothing was saved. Try again in a moment.")


class WriteLock:
    """``busy`` makes the error raised when the lock is not had within ``timeout`` (it says, in the words of
    whatever the lock guards, that nothing was changed)."""

    def __init__(self, lock_path: Path, timeout: float = DEFAULT_TIMEOUT_S,
                 busy: Callable[[], Exception] = _repository_busy):
        self._path = Path(lock_path)
        self._timeout = timeout
        self._busy = busy
        self._threads = threading.RLock()   # one thread of this process at a time; re-entrant for it
        self._depth = 0
        self._fd: int | None = None
        self._pid = 0

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._threads:
            if self._depth == 0:
                self._acquire(self._timeout)
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0:
                    fcntl.flock(self._descriptor(), fcntl.LOCK_UN)

    @contextmanager
    def taken_if_free(self) -> Iterator[bool]:
        """Hold the lock if no one else does (True), else go on without it (False); never waits."""
        if not self._threads.acquire(blocking=False):
            yield False
            return
        try:
            if self._depth == 0 and not self._try():
                yield False
                return
            self._depth += 1
            try:
                yield True
            finally:
                self._depth -= 1
                if self._depth == 0:
                    fcntl.flock(self._descriptor(), fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def _acquire(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        wait = FIRST_WAIT_S
        while not self._try():
            if time.monotonic() >= deadline:
                raise self._busy()
            time.sleep(wait)
            wait = min(wait * 2, LONGEST_WAIT_S)

    def _try(self) -> bool:
        try:
            fcntl.flock(self._descriptor(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _descriptor(self) -> int:
        if self._fd is None or self._pid != os.getpid():
            self._path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            self._pid = os.getpid()
        return self._fd
