"""Simple interest by days, on integer fen.

The rule (docs/ious.md):

* Interest accrues on the **outstanding principal only** (never on unpaid interest: no
  compounding), at the agreed annual rate in basis points (1 bp = 0.01 %), for each calendar
  day from the day interest starts (the later of the lending date and the day the money moved)
  to the day of the repayment.
* A year is **365 days for every year**: a period that contains 29 February counts that day
  like any other and the divisor stays 365 (so a loan over all of 2024 at 3.65 % earns 366/365
  of 3.65 %). ``days = end − start`` in calendar days.
* Each accrual period (lending → first repayment, repayment → next repayment, …) is rounded
  once, **half up to the nearest fen**: ``interest = round_half_up(P × bp × days ÷ 3,650,000)``.
  The rounding happens only when a repayment (or today's quote) closes a period, so the
  borrower is never charged for more than one half fen per period.
* A repayment pays the interest owed first, then principal.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

DAYS_PER_YEAR = 365
BP_PER_UNIT = 10_000  # 10,000 bp = 100 %


def interest_fen(principal_fen: int, rate_bp: int, days: int) -> int:
    """``principal_fen × rate_bp × days ÷ (10,000 × 365)``, rounded half up to a whole fen;
    0 for no days, no principal or a zero rate. Integers only: no float ever touches money."""
    if days <= 0 or principal_fen <= 0 or rate_bp <= 0:
        return 0
    numerator = principal_fen * rate_bp * days
    denominator = BP_PER_UNIT * DAYS_PER_YEAR
    return (2 * numerator + denominator) // (2 * denominator)


def days_between(start: dt.date | None, end: dt.date) -> int:
    """Calendar days from ``start`` to ``end`` (0 if ``end`` is not after ``start``)."""
    if start is None:
        return 0
    return max(0, (end - start).days)


@dataclass(frozen=True)
class Owed:
    """What the borrower owes on ``day``: unpaid interest (carried over plus accrued since
    ``interest_from``) and principal."""

    day: dt.date
    days: int  # accrual days since the last period closed
    accrued_fen: int  # interest of the open period
    interest_fen: int  # carried-over unpaid interest + accrued_fen
    principal_fen: int

    @property
    def total_fen(self) -> int:
        return self.interest_fen + self.principal_fen


def owed_on(
    *, principal_fen: int, rate_bp: int, interest_from: dt.date | None, interest_unpaid_fen: int, day: dt.date
) -> Owed:
    days = days_between(interest_from, day)
    accrued = interest_fen(principal_fen, rate_bp, days)
    return Owed(
        day=day,
        days=days,
        accrued_fen=accrued,
        interest_fen=interest_unpaid_fen + accrued,
        principal_fen=principal_fen,
    )


@dataclass(frozen=True)
class Split:
    interest_fen: int  # of the payment, towards interest
    principal_fen: int  # of the payment, towards principal
    interest_left_fen: int  # unpaid interest after it
    principal_left_fen: int  # outstanding principal after it


def repayment_split(owed: Owed, amount_fen: int) -> Split:
    """Interest first, then principal. The caller has checked ``0 < amount ≤ owed.total_fen``."""
    if amount_fen <= 0 or amount_fen > owed.total_fen:
        raise ValueError("a repayment is positive and at most what is owed")
    to_interest = min(amount_fen, owed.interest_fen)
    to_principal = amount_fen - to_interest
    return Split(
        interest_fen=to_interest,
        principal_fen=to_principal,
        interest_left_fen=owed.interest_fen - to_interest,
        principal_left_fen=owed.principal_fen - to_principal,
    )
