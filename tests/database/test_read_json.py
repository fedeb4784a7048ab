"""How the database's JSON is read (``database.read_json``, set on every connection of the pool): the values
the standard library reads, for every kind of JSON a document can hold, the unusual ones included."""
from __future__ import annotations

import json
import math

import pytest

from engine.store.postgres.database import database, read_json

TEXTS = ['{"reference":"QI-0001","version":3,"deleted":false,"cost":null,"staff":["Nurses","Doctors"]}',
         '{"a":1,"a":2}', '123456789012345678901234567890', '-9223372036854775809', '18446744073709551616',
         '0.1', '-0.0', '1E5', '2.5e-308', '"Zoë Straße ﬁle İlk 😀"', '"\\u00e9\\n\\t\\"\\\\"',
         '"\\ud800"', '"\\udfff x"', '1e400', '-1e400', '[]', '{}', '""']


def shape(value):
    """The value with each item beside its type: 1 and 1.0 are equal, but not the same value read."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(item) for item in value]
    return type(value).__name__, value, math.copysign(1, value) if isinstance(value, float) else None


@pytest.mark.parametrize("text", TEXTS)
def test_json_reads_as_the_standard_library_reads_it(text):
    assert shape(read_json(text.encode())) == shape(json.loads(text))


class Counted:
    """A decoder that counts what it is given, in place of ``read_json``'s."""

    def __init__(self, decoder):
        self.decoder, self.calls = decoder, 0

    def decode(self, data):
        self.calls += 1
        return self.decoder.decode(data)


def test_every_connection_reads_with_it(postgres_url, monkeypatch):
    """Through the pool, ``json`` and ``jsonb`` alike are read by ``read_json`` (its decoder is asked, once
    for each value), a document's long integer staying an integer and an escaped lone surrogate read."""
    from engine.store.postgres import database as module
    counted = Counted(module._JSON)
    monkeypatch.setattr(module, "_JSON", counted)
    db = database(postgres_url)
    with db.reading() as conn:
        row = conn.execute("SELECT %s::json, %s::jsonb, %s::json", ['{"n":123456789012345678901234567890}',
                                                                      '{"n":123456789012345678901234567890}',
                                                                      '"\\ud800"']).fetchone()
    assert row == ({"n": 123456789012345678901234567890}, {"n": 123456789012345678901234567890}, "\ud800")
    assert isinstance(row[0]["n"], int) and isinstance(row[1]["n"], int)
    assert counted.calls == 3
