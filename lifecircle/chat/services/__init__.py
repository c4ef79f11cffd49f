"""Every write to chat. Re-exported here so callers import from one place."""

from lifecircle.chat.services.burn import burn_due_sweep, burn_open, message_burn
from lifecircle.chat.services.messages import (
    card_post,
    conversation_direct_open,
    conversation_group_open,
    conversation_mark_read,
    message_recall,
    message_send,
)

__all__ = [
    "burn_due_sweep",
    "burn_open",
    "card_post",
    "conversation_direct_open",
    "conversation_group_open",
    "conversation_mark_read",
    "message_burn",
    "message_recall",
    "message_send",
]
