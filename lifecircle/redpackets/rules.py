"""How much one grab gets. Pure functions, so the bounds are tested over many packets.

Lucky packets use the double-the-average rule, decided at grab time: with ``remaining_fen``
left for ``remaining_count`` shares, a grab gets a random whole number of fen between 1 and
``2 × remaining_fen ÷ remaining_count`` (rounded down), clamped so that every share still to
come can get at least 1 fen; the last share takes exactly what is left. The expected share
is the average of what is left, so the order of grabbing does not matter on average, and no
grab can take more than twice the current average.
"""

from __future__ import annotations

import random
import secrets

_rng = secrets.SystemRandom()


def lucky_share_bounds(remaining_fen: int, remaining_count: int) -> tuple[int, int]:
    """(lowest, highest) fen the next grab of a lucky packet may get."""
    if remaining_count < 1 or remaining_fen < remaining_count:
        raise ValueError("a packet keeps at least 1 fen for each remaining share")
    if remaining_count == 1:
        return remaining_fen, remaining_fen
    upper = min(2 * remaining_fen // remaining_count, remaining_fen - (remaining_count - 1))
    return 1, upper


def lucky_share(remaining_fen: int, remaining_count: int, rng: random.Random | None = None) -> int:
    low, high = lucky_share_bounds(remaining_fen, remaining_count)
    return (rng or _rng).randint(low, high)


def fixed_share(remaining_fen: int, remaining_count: int) -> int:
    """Equal shares (the total divides by the share count, so every share is the same)."""
    if remaining_count < 1 or remaining_fen < remaining_count:
        raise ValueError("a packet keeps at least 1 fen for each remaining share")
    return remaining_fen if remaining_count == 1 else remaining_fen // remaining_count
