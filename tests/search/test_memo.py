"""What an index remembers is bounded by the items its answers hold, not only by their number."""
from engine.search.memo import Memo


def test_answers_are_kept_until_the_items_they_hold_pass_the_budget():
    memo = Memo(entries=100, items=1000)
    computed = []

    def big(n):
        return lambda: computed.append(n) or set(range(400))
    memo.remember("a", big("a"))
    memo.remember("a", big("a again"))
    memo.remember("b", big("b"))
    assert computed == ["a", "b"] and memo.weight == 800
    memo.remember("c", big("c"))             # 1,200 items: everything before is let go
    assert list(memo) == ["c"] and memo.weight == 400


def test_the_number_of_answers_is_bounded_too_and_an_unhashable_key_is_never_kept():
    memo = Memo(entries=3)
    for key in range(5):
        memo.remember(key, lambda: 1)
    assert len(memo) <= 3
    assert memo.remember(["unhashable"], lambda: "computed") == "computed" and ["unhashable"] not in list(memo)
