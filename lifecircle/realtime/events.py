"""Publishing events to sockets, after the transaction that caused them commits.

Recipients are named explicitly (``to=[groups.user(id), …]``); nothing is published from
model signals. If the transaction rolls back, nothing is sent.
"""

from __future__ import annotations

from collections.abc import Iterable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction


def publish_now(event: dict, *, to: Iterable[str]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    for group in to:
        async_to_sync(layer.group_send)(group, {"type": "event.push", "event": event})


def publish_on_commit(event: dict, *, to: Iterable[str]) -> None:
    groups = list(to)
    transaction.on_commit(lambda: publish_now(event, to=groups))
