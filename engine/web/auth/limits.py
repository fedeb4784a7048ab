"""Slowing down password guessing: attempts counted per username and address, for every worker together.

Three counts over a window (five minutes), each of the attempts whose password was wrong:
- one username from one address (``per_pair``, 5): that address must then wait before trying that username
  again. The person signing in from anywhere else is not kept out, so knowing someone's username is not
  enough to lock them out;
- one address, whatever the usernames (``per_address``, 20): that address must then wait;
- one username from every address together (``per_username``, 30): a looser ceiling against guessing spread
  over many addresses. It slows rather than locks: beyond it that username may be tried once every
  ``window / per_username`` seconds (10), from anywhere, so the real person still gets their turn.

An attempt is counted before its password is checked. ``reserve`` reads the latest counts, refuses
(``MustWait``, nothing counted) or adds the attempt, and writes the file, all under one file lock, so however
many workers and threads try at once no more passwords are checked than the limits allow. A correct password
then ``release``s the attempt (it was not a failure) and clears that username's count from that address; a
wrong one leaves it counted, as does a worker that dies while checking.

The counts live in ``sign-in-failures.json`` in ``Paths.site_data`` (with a database, its document
``sign-in-failures``, so that every application server counts together), replaced whole
(``engine.store.wholefile``), so a reader never sees half of it. Each write drops what is older than the
window, so it stays as small as the current attack on the site.
"""
from __future__ import annotations

import json
import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator

from engine.errors import EngineError
from engine.store.places import Place, whole_document
from engine.store.wholefile import Layout

NAME = "sign-in-failures"
FILE_NAME = NAME + ".json"
KINDS = ("pair", "address", "user")
SLOWING = "user"        # the kind that spaces attempts out instead of making one wait for the window
LONGEST_NAME = 100      # no username is longer: every longer one tried can share one count
MOST_KEYS = 30_000      # beyond this many keys counted at once, the stalest are forgotten
log = logging.getLogger(__name__)

Counts = dict[str, dict[str, list[float]]]      # kind -> key -> times of its recent attempts, oldest first


class SignInBusy(EngineError):
    """The shared count of sign-in attempts could not be updated in time; the sign-in is not tried."""


class MustWait(EngineError):
    """Too many attempts: this one is not made, nor counted. ``seconds``: until one may be."""

    def __init__(self, seconds: float):
        super().__init__(f"Too many attempts to sign in: wait {seconds:.0f} seconds.")
        self.seconds = seconds


@dataclass(frozen=True)
class Attempt:
    """An attempt ``reserve`` counted: the keys it was counted under, and when."""
    keys: tuple[tuple[str, str], ...]
    at: float


class FailedSignIns:
    """The limits above, counted at the site's place (``folder/sign-in-failures.json``, or the database's)
    over ``window`` seconds. ``clock`` is wall-clock time: every process must read the same."""

    def __init__(self, place: Place, per_pair: int = 5, per_address: int = 20, per_username: int = 30,
                 window: float = 300.0, clock: Callable[[], float] = time.time, lock_timeout: float = 10.0):
        self.limits = {"pair": per_pair, "address": per_address, "user": per_username}
        self.window = window
        self._clock = clock
        self._file = whole_document(place, NAME, LAYOUT, timeout=lock_timeout, lock_file=FILE_NAME + ".lock",
                                    busy=lambda: SignInBusy("Signing in is busy at the moment. Wait a minute "
                                                            "and try again."))

    def reserve(self, username: str, address: str | None) -> Attempt:
        """Count an attempt to sign in as ``username`` from ``address`` before its password is checked.
        Raises ``MustWait`` when a limit is reached (nothing counted), ``SignInBusy`` when the count cannot be
        updated in time."""
        now = self._clock()
        attempt = Attempt(_keys(username, address), round(now, 3))
        self._refuse_if_waiting(self._current(), attempt.keys, now)   # a flood is refused without the lock
        with self._changing() as counts:
            self._refuse_if_waiting(counts, attempt.keys, now)
            for kind, key in attempt.keys:
                times = counts.setdefault(kind, {}).setdefault(key, [])
                times.append(attempt.at)
                del times[:-self.limits[kind]]      # older ones cannot change how long anyone waits
        return attempt

    def release(self, attempt: Attempt) -> None:
        """The password was right: the attempt was no failure, and its username's count from its address is
        cleared (the username's count from elsewhere stays: those may be someone else's guesses)."""
        with self._changing() as counts:
            for kind, key in attempt.keys:
                times = counts.get(kind, {}).get(key, [])
                if attempt.at in times:
                    times.remove(attempt.at)
            counts.get("pair", {}).pop(dict(attempt.keys)["pair"], None)

    def _refuse_if_waiting(self, counts: Counts, keys, now: float) -> None:
        longest = max(self._wait(kind, self._recent(counts.get(kind, {}).get(key), now), now)
                      for kind, key in keys)
        if longest > 0:
            raise MustWait(longest)

    def _wait(self, kind: str, times: list[float], now: float) -> float:
        limit = self.limits[kind]
        if len(times) < limit:
            return 0.0
        if kind == SLOWING:                     # one attempt per share of the window, after the last one
            return times[-1] + self.window / limit - now
        return times[-limit] + self.window - now

    def _recent(self, times: list[float] | None, now: float) -> list[float]:
        return [t for t in times or () if t > now - self.window]

    def _unexpired(self, counts: Counts, now: float) -> Counts:
        """``counts`` without the attempts older than the window, and without what that leaves empty."""
        kept = {kind: {key: recent for key, times in keys.items() if (recent := self._recent(times, now))}
                for kind, keys in counts.items()}
        return {kind: keys for kind, keys in kept.items() if keys}

    def _current(self) -> Counts:
        """The latest counts any process wrote (read again only when they were changed)."""
        return self._file.current()

    @contextmanager
    def _changing(self) -> Iterator[Counts]:
        """A copy of the latest counts to change; written whole, without what expired, when the block ends
        without an error."""
        with self._file.changing() as counts:
            yield counts
            kept = self._unexpired(counts, self._clock())
            _forget_stalest(kept)
            counts.clear()
            counts.update(kept)


def _keys(username: str, address: str | None) -> tuple[tuple[str, str], ...]:
    user, address = username.strip().lower()[:LONGEST_NAME], address or ""
    return (("pair", f"{address} {user}"), ("address", address), ("user", user))


def _copy(counts: Counts) -> Counts:
    return {kind: {key: list(times) for key, times in keys.items()} for kind, keys in counts.items()}


def _body(counts: Counts) -> bytes:
    return json.dumps(counts, separators=(",", ":"), sort_keys=True).encode("utf-8")


def _parse(where, raw: bytes | None) -> Counts:
    """The counts kept; none when they cannot be read (a damaged count must not stop every sign-in)."""
    if raw is None:
        return {}
    try:
        data = json.loads(raw.decode("utf-8"))
        return {kind: {str(key): [float(t) for t in times] for key, times in data.get(kind, {}).items()}
                for kind in KINDS}
    except (ValueError, TypeError, AttributeError):
        log.warning("%s could not be read; sign-in attempts are counted afresh", where)
        return {}


LAYOUT: "Layout[dict[str, list[float]]]" = Layout(_parse, _body, _copy)


def _forget_stalest(counts: Counts) -> None:
    """Keep the file small under an attack spread over very many usernames or addresses."""
    entries = [(times[-1], kind, key) for kind, keys in counts.items() for key, times in keys.items()]
    for _, kind, key in sorted(entries)[:max(0, len(entries) - MOST_KEYS)]:
        del counts[kind][key]
