"""Slowing down password guessing: failed sign-ins counted per username and per address over a time window.

Counts live in the worker process (a deployment with four workers allows up to four times as many guesses),
which is enough to turn an online guessing attack from thousands of tries a minute into a handful; a trust
that wants one shared count puts the sign-in behind its single sign-on instead. A correct password clears the
username's count.
"""
from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from typing import Callable


class FailedSignIns:
    """``per_user`` failures per username and ``per_address`` per address within ``window`` seconds."""

    def __init__(self, per_user: int = 5, per_address: int = 20, window: float = 300.0,
                 clock: Callable[[], float] = time.monotonic):
        self.limits = {"user": per_user, "address": per_address}
        self.window = window
        self._clock = clock
        self._failures: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _keys(self, username: str, address: str) -> list[tuple[str, str]]:
        return [("user", username.strip().lower()), ("address", address or "")]

    def wait(self, username: str, address: str) -> float:
        """Seconds until this username and address may try again; 0 when they may try now."""
        now = self._clock()
        longest = 0.0
        with self._lock:
            for key in self._keys(username, address):
                times = self._failures.get(key)
                if not times:
                    continue
                while times and times[0] <= now - self.window:
                    times.popleft()
                if len(times) >= self.limits[key[0]]:
                    longest = max(longest, times[0] + self.window - now)
        return longest

    def failed(self, username: str, address: str) -> None:
        now = self._clock()
        with self._lock:
            for key in self._keys(username, address):
                self._failures[key].append(now)

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._failures.pop(("user", username.strip().lower()), None)
