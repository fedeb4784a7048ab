"""What a field type tells a database about filtering, as plain data: the ``Terms`` it derives from a stored
value when the record is written, and the ``Condition`` a parsed filter value becomes.

A backend that cannot call ``FieldType.matches`` for every record (PostgreSQL) keeps each record's terms
beside it and turns a condition into its own query. The type's own Python (casefolding, reading dates and
numbers) runs once, at write time, so the database never has to imitate it: for every stored value and
filter value, ``condition.holds(terms)`` is ``matches(value, wanted)``, and the field-type tests prove it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Union

Point = Union[int, float]


@dataclass(frozen=True)
class Terms:
    """What a filter finds a value by: exact ``keys``, a folded ``text`` searched for a part of it, or a
    ``point`` on a line (a number, a day). A record without the value has the terms of ``None``; a text of
    ``""`` and no text are the same."""
    keys: tuple[str, ...] = ()
    text: str | None = None
    point: Point | None = None


@dataclass(frozen=True)
class AnyKey:
    """The value has one of these keys (none given: nothing matches)."""
    keys: tuple[str, ...]

    def holds(self, terms: Terms) -> bool:
        return any(key in terms.keys for key in self.keys)


@dataclass(frozen=True)
class Contains:
    """The value's folded text holds this (already folded) text; an empty text is in every value."""
    text: str

    def holds(self, terms: Terms) -> bool:
        return self.text in (terms.text or "")


@dataclass(frozen=True)
class Within:
    """The value's point lies between ``low`` and ``high``, both included; a missing end is open."""
    low: Point | None
    high: Point | None

    def holds(self, terms: Terms) -> bool:
        point = terms.point
        return point is not None and (self.low is None or point >= self.low) \
            and (self.high is None or point <= self.high)


Condition = Union[AnyKey, Contains, Within]
NOTHING = AnyKey(())


def key_condition(wanted: Any) -> Condition:
    """A filter value that is itself a key: text matches it, anything else matches nothing."""
    return AnyKey((wanted,)) if isinstance(wanted, str) else NOTHING


_YES_NO = {True: "yes", False: "no"}


def yes_no_keys(answer: bool) -> tuple[str, ...]:
    return (_YES_NO[bool(answer)],)


def yes_no_condition(wanted: Any) -> Condition:
    """``True``/``False`` (and whatever Python takes as equal to them, as ``bool(value) == wanted`` does)
    as the key ``yes``/``no``; anything else matches nothing."""
    try:
        key = _YES_NO.get(wanted)
    except TypeError:       # an unhashable value equals neither
        key = None
    return NOTHING if key is None else AnyKey((key,))


def string_items(items: Any) -> tuple[str, ...]:
    """The texts among listed items, each once: the keys of a value a filter names by text."""
    return tuple(dict.fromkeys(item for item in items if isinstance(item, str)))
