"""How a total is split evenly — pure functions, no database.

The rule (docs/collections.md): ``total_fen`` among ``n`` members in their stated order gives
everyone ``total // n`` fen, and the first ``total % n`` members one fen more. So ¥100.00
among three is 3334, 3333, 3333: the shares always sum to the total exactly and differ by at
most one fen. The pages list the organiser first, so when they include themself they carry the
odd fen (which they never pay).
"""

from __future__ import annotations


def split_even(total_fen: int, n: int) -> list[int]:
    """``n`` shares of ``total_fen``, largest first. Needs ``n >= 1`` and ``total_fen >= n``
    (every share at least one fen); the caller checks both and says so to the user."""
    if n < 1 or total_fen < n:
        raise ValueError("need at least one member and one fen per member")
    base, extra = divmod(total_fen, n)
    return [base + 1] * extra + [base] * (n - extra)
