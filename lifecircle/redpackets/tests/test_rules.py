"""The lucky rule's bounds over many packets (property-based): every grab gets at least 1 fen
and at most 2 × remaining ÷ remaining count, every later share can still get 1 fen, the last
takes exactly the rest, and the shares sum to the packet."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lifecircle.redpackets.rules import fixed_share, lucky_share, lucky_share_bounds


@st.composite
def packets(draw):
    total = draw(st.integers(min_value=1, max_value=20_000))
    shares = draw(st.integers(min_value=1, max_value=min(total, 500)))
    return total, shares


@settings(max_examples=400, deadline=None)
@given(packets(), st.integers(min_value=0, max_value=2**32))
def test_every_lucky_grab_is_within_the_double_the_average_bounds(packet, seed):
    total, shares = packet
    rng = random.Random(seed)
    remaining, left = total, shares
    grabs = []
    while left:
        share = lucky_share(remaining, left, rng)
        if left == 1:
            assert share == remaining  # the last takes the rest
        else:
            assert share >= 1
            assert share * left <= 2 * remaining  # ≤ 2 × remaining ÷ remaining count
            assert remaining - share >= left - 1  # every later share can still get 1 fen
        grabs.append(share)
        remaining -= share
        left -= 1
    assert len(grabs) == shares
    assert sum(grabs) == total
    assert min(grabs) >= 1


@settings(max_examples=300, deadline=None)
@given(packets())
def test_the_bounds_are_never_empty_and_respect_the_clamp(packet):
    total, shares = packet
    low, high = lucky_share_bounds(total, shares)
    assert 1 <= low <= high <= total - (shares - 1)
    if shares > 1:
        assert high * shares <= 2 * total


def test_the_extremes_are_reachable():
    """Not a constant: over many draws both ends of [1, 2 × average] come up."""
    rng = random.Random(7)
    draws = {lucky_share(100, 10, rng) for _ in range(5000)}
    assert min(draws) == 1 and max(draws) == 20


def test_two_shares_of_two_fen_are_one_fen_each():
    assert lucky_share_bounds(2, 2) == (1, 1)
    assert lucky_share_bounds(3, 2) == (1, 2)


@pytest.mark.parametrize(("remaining", "left"), [(0, 1), (1, 2), (5, 0)])
def test_impossible_states_are_refused(remaining, left):
    with pytest.raises(ValueError):
        lucky_share_bounds(remaining, left)
    with pytest.raises(ValueError):
        fixed_share(remaining, left)


@given(st.integers(min_value=1, max_value=200), st.integers(min_value=1, max_value=100))
def test_equal_shares_are_equal_and_sum_to_the_packet(each, shares):
    remaining, left, got = each * shares, shares, []
    while left:
        got.append(fixed_share(remaining, left))
        remaining -= got[-1]
        left -= 1
    assert got == [each] * shares
