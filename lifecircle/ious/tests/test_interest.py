"""Interest by days and the Chinese capital numerals, against hand-computed figures."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lifecircle.ious.capitals import amount_in_capitals
from lifecircle.ious.interest import days_between, interest_fen, owed_on, repayment_split

D = dt.date


@pytest.mark.parametrize(
    ("principal", "rate_bp", "days", "expected", "why"),
    [
        (1_000_000, 365, 30, 3_000, "¥10,000 × 3.65 % × 30/365 = ¥30.00 exactly"),
        (100_000, 1200, 31, 1_019, "¥1,000 × 12 % × 31/365 = 1,019.18 fen → 1,019"),
        (1_825, 1000, 1, 1, "¥18.25 × 10 % / 365 = 0.5 fen → rounds half up to 1"),
        (1_824, 1000, 1, 0, "0.4997 fen → 0"),
        (5_000_000, 1200, 365, 600_000, "a whole 365-day year at 12 % on ¥50,000 = ¥6,000"),
        (1_000_000, 0, 400, 0, "a zero rate never charges"),
        (1_000_000, 365, 0, 0, "no days, no interest"),
    ],
)
def test_interest_hand_computed(principal, rate_bp, days, expected, why):
    assert interest_fen(principal, rate_bp, days) == expected, why


def test_leap_year_29_february_counts_as_a_day_and_the_divisor_stays_365():
    # February 2024 has 29 days: lending on 1 Feb, repaying on 1 Mar is 29 days.
    assert days_between(D(2024, 2, 1), D(2024, 3, 1)) == 29
    assert interest_fen(1_000_000, 365, 29) == 2_900
    # All of 2024 is 366 days, each day 1/365 of a year: 36,600 fen, not 36,500.
    assert days_between(D(2024, 1, 1), D(2025, 1, 1)) == 366
    assert interest_fen(1_000_000, 365, 366) == 36_600
    # The same calendar span in 2025 is 365 days.
    assert interest_fen(1_000_000, 365, days_between(D(2025, 1, 1), D(2026, 1, 1))) == 36_500


def test_partial_repayment_pays_interest_first_then_interest_runs_on_the_remainder():
    # ¥10,000 at 3.65 % from 1 Jan 2025.
    owed = owed_on(
        principal_fen=1_000_000,
        rate_bp=365,
        interest_from=D(2025, 1, 1),
        interest_unpaid_fen=0,
        day=D(2025, 1, 31),
    )
    assert (owed.days, owed.interest_fen, owed.total_fen) == (30, 3_000, 1_003_000)
    split = repayment_split(owed, 503_000)  # ¥5,030: ¥30 interest, ¥5,000 principal
    assert (split.interest_fen, split.principal_fen, split.principal_left_fen, split.interest_left_fen) == (
        3_000,
        500_000,
        500_000,
        0,
    )
    # 31 Jan → 2 Mar 2025 is 30 days (February 2025 has 28): ¥5,000 × 3.65 % × 30/365 = ¥15.00.
    later = owed_on(
        principal_fen=500_000,
        rate_bp=365,
        interest_from=D(2025, 1, 31),
        interest_unpaid_fen=0,
        day=D(2025, 3, 2),
    )
    assert (later.days, later.interest_fen, later.total_fen) == (30, 1_500, 501_500)


def test_a_payment_smaller_than_the_interest_leaves_interest_unpaid_without_compounding():
    owed = owed_on(
        principal_fen=1_000_000,
        rate_bp=365,
        interest_from=D(2025, 1, 1),
        interest_unpaid_fen=0,
        day=D(2025, 1, 31),
    )
    split = repayment_split(owed, 1_000)
    assert (split.interest_fen, split.principal_fen, split.interest_left_fen, split.principal_left_fen) == (
        1_000,
        0,
        2_000,
        1_000_000,
    )
    # The next 10 days accrue on the principal only: ¥10,000 × 3.65 % × 10/365 = ¥10.
    nxt = owed_on(
        principal_fen=1_000_000,
        rate_bp=365,
        interest_from=D(2025, 1, 31),
        interest_unpaid_fen=2_000,
        day=D(2025, 2, 10),
    )
    assert (nxt.accrued_fen, nxt.interest_fen, nxt.total_fen) == (1_000, 3_000, 1_003_000)


def test_a_repayment_above_what_is_owed_is_refused_by_the_split():
    owed = owed_on(
        principal_fen=100, rate_bp=0, interest_from=D(2025, 1, 1), interest_unpaid_fen=0, day=D(2025, 2, 1)
    )
    with pytest.raises(ValueError):
        repayment_split(owed, 101)


@given(
    principal=st.integers(1, 100_000_000_000),
    rate_bp=st.integers(0, 1200),
    days=st.integers(0, 4000),
)
def test_interest_is_the_exact_fraction_rounded_half_up(principal, rate_bp, days):
    from fractions import Fraction

    exact = Fraction(principal * rate_bp * days, 3_650_000)
    got = interest_fen(principal, rate_bp, days)
    assert abs(Fraction(got) - exact) <= Fraction(1, 2)
    assert got - exact < Fraction(1, 2) or (got - exact == Fraction(1, 2) and exact.denominator == 2)


@given(amount=st.integers(1, 10**9), interest=st.integers(0, 10**7), principal=st.integers(0, 10**9))
def test_split_always_adds_up(amount, interest, principal):
    owed = owed_on(
        principal_fen=principal,
        rate_bp=0,
        interest_from=None,
        interest_unpaid_fen=interest,
        day=D(2025, 1, 1),
    )
    if amount > owed.total_fen:
        return
    s = repayment_split(owed, amount)
    assert s.interest_fen + s.principal_fen == amount
    assert s.interest_fen == min(amount, interest)
    assert s.interest_left_fen + s.principal_left_fen == owed.total_fen - amount


@pytest.mark.parametrize(
    ("fen", "simplified", "traditional"),
    [
        (120_000, "壹仟贰佰元整", "壹仟貳佰元整"),
        (0, "零元整", "零元整"),
        (5, "伍分", "伍分"),
        (50, "伍角整", "伍角整"),
        (105, "壹元零伍分", "壹元零伍分"),
        (125, "壹元贰角伍分", "壹元貳角伍分"),
        (1_000, "壹拾元整", "壹拾元整"),
        (15_030, "壹佰伍拾元零叁角整", "壹佰伍拾元零參角整"),
        (100_500, "壹仟零伍元整", "壹仟零伍元整"),
        (100_005, "壹仟元零伍分", "壹仟元零伍分"),
        (1_000_000, "壹万元整", "壹萬元整"),
        (1_050_000, "壹万零伍佰元整", "壹萬零伍佰元整"),
        (1_000_010_000, "壹仟万零壹佰元整", "壹仟萬零壹佰元整"),
        (10_000_010_000, "壹亿零壹佰元整", "壹億零壹佰元整"),
        (100_000_000_000, "壹拾亿元整", "壹拾億元整"),
        (
            123_456_789_012,
            "壹拾贰亿叁仟肆佰伍拾陆万柒仟捌佰玖拾元零壹角贰分",
            "壹拾貳億參仟肆佰伍拾陸萬柒仟捌佰玖拾元零壹角貳分",
        ),
    ],
)
def test_amount_in_capitals(fen, simplified, traditional):
    assert amount_in_capitals(fen) == simplified
    assert amount_in_capitals(fen, traditional=True) == traditional


def test_capitals_refuse_what_is_not_whole_fen():
    for bad in (-1, 1.5, True, "100"):
        with pytest.raises(ValueError):
            amount_in_capitals(bad)
