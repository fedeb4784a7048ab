"""Sort codes: text that sorts, byte by byte, exactly as the field types' Python sort keys do."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from engine.store.postgres.sortcode import sort_code

#: Keys shaped as the field types make them: one kind of item per position.
scalars = st.one_of(st.integers(), st.floats(allow_nan=False), st.text(), st.booleans())


def shaped(item: st.SearchStrategy) -> st.SearchStrategy:
    return st.tuples(st.integers(0, 1), st.lists(item, max_size=4).map(tuple))


KEYS = [st.integers(), st.floats(allow_nan=False), st.text(), st.booleans(),
        shaped(st.tuples(st.integers(0, 3), st.text(max_size=3))), shaped(st.text(max_size=3)),
        st.tuples(st.integers(0, 1), st.floats(allow_nan=False))]


@pytest.mark.parametrize("keys", KEYS, ids=range(len(KEYS)))
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_codes_sort_as_the_keys_do(keys, data):
    one, other = data.draw(keys), data.draw(keys)
    assert (sort_code(one) < sort_code(other)) == (one < other)
    assert (sort_code(one) == sort_code(other)) == (one == other)


@pytest.mark.parametrize("one, other", [
    ("a", "a\x00"), ("", "\x00"), ("a\x00", "a\x01"), ((), (0,)), ((1,), (1, "")), (-1, 0), (-256, -255),
    (2 ** 70, 2 ** 71), (-(2 ** 70), 2 ** 3), (-0.5, -0.0), (1e-300, 1e300), ("z", "é"), ("\uffff", "\U0001f600"),
])
def test_edges_sort_in_python_order(one, other):
    assert sort_code(one) < sort_code(other)


def test_zero_is_zero_whatever_its_sign():
    assert sort_code(-0.0) == sort_code(0.0)


def test_a_key_of_another_kind_is_refused():
    with pytest.raises(TypeError):
        sort_code(object())
