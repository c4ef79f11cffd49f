"""Publishing events to sockets, after the transaction that caused them commits.

Recipients are named explicitly (``to=[groups.user(id), …]``); nothing is published from
model signals. If the transaction rolls back, nothing is sent.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def publish_now(event: dict, *, to: Iterable[str]) -> None:
    """Best effort: the change is already committed, and clients catch up through the API
    (or ``chat.sync``) — so a channel layer that is down is logged, never raised to the
    caller, whose request succeeded."""
    layer = get_channel_layer()
    if layer is None:
        return
    for group in to:
        try:
            async_to_sync(layer.group_send)(group, {"type": "event.push", "event": event})
        except Exception:
            logger.exception("could not publish %s to %s", event.get("type"), group)


def publish_on_commit(event: dict, *, to: Iterable[str]) -> None:
    groups = list(to)
    transaction.on_commit(lambda: publish_now(event, to=groups))
