import pytest
from hypothesis import given
from hypothesis import strategies as st

from lifecircle.collect.rules import split_even


def test_a_hundred_yuan_among_three_gives_the_odd_fen_to_the_first():
    assert split_even(100_00, 3) == [3334, 3333, 3333]


def test_remainders_go_to_the_first_members_in_order():
    assert split_even(10, 4) == [3, 3, 2, 2]
    assert split_even(9, 3) == [3, 3, 3]
    assert split_even(1, 1) == [1]
    assert split_even(5, 5) == [1, 1, 1, 1, 1]


def test_less_than_a_fen_each_is_refused():
    with pytest.raises(ValueError):
        split_even(2, 3)
    with pytest.raises(ValueError):
        split_even(10, 0)


@given(n=st.integers(min_value=1, max_value=500), extra=st.integers(min_value=0, max_value=10**11))
def test_shares_always_sum_to_the_total_and_differ_by_at_most_one_fen(n, extra):
    total = n + extra  # at least one fen per member
    shares = split_even(total, n)
    assert len(shares) == n
    assert sum(shares) == total
    assert max(shares) - min(shares) <= 1
    assert shares == sorted(shares, reverse=True)  # the larger shares come first, as documented
    assert min(shares) >= 1
