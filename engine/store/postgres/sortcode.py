"""Sort keys as text that sorts the same: ``sort_code(key)`` for any key a field type's ``sort_key`` makes
(tuples of numbers, booleans and texts, nested), such that comparing two codes byte by byte (``COLLATE "C"``)
orders them exactly as Python orders the keys.

Each item is a tag byte and a self-delimiting body; a tuple ends with a byte below every tag, so a tuple
sorts before the longer tuples it begins, as in Python. Whole numbers (booleans among them) are exact, of
any size; other numbers are IEEE doubles with their bits arranged to sort. A position of a key holds one
kind of number in every key of a type (``NumberType`` makes floats, ``ChoiceType`` whole numbers), which is
all that Python's own comparison of such keys needs. The bytes are written as hexadecimal: text PostgreSQL
stores and compares as it stands.
"""
from __future__ import annotations

import struct
from typing import Any

_END, _NEGATIVE, _POSITIVE, _FLOAT, _TEXT, _TUPLE = b"\x01", b"\x10", b"\x11", b"\x20", b"\x30", b"\x40"
_SIGN = 1 << 63


def sort_code(key: Any) -> str:
    """The text that sorts as ``key`` does among keys of the same type."""
    return _encode(key).hex()


def _encode(item: Any) -> bytes:
    if isinstance(item, (bool, int)):
        return _whole(int(item))
    if isinstance(item, float):
        return _FLOAT + _double(item)
    if isinstance(item, str):
        # UTF-8 keeps code point order; 00 is written 00 FF so that 00 01 can end the text below any of it.
        return _TEXT + item.encode("utf-8", "surrogatepass").replace(b"\x00", b"\x00\xff") + b"\x00\x01"
    if isinstance(item, tuple):
        return _TUPLE + b"".join(_encode(part) for part in item) + _END
    raise TypeError(f"a sort key cannot hold {type(item).__name__} values")


def _whole(number: int) -> bytes:
    """Sign, then the magnitude's length, then the magnitude; for a negative number both are inverted so
    that a larger magnitude sorts lower."""
    magnitude = abs(number)
    body = magnitude.to_bytes((magnitude.bit_length() + 7) // 8, "big")
    head = len(body).to_bytes(2, "big")
    if number >= 0:
        return _POSITIVE + head + body
    return _NEGATIVE + bytes(255 - byte for byte in head + body)


def _double(number: float) -> bytes:
    """The IEEE bits, sign bit flipped for positives and every bit for negatives: then they sort as the
    numbers do (-0.0 is 0.0, as Python has it)."""
    bits = struct.unpack(">Q", struct.pack(">d", number + 0.0))[0]
    bits = bits ^ 0xFFFF_FFFF_FFFF_FFFF if bits & _SIGN else bits | _SIGN
    return bits.to_bytes(8, "big")
