"""Names of channel-layer groups, in one place so senders and consumers agree."""


def user(user_id: int) -> str:
    """Every open socket of one user (all their tabs and devices)."""
    return f"user.{user_id}"
