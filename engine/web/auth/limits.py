"""Slowing down password guessing: failed sign-ins counted per username and per address over a time window.

The counts are shared by every worker process of a deployment: they live in one small file,
``sign-in-failures.json`` in ``Paths.site_data``, so four gunicorn workers allow no more guesses than one.
Checking reads the file (only when another process has replaced it); a failure, and the correct password
that clears a username's failures, change it under a file lock and replace it whole
(``engine.store.durable.replace_file``), so a reader never sees half a file. Each write drops the failures
older than the window, so the file stays as small as the current attack on the site. A correct password clears
the username's count.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from engine.errors import EngineError
from engine.store.durable import Signature, read_file, replace_file, signature
from engine.store.locking import WriteLock

FILE_NAME = "sign-in-failures.json"
MOST_KEYS = 20_000      # beyond this many usernames and addresses counted at once, the stalest are forgotten
log = logging.getLogger(__name__)

Counts = dict[str, dict[str, list[float]]]      # "user" | "address" -> name -> times of its recent failures


class SignInBusy(EngineError):
    """The shared count of failed sign-ins could not be updated in time; the sign-in is not tried."""


class FailedSignIns:
    """``per_user`` failures per username and ``per_address`` per address within ``window`` seconds, counted
    in ``folder/sign-in-failures.json``. ``clock`` is wall-clock time: every process must read the same."""

    def __init__(self, folder: Path, per_user: int = 5, per_address: int = 20, window: float = 300.0,
                 clock: Callable[[], float] = time.time, lock_timeout: float = 10.0):
        self.path = Path(folder) / FILE_NAME
        self.limits = {"user": per_user, "address": per_address}
        self.window = window
        self._clock = clock
        self._lock = WriteLock(self.path.with_name(FILE_NAME + ".lock"), timeout=lock_timeout,
                               busy=lambda: SignInBusy("Signing in is busy at the moment. Wait a minute and "
                                                       "try again."))
        self._threads = threading.RLock()
        self._counts: Counts = {}
        self._seen: Signature | None = None

    def _keys(self, username: str, address: str) -> list[tuple[str, str]]:
        return [("user", username.strip().lower()), ("address", address or "")]

    def _current(self) -> Counts:
        """The latest counts any process wrote (the file is read again only when it was replaced)."""
        with self._threads:
            now_seen = signature(self.path)
            if now_seen != self._seen or now_seen is None:
                found = read_file(self.path)
                self._counts, self._seen = ({}, None) if found is None else (_parse(found[0]), found[1])
            return self._counts

    def _recent(self, times: list[float] | None, now: float) -> list[float]:
        return [t for t in times or () if t > now - self.window]

    def wait(self, username: str, address: str) -> float:
        """Seconds until this username and address may try again; 0 when they may try now."""
        now = self._clock()
        counts = self._current()
        longest = 0.0
        for kind, name in self._keys(username, address):
            times = self._recent(counts.get(kind, {}).get(name), now)
            if len(times) >= self.limits[kind]:
                longest = max(longest, times[-self.limits[kind]] + self.window - now)
        return longest

    def failed(self, username: str, address: str) -> None:
        now = self._clock()
        with self._changing(now) as counts:
            for kind, name in self._keys(username, address):
                times = counts.setdefault(kind, {}).setdefault(name, [])
                times.append(round(now, 3))
                del times[:-self.limits[kind]]      # older ones cannot change how long the wait is

    def succeeded(self, username: str) -> None:
        """Clear the username's failures; nothing is written when it had none."""
        name = username.strip().lower()
        if name not in self._current().get("user", {}):
            return
        with self._changing(self._clock()) as counts:
            counts.get("user", {}).pop(name, None)

    @contextmanager
    def _changing(self, now: float) -> Iterator[Counts]:
        """The latest counts, without the expired ones, to change; written whole when the block ends."""
        with self._threads, self._lock.held():
            self._seen = None                   # always the very latest, read under the lock
            counts = {kind: {name: kept for name, times in names.items()
                             if (kept := self._recent(times, now))}
                      for kind, names in self._current().items()}
            yield counts
            _forget_stalest(counts)
            text = json.dumps(counts, separators=(",", ":"), sort_keys=True).encode("utf-8")
            self._seen = replace_file(self.path, [text])
            self._counts = counts


def _parse(raw: bytes) -> Counts:
    """The counts in the file; none when it cannot be read (a damaged count must not stop every sign-in)."""
    try:
        data = json.loads(raw.decode("utf-8"))
        return {kind: {str(name): [float(t) for t in times] for name, times in data.get(kind, {}).items()}
                for kind in ("user", "address")}
    except (ValueError, TypeError, AttributeError):
        log.warning("%s could not be read; failed sign-ins are counted afresh", FILE_NAME)
        return {}


def _forget_stalest(counts: Counts) -> None:
    """Keep the file small under an attack spread over very many usernames or addresses."""
    entries = [(times[-1], kind, name) for kind, names in counts.items() for name, times in names.items()]
    for _, kind, name in sorted(entries)[:max(0, len(entries) - MOST_KEYS)]:
        del counts[kind][name]
